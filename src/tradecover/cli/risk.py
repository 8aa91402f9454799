"""`tradecover risk`: portfolio risk measures from a CSV book with the CreditRisk+ engine."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from tradecover.risk.creditriskplus import credit_risk_plus
from tradecover.risk.discretisation import default_unit, discretise
from tradecover.risk.measures import STANDARD_LEVELS, RiskMeasures, risk_measures
from tradecover.risk.portfolio import load_portfolio_csv

risk_app = typer.Typer(help="Portfolio risk: loss distribution, VaR and expected shortfall of a book.")


@risk_app.callback()
def risk() -> None:
    """Portfolio risk commands (kept a group so that `risk run` is the same alone and in the main CLI)."""


class Model(StrEnum):
    """Credit portfolio models the command offers."""

    creditriskplus = "creditriskplus"


class Method(StrEnum):
    """Ways to compute the loss distribution."""

    analytic = "analytic"


def _sector_variances(path: Path | None, factor_count: int) -> list[float]:
    if path is None:
        return [0.0] * factor_count
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"cannot read sector variances from {path}: {exc}") from exc
    variances = document.get("sector_variances") if isinstance(document, dict) else None
    if not isinstance(variances, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in variances
    ):
        raise ValueError(f'{path}: expected {{"sector_variances": [v0, v1, ...]}} with numbers')
    if len(variances) < factor_count:
        raise ValueError(f"{path}: {len(variances)} sector variances for {factor_count} sectors")
    return [float(v) for v in variances[:factor_count]]


def _as_json(measures: RiskMeasures, model: str, method: str) -> dict[str, Any]:
    return {
        "model": model,
        "method": method,
        "unit": measures.unit,
        "expected_loss": measures.expected_loss,
        "std": measures.std,
        "var": {str(level): value for level, value in measures.var.items()},
        "es": {str(level): value for level, value in measures.es.items()},
        "tail_bound": measures.tail_bound,
    }


def _table(measures: RiskMeasures, model: str, method: str) -> Table:
    table = Table(title=f"Portfolio risk ({model}, {method}; loss unit {measures.unit:,.2f})")
    table.add_column("measure")
    table.add_column("amount", justify="right")
    table.add_row("expected loss", f"{measures.expected_loss:,.2f}")
    table.add_row("standard deviation", f"{measures.std:,.2f}")
    for level in measures.var:
        table.add_row(f"VaR {level:.1%}", f"{measures.var[level]:,.2f}")
        table.add_row(f"ES {level:.1%}", f"{measures.es[level]:,.2f}")
    table.caption = f"mass beyond the grid ≤ {measures.tail_bound:.1e}"
    return table


@risk_app.command("run")
def run(
    portfolio: Annotated[Path, typer.Option(help="CSV: id,exposure,pd,lgd,sector[,country][,w_<factor>...]")],
    model: Annotated[Model, typer.Option(help="Portfolio model.")] = Model.creditriskplus,
    method: Annotated[Method, typer.Option(help="How to compute the distribution.")] = Method.analytic,
    sector_variances: Annotated[
        Path | None, typer.Option(help='JSON {"sector_variances": [v0, v1, ...]} by sector index; default 0.')
    ] = None,
    unit: Annotated[
        float | None, typer.Option(help="Loss unit in currency; default the largest loss ÷ 100, rounded up.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Compute expected loss, standard deviation, VaR and ES (99%, 99.5%, 99.9%) of a book."""
    try:
        book = load_portfolio_csv(portfolio)
        variances = _sector_variances(sector_variances, book.factor_count)
        loss_unit = default_unit(book) if unit is None else unit
        banding = discretise(book, loss_unit)
        result = credit_risk_plus(book, np.asarray(variances), banding)
        measures = risk_measures(result.distribution, STANDARD_LEVELS)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(code=2) from exc
    if as_json:
        typer.echo(json.dumps(_as_json(measures, model.value, method.value)))
    else:
        Console().print(_table(measures, model.value, method.value))
