"""`tradecover risk`: portfolio risk measures of a CSV book — CreditRisk+ or a Gaussian copula,
analytic or Monte Carlo, optionally under a stress scenario (base vs stressed)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from numpy.typing import NDArray
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from tradecover.cli.risk_book import SCOPE_HELP, refuse_csv_options, run_platform_book
from tradecover.risk.contributions import tail_contributions
from tradecover.risk.copula import GaussianCopula, copula_from_weights
from tradecover.risk.creditriskplus import credit_risk_plus
from tradecover.risk.discretisation import default_unit, discretise
from tradecover.risk.execution import Executor, InProcessExecutor
from tradecover.risk.executors import DaskExecutor
from tradecover.risk.mcmeasures import Estimate, MonteCarloMeasures, aggregate_by_label
from tradecover.risk.measures import STANDARD_LEVELS, risk_measures
from tradecover.risk.montecarlo import simulate_credit_risk_plus, simulate_gaussian
from tradecover.risk.onefactor import one_factor_contributions, one_factor_distribution
from tradecover.risk.portfolio import Portfolio, load_portfolio_csv
from tradecover.risk.scenarios import (
    Scenario,
    apply_scenario,
    compare_scenario,
    load_scenario,
    stress_copula,
    stress_sector_variances,
)

risk_app = typer.Typer(help="Portfolio risk: loss distribution, VaR and expected shortfall of a book.")

# Contributions by country and sector are reported to ES at the Solvency II level.
CONTRIBUTION_LEVEL = 0.995
DEFAULT_SIMULATIONS = 100_000


@risk_app.callback()
def risk() -> None:
    """Portfolio risk commands (kept a group so that `risk run` is the same alone and in the main CLI)."""


class Model(StrEnum):
    """Credit portfolio models the command offers."""

    creditriskplus = "creditriskplus"
    gaussian = "gaussian"


class Method(StrEnum):
    """Ways to compute the loss distribution."""

    analytic = "analytic"
    montecarlo = "montecarlo"


def _sector_variances(path: Path | None, factor_count: int) -> list[float]:
    if path is None:
        return [0.0] * factor_count
    document = _read_json(path)
    variances = document.get("sector_variances") if isinstance(document, dict) else None
    if not isinstance(variances, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in variances
    ):
        raise ValueError(f'{path}: expected {{"sector_variances": [v0, v1, ...]}} with numbers')
    if len(variances) < factor_count:
        raise ValueError(f"{path}: {len(variances)} sector variances for {factor_count} sectors")
    return [float(v) for v in variances[:factor_count]]


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc.msg})") from exc


def _copula(path: Path | None, book: Portfolio) -> GaussianCopula:
    """The copula from ``{"factors": [...], "correlation": [[...]], "asset_correlation": r}``."""
    if path is None:
        raise ValueError("the gaussian model needs --correlations FILE.json")
    document = _read_json(path)
    if not isinstance(document, dict):
        raise ValueError(f'{path}: expected {{"factors": [...], "correlation": [[...]]}}')
    factors = document.get("factors", list(book.factor_names))
    if not isinstance(factors, list) or sorted(map(str, factors)) != sorted(book.factor_names):
        raise ValueError(f"{path}: factors must be the book's factors {', '.join(book.factor_names)}")
    try:
        given = np.asarray(document.get("correlation"), dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path}: correlation must be a square list of lists of numbers") from exc
    if given.shape != (len(factors), len(factors)):
        raise ValueError(f"{path}: correlation must be {len(factors)}×{len(factors)}")
    order = [list(map(str, factors)).index(name) for name in book.factor_names]
    correlation = given[np.ix_(order, order)]
    asset_correlation = document.get("asset_correlation")
    if asset_correlation is not None and (
        not isinstance(asset_correlation, int | float) or isinstance(asset_correlation, bool)
    ):
        raise ValueError(f"{path}: asset_correlation must be a number")
    return copula_from_weights(
        book, correlation, None if asset_correlation is None else float(asset_correlation)
    )


@dataclass(frozen=True)
class Settings:
    """What a run needs besides the book."""

    model: Model
    method: Method
    variances: list[float]
    copula: GaussianCopula | None
    unit: float
    simulations: int
    seed: int
    executor: Executor
    progress: Callable[[int], None] | None


@dataclass(frozen=True)
class Outcome:
    """One run: measures (with errors for Monte Carlo) and ES contributions per obligor, if any."""

    figures: dict[str, Any]
    es_contributions: NDArray[np.float64] | None


def _mc_figures(measures: MonteCarloMeasures) -> dict[str, Any]:
    def by_level(estimates: dict[float, Estimate], part: Callable[[Estimate], Any]) -> dict[str, Any]:
        return {str(level): part(estimate) for level, estimate in estimates.items()}

    def error(estimate: Estimate) -> float:
        return estimate.standard_error

    def interval(estimate: Estimate) -> list[float]:
        return [estimate.low, estimate.high]

    return {
        "expected_loss": measures.expected_loss.value,
        "std": measures.std.value,
        "var": by_level(measures.var, lambda e: e.value),
        "es": by_level(measures.es, lambda e: e.value),
        "standard_errors": {
            "expected_loss": error(measures.expected_loss),
            "std": error(measures.std),
            "var": by_level(measures.var, error),
            "es": by_level(measures.es, error),
        },
        "intervals": {
            "expected_loss": interval(measures.expected_loss),
            "std": interval(measures.std),
            "var": by_level(measures.var, interval),
            "es": by_level(measures.es, interval),
        },
        "confidence": measures.confidence,
        "batches": measures.batches,
        "simulations": measures.scenarios,
    }


def _evaluate(
    book: Portfolio, settings: Settings, copula: GaussianCopula | None, variances: list[float]
) -> Outcome:
    levels = tuple(sorted({*STANDARD_LEVELS, CONTRIBUTION_LEVEL}))
    base = {"model": settings.model.value, "method": settings.method.value}
    if settings.model is Model.creditriskplus:
        banding = discretise(book, settings.unit)
        if settings.method is Method.analytic:
            result = credit_risk_plus(book, np.asarray(variances), banding)
            measures = risk_measures(result.distribution, STANDARD_LEVELS)
            _, es = tail_contributions(book, np.asarray(variances), result, CONTRIBUTION_LEVEL)
            figures = {
                **base, "unit": settings.unit, "expected_loss": measures.expected_loss, "std": measures.std,
                "var": {str(k): v for k, v in measures.var.items()},
                "es": {str(k): v for k, v in measures.es.items()}, "tail_bound": measures.tail_bound,
            }  # fmt: skip
            return Outcome(figures, es)
        mc = simulate_credit_risk_plus(
            book, variances, scenarios=settings.simulations, seed=settings.seed, banding=banding,
            levels=levels, contributions=True, executor=settings.executor, progress=settings.progress,
        )  # fmt: skip
        return Outcome(
            {**base, "unit": settings.unit, "seed": settings.seed, **_mc_figures(mc.measures)},
            mc.contributions[CONTRIBUTION_LEVEL].es,
        )
    if copula is None:
        raise ValueError("the gaussian model needs --correlations FILE.json")
    if settings.method is Method.analytic:
        if copula.factor_count != 1:
            raise ValueError(
                "the analytic gaussian method is exact for one factor only "
                f"(this book has {copula.factor_count}); use --method montecarlo"
            )
        banding = discretise(book, settings.unit)
        distribution = one_factor_distribution(book, copula, banding)
        measures = risk_measures(distribution, STANDARD_LEVELS)
        _, exact_es = one_factor_contributions(book, copula, banding, CONTRIBUTION_LEVEL)
        figures = {
            **base, "unit": settings.unit, "expected_loss": measures.expected_loss, "std": measures.std,
            "var": {str(k): v for k, v in measures.var.items()},
            "es": {str(k): v for k, v in measures.es.items()}, "tail_bound": measures.tail_bound,
        }  # fmt: skip
        return Outcome(figures, exact_es)
    mc = simulate_gaussian(
        book, copula, scenarios=settings.simulations, seed=settings.seed, levels=levels, contributions=True,
        executor=settings.executor, progress=settings.progress,
    )  # fmt: skip
    figures = {**base, "unit": None, "seed": settings.seed, **_mc_figures(mc.measures)}
    return Outcome(figures, mc.contributions[CONTRIBUTION_LEVEL].es)


def _public(figures: dict[str, Any]) -> dict[str, Any]:
    """Drop the contribution level from the printed VaR/ES unless it is a standard level."""
    shown = {str(level) for level in STANDARD_LEVELS}
    result = dict(figures)
    for key in ("var", "es"):
        result[key] = {k: v for k, v in figures[key].items() if k in shown}
    for part in ("standard_errors", "intervals"):
        if part in figures:
            section = dict(figures[part])
            for key in ("var", "es"):
                section[key] = {k: v for k, v in section[key].items() if k in shown}
            result[part] = section
    return result


def _by_label(book: Portfolio, outcome: Outcome) -> tuple[str, dict[str, float], dict[str, float]]:
    """Contributions by country and by sector: ES at 99.5% where known, else expected loss."""
    if outcome.es_contributions is not None:
        values, basis = outcome.es_contributions, f"es {CONTRIBUTION_LEVEL}"
    else:
        values, basis = book.loss_given_default * book.pd, "expected_loss"
    unknown = np.full(book.size, "unknown")
    countries = aggregate_by_label(values, book.countries if book.countries is not None else unknown)
    sectors = aggregate_by_label(values, book.sectors if book.sectors is not None else unknown)
    return basis, countries, sectors


def _flat(figures: dict[str, Any]) -> dict[str, float]:
    flat = {"expected_loss": float(figures["expected_loss"]), "std": float(figures["std"])}
    for key in ("var", "es"):
        flat.update({f"{key} {level}": float(value) for level, value in figures[key].items()})
    return flat


def _comparison(
    scenario: Scenario, base_book: Portfolio, base: Outcome, stressed_book: Portfolio, stressed: Outcome
) -> dict[str, Any]:
    basis, *base_by = _by_label(base_book, base)
    _, *stressed_by = _by_label(stressed_book, stressed)
    paired = compare_scenario(
        scenario,
        _flat(base.figures),
        _flat(stressed.figures),
        CONTRIBUTION_LEVEL,
        (base_by[0], base_by[1]),
        (stressed_by[0], stressed_by[1]),
    )

    def rows(pairs: dict[str, tuple[float, float]]) -> dict[str, dict[str, float]]:
        return {key: {"base": a, "stressed": b, "change": b - a} for key, (a, b) in pairs.items()}

    return {
        "scenario": scenario.name,
        "description": scenario.description,
        "base": _public(base.figures),
        "stressed": _public(stressed.figures),
        "contribution_basis": basis,
        "by_country": rows(paired.by_country),
        "by_sector": rows(paired.by_sector),
    }


def _measure_rows(figures: dict[str, Any]) -> list[tuple[str, float, float | None]]:
    errors = figures.get("standard_errors")
    rows: list[tuple[str, float, float | None]] = [
        ("expected loss", figures["expected_loss"], errors["expected_loss"] if errors else None),
        ("standard deviation", figures["std"], errors["std"] if errors else None),
    ]
    for level in figures["var"]:
        rows.append(
            (f"VaR {float(level):.1%}", figures["var"][level], errors["var"][level] if errors else None)
        )
        rows.append((f"ES {float(level):.1%}", figures["es"][level], errors["es"][level] if errors else None))
    return rows


def _title(figures: dict[str, Any]) -> str:
    unit = figures.get("unit")
    detail = f"loss unit {unit:,.2f}" if unit else f"{figures.get('simulations', 0):,} scenarios"
    if figures["method"] == Method.montecarlo and unit:
        detail += f", {figures['simulations']:,} scenarios"
    return f"Portfolio risk ({figures['model']}, {figures['method']}; {detail})"


def _table(figures: dict[str, Any]) -> Table:
    table = Table(title=_title(figures))
    table.add_column("measure")
    table.add_column("amount", justify="right")
    monte_carlo = "standard_errors" in figures
    if monte_carlo:
        table.add_column("std. error", justify="right")
    for label, value, error in _measure_rows(figures):
        table.add_row(label, f"{value:,.2f}", *([f"{error:,.2f}"] if monte_carlo else []))
    if "tail_bound" in figures:
        table.caption = f"mass beyond the grid ≤ {figures['tail_bound']:.1e}"
    else:
        table.caption = f"standard errors by {figures['batches']} batch means; seed {figures['seed']}"
    return table


def _comparison_tables(comparison: dict[str, Any]) -> list[Table]:
    base, stressed = comparison["base"], comparison["stressed"]
    measures = Table(
        title=f"{_title(base)} — scenario {comparison['scenario']}", caption=comparison["description"]
    )
    for column in ("measure", "base", "stressed", "change"):
        measures.add_column(column, justify="left" if column == "measure" else "right")
    for (label, a, _), (_, b, _) in zip(_measure_rows(base), _measure_rows(stressed), strict=True):
        measures.add_row(label, f"{a:,.2f}", f"{b:,.2f}", f"{b - a:+,.2f}")
    tables = [measures]
    basis = comparison["contribution_basis"]
    for key, what in (("by_country", "country"), ("by_sector", "sector")):
        table = Table(title=f"Contribution to {basis} by {what}")
        for column in (what, "base", "stressed", "change"):
            table.add_column(column, justify="left" if column == what else "right")
        for label, row in comparison[key].items():
            table.add_row(label, f"{row['base']:,.2f}", f"{row['stressed']:,.2f}", f"{row['change']:+,.2f}")
        tables.append(table)
    return tables


def _refuse_unused(
    model: Model,
    method: Method,
    sector_variances: Path | None,
    correlations: Path | None,
    unit: float | None,
    simulations: int | None,
    seed: int | None,
    scheduler: str | None,
) -> None:
    """Refuse an option that the chosen model and method would silently ignore."""
    if method is Method.analytic:
        for value, option in ((simulations, "--simulations"), (seed, "--seed"), (scheduler, "--scheduler")):
            if value is not None:
                raise ValueError(f"{option} is for Monte Carlo; add --method montecarlo")
    if model is Model.gaussian and sector_variances is not None:
        raise ValueError(
            "--sector-variances is for the creditriskplus model; the gaussian model uses --correlations"
        )
    if model is Model.creditriskplus and correlations is not None:
        raise ValueError("--correlations is for the gaussian model; add --model gaussian")
    if model is Model.gaussian and method is Method.montecarlo and unit is not None:
        raise ValueError("--unit is not used by gaussian Monte Carlo, whose losses are not banded")


@contextmanager
def _progress_bar(enabled: bool, total: int) -> Iterator[Callable[[int], None] | None]:
    if not enabled:
        yield None
        return
    with Progress(
        TextColumn("simulating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=Console(stderr=True), transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task("scenarios", total=total)
        yield lambda count: bar.advance(task, count)


@risk_app.command("run")
def run(
    portfolio: Annotated[
        Path | None, typer.Option(help="CSV: id,exposure,pd,lgd,sector[,country][,grade][,w_<factor>...]")
    ] = None,
    scope: Annotated[str | None, typer.Option(help=SCOPE_HELP)] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="With --scope: limits in force on this date (default today)."),
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as", help="With --scope: run as this user (e-mail), under its rules; default the platform."
        ),
    ] = None,
    exposure: Annotated[
        str | None,
        typer.Option(help="With --scope: limits (in force, default) or outstanding (insured outstanding)."),
    ] = None,
    model: Annotated[Model | None, typer.Option(help="Portfolio model (default creditriskplus).")] = None,
    method: Annotated[
        str | None,
        typer.Option(
            help="With --portfolio: analytic (default) or montecarlo. "
            "With --scope: creditriskplus (default) or montecarlo (Gaussian copula)."
        ),
    ] = None,
    sector_variances: Annotated[
        Path | None,
        typer.Option(
            help='CreditRisk+: JSON {"sector_variances": [v0, v1, ...]} by sector index; default 0.'
        ),
    ] = None,
    correlations: Annotated[
        Path | None,
        typer.Option(
            help='Gaussian: JSON {"factors": [...], "correlation": [[...]], "asset_correlation": r} '
            "(asset_correlation optional: without it the CSV weights are the loadings)."
        ),
    ] = None,
    unit: Annotated[
        float | None, typer.Option(help="Loss unit in currency; default the largest loss ÷ 100, rounded up.")
    ] = None,
    scenario: Annotated[
        str | None,
        typer.Option(
            help="Stress scenario: a shipped name (e.g. us-tariffs-145) or a JSON file; "
            "with --scope a shipped name or all."
        ),
    ] = None,
    simulations: Annotated[
        int | None, typer.Option(min=40, help="Monte Carlo scenarios (default 100,000).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option(min=0, help="Monte Carlo seed (default 0): the same seed, the same result.")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Run the Monte Carlo on this Dask scheduler, e.g. tcp://HOST:8786.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Compute expected loss, standard deviation, VaR and ES (99%, 99.5%, 99.9%) of a book."""
    if scope is not None:
        refuse_csv_options(portfolio, model, sector_variances, correlations, unit, scheduler)
        run_platform_book(scope, method, scenario, as_of, simulations, seed, as_json, exposure, as_user)
        return
    executor: Executor | None = None
    try:
        if portfolio is None:
            raise ValueError("give --portfolio FILE.csv, or --scope to run the platform's book")
        if as_of is not None or exposure is not None or as_user is not None:
            raise ValueError("--as-of, --exposure and --as are for the platform's book: add --scope")
        model = model or Model.creditriskplus
        try:
            how = Method(method or Method.analytic.value)
        except ValueError:
            raise ValueError(f"--method must be analytic or montecarlo, not {method!r}") from None
        book = load_portfolio_csv(portfolio)
        stress = load_scenario(scenario) if scenario is not None else None
        variances = _sector_variances(sector_variances, book.factor_count)
        copula = _copula(correlations, book) if model is Model.gaussian else None
        _refuse_unused(model, how, sector_variances, correlations, unit, simulations, seed, scheduler)
        executor = DaskExecutor(scheduler) if scheduler is not None else InProcessExecutor()
        runs = 1 if stress is None else 2
        with _progress_bar(
            how is Method.montecarlo and sys.stderr.isatty(), runs * (simulations or DEFAULT_SIMULATIONS)
        ) as progress:
            settings = Settings(
                model, how, variances, copula, default_unit(book) if unit is None else unit,
                simulations or DEFAULT_SIMULATIONS, seed or 0, executor, progress,
            )  # fmt: skip
            outcome = _evaluate(book, settings, copula, variances)
            if stress is not None:
                stressed_book = apply_scenario(book, stress)
                stressed = _evaluate(
                    stressed_book, settings,
                    None if copula is None else stress_copula(copula, book, stress),
                    list(stress_sector_variances(variances, book.factor_names, stress)),
                )  # fmt: skip
    except (OSError, ValueError) as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        raise typer.Exit(code=2) from exc
    finally:
        if isinstance(executor, DaskExecutor):
            executor.close()
    if stress is None:
        figures = _public(outcome.figures)
        if as_json:
            typer.echo(json.dumps(figures))
        else:
            Console().print(_table(figures))
        return
    comparison = _comparison(stress, book, outcome, stressed_book, stressed)
    if as_json:
        typer.echo(json.dumps(comparison))
    else:
        for table in _comparison_tables(comparison):
            Console().print(table)
