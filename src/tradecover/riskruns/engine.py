"""The platform book through the risk engine: portfolios, factor models, measures and contributions.

Floats live here and in `tradecover.risk` only; `riskruns.results` turns them into minor units.

Factor models (parameters stored with every run, defaults in `ModelParameters`):

- CreditRisk+: one gamma factor per sector; each buyer loads `sector_weight` on its sector (the rest is
  specific); every sector factor has variance `sector_variance` (0.25: the PD's standard deviation half
  the PD, the CSFB workbook's convention).
- Gaussian copula (Monte Carlo): independent country and sector factors; a buyer loads
  `country_loading` on its country's and `sector_loading` on its sector's, so two buyers of one country
  and sector have asset correlation 0.4² + 0.3² = 0.25.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tradecover.risk.contributions import tail_contributions
from tradecover.risk.copula import GaussianCopula, copula_from_weights, label_loadings
from tradecover.risk.creditriskplus import credit_risk_plus
from tradecover.risk.discretisation import default_unit, discretise
from tradecover.risk.execution import Executor, InProcessExecutor
from tradecover.risk.mcmeasures import Estimate
from tradecover.risk.measures import STANDARD_LEVELS, risk_measures
from tradecover.risk.montecarlo import simulate_gaussian
from tradecover.risk.portfolio import Portfolio
from tradecover.risk.scenarios import Scenario, apply_scenario, stress_copula, stress_sector_variances
from tradecover.riskruns.book import PlatformBook
from tradecover.riskruns.model import RiskMethod

FloatArray = NDArray[np.float64]

# Contributions are to ES at the Solvency II level.
CONTRIBUTION_LEVEL = 0.995
CHART_BINS = 60


@dataclass(frozen=True)
class ModelParameters:
    """The factor model and simulation settings of a run (see the module's notes)."""

    sector_weight: float = 1.0
    sector_variance: float = 0.25
    country_loading: float = 0.4
    sector_loading: float = 0.3
    simulations: int = 20_000
    seed: int = 0

    def as_json(self, method: RiskMethod) -> dict[str, Any]:
        """The parameters the method uses, for the run's record."""
        values = asdict(self)
        if method is RiskMethod.CREDITRISKPLUS:
            for key in ("country_loading", "sector_loading", "simulations", "seed"):
                values.pop(key)
        else:
            for key in ("sector_weight", "sector_variance"):
                values.pop(key)
        return {**values, "contribution_level": CONTRIBUTION_LEVEL}


@dataclass(frozen=True)
class Figures:
    """One evaluation: measures in currency, standard errors (Monte Carlo), contributions per obligor.

    ``contributions`` (n,) add up to ES at `CONTRIBUTION_LEVEL`; ``chart`` is (bin start, probability)
    of the loss distribution for the page.
    """

    expected_loss: float
    std: float
    var: dict[float, float]
    es: dict[float, float]
    errors: dict[str, float] | None
    contributions: FloatArray
    chart: list[tuple[float, float]] = field(default_factory=list)

    def measures(self) -> list[tuple[str, str, float, float | None]]:
        """(measure, level, amount, standard error) rows: EL, SD, then VaR and ES by level."""
        errors = self.errors or {}
        rows: list[tuple[str, str, float, float | None]] = [
            ("expected_loss", "", self.expected_loss, errors.get("expected_loss")),
            ("std", "", self.std, errors.get("std")),
        ]
        for level in STANDARD_LEVELS:
            rows.append(("var", str(level), self.var[level], errors.get(f"var {level}")))
            rows.append(("es", str(level), self.es[level], errors.get(f"es {level}")))
        return rows


@dataclass(frozen=True)
class Evaluation:
    """A portfolio and its figures: the base book, or the book under a scenario."""

    portfolio: Portfolio
    figures: Figures
    scenario: Scenario | None = None


def creditriskplus_model(book: PlatformBook, parameters: ModelParameters) -> tuple[Portfolio, FloatArray]:
    """The book as a CreditRisk+ portfolio on sector factors, and the sector variances (K,)."""
    sectors, index = np.unique(book.sectors, return_inverse=True)
    weights = np.zeros((book.size, sectors.shape[0]))
    weights[np.arange(book.size), index] = parameters.sector_weight
    portfolio = _portfolio(book, weights, tuple(str(s) for s in sectors))
    return portfolio, np.full(sectors.shape[0], parameters.sector_variance)


def gaussian_model(book: PlatformBook, parameters: ModelParameters) -> tuple[Portfolio, GaussianCopula]:
    """The book as a portfolio on country and sector factors, and its Gaussian copula."""
    weights, names = label_loadings(
        [book.countries, book.sectors], [parameters.country_loading, parameters.sector_loading]
    )
    # Country codes (two capitals) and sector codes (lower case) never clash, and scenarios name them so.
    portfolio = _portfolio(book, weights, names)
    return portfolio, copula_from_weights(portfolio, np.eye(len(names)))


def _portfolio(book: PlatformBook, weights: FloatArray, factors: tuple[str, ...]) -> Portfolio:
    return Portfolio(
        ids=book.buyer_ids,
        exposure=book.exposure,
        pd=book.pd,
        lgd=book.lgd,
        weights=weights,
        factor_names=factors,
        countries=book.countries,
        sectors=book.sectors,
        grades=book.grades,
    )


def _levels() -> tuple[float, ...]:
    return tuple(sorted({*STANDARD_LEVELS, CONTRIBUTION_LEVEL}))


def _histogram(values: FloatArray, probabilities: FloatArray, top: float) -> list[tuple[float, float]]:
    if top <= 0:
        return []
    edges = np.linspace(0.0, top, CHART_BINS + 1)
    mass, _ = np.histogram(np.minimum(values, top), bins=edges, weights=probabilities)
    return [(float(edges[i]), float(mass[i])) for i in range(CHART_BINS)]


def evaluate_creditriskplus(portfolio: Portfolio, variances: FloatArray) -> Figures:
    """Analytic CreditRisk+ (FFT): measures, ES contributions, and the distribution for the chart."""
    banding = discretise(portfolio, default_unit(portfolio))
    result = credit_risk_plus(portfolio, variances, banding)
    measures = risk_measures(result.distribution, _levels())
    _, es = tail_contributions(portfolio, variances, result, CONTRIBUTION_LEVEL)
    top = 1.25 * measures.es[max(STANDARD_LEVELS)]
    distribution = result.distribution
    return Figures(
        measures.expected_loss,
        measures.std,
        measures.var,
        measures.es,
        None,
        es,
        _histogram(distribution.amounts, distribution.probabilities, top),
    )


def evaluate_gaussian(
    portfolio: Portfolio, copula: GaussianCopula, parameters: ModelParameters, executor: Executor
) -> Figures:
    """Importance-sampled Gaussian-copula Monte Carlo: measures with standard errors, ES contributions."""
    result = simulate_gaussian(
        portfolio,
        copula,
        scenarios=parameters.simulations,
        seed=parameters.seed,
        levels=_levels(),
        contributions=True,
        executor=executor,
    )
    m = result.measures

    def values(estimates: dict[float, Estimate]) -> dict[float, float]:
        return {level: estimate.value for level, estimate in estimates.items()}

    errors = {"expected_loss": m.expected_loss.standard_error, "std": m.std.standard_error}
    for level in STANDARD_LEVELS:
        errors[f"var {level}"] = m.var[level].standard_error
        errors[f"es {level}"] = m.es[level].standard_error
    top = 1.25 * m.es[max(STANDARD_LEVELS)].value
    chart = _histogram(result.losses, result.weights / result.losses.shape[0], top)
    return Figures(
        m.expected_loss.value,
        m.std.value,
        values(m.var),
        values(m.es),
        errors,
        result.contributions[CONTRIBUTION_LEVEL].es,
        chart,
    )


def executor_for(scheduler: str | None) -> Executor:
    """The in-process executor, or a Dask cluster's when a scheduler address is configured."""
    if not scheduler:
        return InProcessExecutor()
    # `distributed` takes over a second to import: only an installation with a cluster pays for it (the
    # engine keeps it out of `tradecover.risk` for the same reason; this is not about import cycles).
    executors = importlib.import_module("tradecover.risk.executors")
    executor: Executor = executors.DaskExecutor(scheduler)
    return executor


def run_engine(
    book: PlatformBook,
    method: RiskMethod,
    parameters: ModelParameters,
    scenarios: list[Scenario],
    executor: Executor,
    evaluated: Callable[[int, int], None] | None = None,
) -> list[Evaluation]:
    """The base book's figures, then each scenario's on the stressed book.

    ``evaluated(done, total)`` is called after each evaluation (for a background run's progress).
    """
    total = 1 + len(scenarios)

    def done(results: list[Evaluation]) -> None:
        if evaluated is not None:
            evaluated(len(results), total)

    if method is RiskMethod.CREDITRISKPLUS:
        portfolio, variances = creditriskplus_model(book, parameters)
        results = [Evaluation(portfolio, evaluate_creditriskplus(portfolio, variances))]
        done(results)
        for scenario in scenarios:
            stressed = apply_scenario(portfolio, scenario)
            stressed_variances = stress_sector_variances(variances, portfolio.factor_names, scenario)
            results.append(
                Evaluation(stressed, evaluate_creditriskplus(stressed, stressed_variances), scenario)
            )
            done(results)
        return results
    portfolio, copula = gaussian_model(book, parameters)
    results = [Evaluation(portfolio, evaluate_gaussian(portfolio, copula, parameters, executor))]
    done(results)
    for scenario in scenarios:
        stressed = apply_scenario(portfolio, scenario)
        stressed_copula = stress_copula(copula, portfolio, scenario)
        results.append(
            Evaluation(stressed, evaluate_gaussian(stressed, stressed_copula, parameters, executor), scenario)
        )
        done(results)
    return results
