"""Stress scenarios as data: PD multipliers, limit cuts, export-to-domestic shifts, large defaults and
factor-variance changes, read from JSON and applied to a portfolio without changing it.

A scenario file (``risk/scenarios/<name>.json``, or any path) holds, all keys optional but ``name``::

    {
      "name": "us-tariffs-145",
      "description": "...",
      "pd_multipliers": [            # first matching rule wins; PDs capped at 1
        {"country": ["US"], "sector": ["consumer_goods", "electronics"], "grade": [5, 6], "multiplier": 3.0},
        {"country": ["US"], "multiplier": 2.0}
      ],
      "exposure_cuts": [{"country": ["US"], "sector": [...], "fraction": 0.30}],   # first match wins
      "domestic_shift": {"fraction": 0.2, "country": "CN", "pd": 0.02, "sector": null, "lgd": null},
      "large_defaults": {"count": 2, "loss_fraction": 0.10},
      "factor_variance_multipliers": {"*": 1.5, "US": 2.0}
    }

A rule without ``country``/``sector``/``grade`` matches every obligor on that criterion. Countries are ISO
alpha-2 codes and sectors the platform's sector codes (``consumer_goods``, ``textiles_apparel``, ...).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tradecover.risk.copula import GaussianCopula
from tradecover.risk.portfolio import Portfolio

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

DOMESTIC_SUFFIX = "~domestic"
# A stressed obligor's systematic variance is capped here so that the copula stays valid.
_LARGEST_STRESSED_SHARE = 0.99


@dataclass(frozen=True)
class Selector:
    """Which obligors a rule applies to: None on a criterion means any."""

    countries: frozenset[str] | None = None
    sectors: frozenset[str] | None = None
    grades: frozenset[int] | None = None

    def matches(self, portfolio: Portfolio) -> BoolArray:
        """Boolean mask of shape (n,) of the obligors selected."""
        mask = np.ones(portfolio.size, dtype=bool)
        for values, labels, what in (
            (self.countries, portfolio.countries, "countries"),
            (self.sectors, portfolio.sectors, "sectors"),
            (self.grades, portfolio.grades, "grades"),
        ):
            if values is None:
                continue
            if labels is None:
                raise ValueError(f"the scenario selects by {what} but the portfolio has none")
            mask &= np.isin(labels, np.array(sorted(values, key=str), dtype=labels.dtype))
        return mask


@dataclass(frozen=True)
class PdMultiplier:
    """Multiply the PDs of the selected obligors."""

    selector: Selector
    multiplier: float


@dataclass(frozen=True)
class ExposureCut:
    """Cut the exposure (limit) of the selected obligors by ``fraction``."""

    selector: Selector
    fraction: float


@dataclass(frozen=True)
class DomesticShift:
    """Move ``fraction`` of each foreign obligor's exposure to a domestic pseudo-obligor in ``country``.

    The pseudo-obligor ``<id>~domestic`` has PD ``pd``, the sector ``sector`` (or the original's) and LGD
    ``lgd`` (or the original's); its factor weights are the original's with the weight on the original
    country's factor, if there is one, moved to the domestic country's factor, if there is one.
    """

    fraction: float
    country: str
    pd: float
    sector: str | None = None
    lgd: float | None = None


@dataclass(frozen=True)
class LargeDefaults:
    """The ``count`` largest exposures default for certain with loss ``loss_fraction`` of exposure."""

    count: int = 2
    loss_fraction: float = 0.10


@dataclass(frozen=True)
class Scenario:
    """A stress scenario: each part optional, applied in the order of the attributes."""

    name: str
    description: str = ""
    pd_multipliers: tuple[PdMultiplier, ...] = ()
    exposure_cuts: tuple[ExposureCut, ...] = ()
    domestic_shift: DomesticShift | None = None
    large_defaults: LargeDefaults | None = None
    factor_variance_multipliers: tuple[tuple[str, float], ...] = ()

    def variance_multiplier(self, factor: str) -> float:
        """The multiplier of one factor's variance: its own entry, else ``"*"``, else 1."""
        table = dict(self.factor_variance_multipliers)
        return float(table.get(factor, table.get("*", 1.0)))


def _selector(rule: dict[str, Any], where: str) -> Selector:
    def values(key: str, kind: type) -> frozenset[Any] | None:
        raw = rule.get(key)
        if raw is None:
            return None
        if not isinstance(raw, list) or not all(isinstance(v, kind) and not isinstance(v, bool) for v in raw):
            raise ValueError(f"{where}: {key} must be a list of {kind.__name__}")
        return frozenset(raw)

    return Selector(values("country", str), values("sector", str), values("grade", int))


def _number(rule: dict[str, Any], key: str, where: str, low: float, high: float | None = None) -> float:
    value = rule.get(key)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ValueError(f"{where}: {key} must be a number")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{where}: {key} must lie in [{low}, {high if high is not None else '∞'})")
    return float(value)


def parse_scenario(document: dict[str, Any]) -> Scenario:
    """Build a :class:`Scenario` from its JSON document; raises ValueError on anything malformed."""
    if not isinstance(document, dict) or not isinstance(document.get("name"), str):
        raise ValueError('a scenario is a JSON object with a "name"')
    known = {
        "name", "description", "pd_multipliers", "exposure_cuts", "domestic_shift", "large_defaults",
        "factor_variance_multipliers",
    }  # fmt: skip
    unknown = set(document) - known
    if unknown:
        raise ValueError(f"unknown scenario key(s): {', '.join(sorted(unknown))}")
    pd_rules = tuple(
        PdMultiplier(_selector(rule, "pd_multipliers"), _number(rule, "multiplier", "pd_multipliers", 0.0))
        for rule in _rules(document, "pd_multipliers")
    )
    cuts = tuple(
        ExposureCut(_selector(rule, "exposure_cuts"), _number(rule, "fraction", "exposure_cuts", 0.0, 1.0))
        for rule in _rules(document, "exposure_cuts")
    )
    shift = None
    if (raw := document.get("domestic_shift")) is not None:
        if not isinstance(raw, dict) or not isinstance(raw.get("country"), str):
            raise ValueError('domestic_shift needs a "country"')
        sector = raw.get("sector")
        if sector is not None and not isinstance(sector, str):
            raise ValueError("domestic_shift: sector must be a string")
        shift = DomesticShift(
            fraction=_number(raw, "fraction", "domestic_shift", 0.0, 1.0),
            country=raw["country"],
            pd=_number(raw, "pd", "domestic_shift", 0.0, 1.0),
            sector=sector,
            lgd=None if raw.get("lgd") is None else _number(raw, "lgd", "domestic_shift", 0.0, 1.0),
        )
    large = None
    if (raw := document.get("large_defaults")) is not None:
        if not isinstance(raw, dict):
            raise ValueError("large_defaults must be an object")
        count = raw.get("count", 2)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError("large_defaults: count must be a positive whole number")
        large = LargeDefaults(count, _number(raw, "loss_fraction", "large_defaults", 0.0, 1.0))
    variances = document.get("factor_variance_multipliers", {})
    if not isinstance(variances, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in variances.values()
    ):
        raise ValueError("factor_variance_multipliers must map factor names (or '*') to numbers ≥ 0")
    return Scenario(
        name=document["name"],
        description=str(document.get("description", "")),
        pd_multipliers=pd_rules,
        exposure_cuts=cuts,
        domestic_shift=shift,
        large_defaults=large,
        factor_variance_multipliers=tuple(sorted((str(k), float(v)) for k, v in variances.items())),
    )


def _rules(document: dict[str, Any], key: str) -> list[dict[str, Any]]:
    rules = document.get(key, [])
    if not isinstance(rules, list) or not all(isinstance(rule, dict) for rule in rules):
        raise ValueError(f"{key} must be a list of objects")
    return rules


def available_scenarios() -> list[str]:
    """Names of the scenarios shipped with the package."""
    folder = resources.files("tradecover.risk").joinpath("scenarios")
    return sorted(item.name.removesuffix(".json") for item in folder.iterdir() if item.name.endswith(".json"))


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A shipped scenario by name (e.g. ``"us-tariffs-145"``), or a scenario file by path."""
    path = Path(name_or_path)
    if path.suffix == ".json" or path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"cannot read scenario file {path}: {exc.strerror}") from exc
    else:
        if str(name_or_path) not in available_scenarios():
            raise ValueError(
                f"unknown scenario {name_or_path!r}; shipped: {', '.join(available_scenarios())}"
            )
        text = (
            resources.files("tradecover.risk")
            .joinpath("scenarios", f"{name_or_path}.json")
            .read_text("utf-8")
        )
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"scenario {name_or_path}: not valid JSON ({exc.msg})") from exc
    return parse_scenario(document)


def _first_match_factors(
    portfolio: Portfolio, rules: tuple[Any, ...], attribute: str, default: float
) -> FloatArray:
    values = np.full(portfolio.size, default)
    unset = np.ones(portfolio.size, dtype=bool)
    for rule in rules:
        hit = unset & rule.selector.matches(portfolio)
        values[hit] = getattr(rule, attribute)
        unset &= ~hit
    return values


def domestic_sources(portfolio: Portfolio, scenario: Scenario) -> IntArray:
    """Indices of the obligors that give exposure to a domestic pseudo-obligor (in the order added)."""
    shift = scenario.domestic_shift
    if shift is None or shift.fraction == 0:
        return np.zeros(0, dtype=np.int64)
    if portfolio.countries is None:
        raise ValueError("the scenario moves export exposure but the portfolio has no countries")
    return np.flatnonzero((portfolio.countries != shift.country) & (portfolio.exposure > 0)).astype(np.int64)


def _moved_weights(
    weights: FloatArray, names: tuple[str, ...], origins: NDArray[np.str_], country: str
) -> FloatArray:
    moved = weights.copy()
    if country not in names:
        return moved
    target = names.index(country)
    for column, name in enumerate(names):
        if column == target:
            continue
        rows = origins == name
        moved[rows, target] += moved[rows, column]
        moved[rows, column] = 0.0
    return moved


def apply_scenario(portfolio: Portfolio, scenario: Scenario) -> Portfolio:
    """The stressed portfolio (a new object): PD multipliers, exposure cuts, domestic shift, large defaults.

    Base obligors keep their order; domestic pseudo-obligors follow, in the order of
    :func:`domestic_sources`.
    """
    pd = np.minimum(
        portfolio.pd * _first_match_factors(portfolio, scenario.pd_multipliers, "multiplier", 1.0), 1.0
    )
    exposure = portfolio.exposure * (
        1.0 - _first_match_factors(portfolio, scenario.exposure_cuts, "fraction", 0.0)
    )
    lgd = portfolio.lgd.copy()
    stressed = replace(portfolio, pd=pd, exposure=exposure, lgd=lgd)
    sources = domestic_sources(stressed, scenario)
    if scenario.domestic_shift is not None and stressed.countries is not None and sources.size:
        shift = scenario.domestic_shift
        moved = stressed.exposure[sources] * shift.fraction
        exposure = stressed.exposure.copy()
        exposure[sources] -= moved
        sectors = stressed.sectors
        stressed = Portfolio(
            ids=np.concatenate([stressed.ids, np.char.add(stressed.ids[sources], DOMESTIC_SUFFIX)]),
            exposure=np.concatenate([exposure, moved]),
            pd=np.concatenate([stressed.pd, np.full(sources.size, shift.pd)]),
            lgd=np.concatenate(
                [
                    stressed.lgd,
                    stressed.lgd[sources] if shift.lgd is None else np.full(sources.size, shift.lgd),
                ]
            ),
            weights=np.vstack(
                [
                    stressed.weights,
                    _moved_weights(
                        stressed.weights[sources],
                        stressed.factor_names,
                        stressed.countries[sources],
                        shift.country,
                    ),
                ]
            ),
            factor_names=stressed.factor_names,
            countries=np.concatenate([stressed.countries, np.full(sources.size, shift.country)]),
            sectors=None
            if sectors is None
            else np.concatenate(
                [sectors, sectors[sources] if shift.sector is None else np.full(sources.size, shift.sector)]
            ),
            grades=None
            if stressed.grades is None
            else np.concatenate([stressed.grades, stressed.grades[sources]]),
        )
    if scenario.large_defaults is not None and stressed.size:
        largest = np.argsort(-stressed.exposure, kind="stable")[: scenario.large_defaults.count]
        pd, lgd = stressed.pd.copy(), stressed.lgd.copy()
        pd[largest] = 1.0
        lgd[largest] = scenario.large_defaults.loss_fraction
        stressed = replace(stressed, pd=pd, lgd=lgd)
    return stressed


def stress_sector_variances(
    variances: NDArray[np.float64] | list[float], factor_names: tuple[str, ...], scenario: Scenario
) -> FloatArray:
    """CreditRisk+ sector variances times the scenario's factor-variance multipliers, shape (K,)."""
    values = np.asarray(variances, dtype=np.float64)
    multipliers = np.array([scenario.variance_multiplier(name) for name in factor_names])
    stressed: FloatArray = values * multipliers
    return stressed


def stress_copula(copula: GaussianCopula, portfolio: Portfolio, scenario: Scenario) -> GaussianCopula:
    """The copula of :func:`apply_scenario`'s portfolio: pseudo-obligors' loadings, stressed variances.

    Factor f's loadings are scaled by √multiplier, so the variance it adds grows by the multiplier; an
    obligor whose systematic share would reach 1 is scaled back to 0.99.
    """
    loadings = copula.loadings
    sources = domestic_sources(portfolio, scenario)
    if sources.size and scenario.domestic_shift is not None and portfolio.countries is not None:
        extra = _moved_weights(
            loadings[sources],
            copula.factor_names,
            portfolio.countries[sources],
            scenario.domestic_shift.country,
        )
        loadings = np.vstack([loadings, extra])
    scale = np.sqrt([scenario.variance_multiplier(name) for name in copula.factor_names])
    loadings = loadings * scale[None, :]
    share = np.einsum("if,fg,ig->i", loadings, copula.correlation, loadings)
    with np.errstate(divide="ignore", invalid="ignore"):
        shrink = np.where(share > _LARGEST_STRESSED_SHARE, np.sqrt(_LARGEST_STRESSED_SHARE / share), 1.0)
    return GaussianCopula(copula.correlation, loadings * shrink[:, None], copula.factor_names)


@dataclass(frozen=True)
class ScenarioComparison:
    """Base against stressed: each measure, and ES contributions by country and sector.

    Attributes
    ----------
    scenario : str
    measures : dict of str to (float, float)
        ``"expected_loss"``, ``"std"``, ``"var 0.99"``, ``"es 0.995"``, … → (base, stressed), currency.
    level : float
        Level of the ES contributions below.
    by_country, by_sector : dict of str to (float, float)
        ES contribution by label → (base, stressed); a label absent on one side counts 0.
    """

    scenario: str
    measures: dict[str, tuple[float, float]]
    level: float
    by_country: dict[str, tuple[float, float]]
    by_sector: dict[str, tuple[float, float]]


def _paired(base: dict[str, float], stressed: dict[str, float]) -> dict[str, tuple[float, float]]:
    return {key: (base.get(key, 0.0), stressed.get(key, 0.0)) for key in sorted(set(base) | set(stressed))}


def compare_scenario(
    scenario: Scenario,
    base_measures: dict[str, float],
    stressed_measures: dict[str, float],
    level: float,
    base_by: tuple[dict[str, float], dict[str, float]],
    stressed_by: tuple[dict[str, float], dict[str, float]],
) -> ScenarioComparison:
    """Pair base and stressed figures: flat measures, and (by country, by sector) ES contributions."""
    return ScenarioComparison(
        scenario=scenario.name,
        measures=_paired(base_measures, stressed_measures),
        level=level,
        by_country=_paired(base_by[0], stressed_by[0]),
        by_sector=_paired(base_by[1], stressed_by[1]),
    )
