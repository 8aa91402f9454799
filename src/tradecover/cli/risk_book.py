"""`tradecover risk run --scope ...`: a risk run of the platform's own book, stored like the API's runs."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import typer
from rich.table import Table

from tradecover.cli.database import command_transaction, open_engine
from tradecover.cli.errors import fail
from tradecover.cli.output import print_table
from tradecover.errors import DomainError
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind
from tradecover.parties.service import actor_by_email, list_organisations
from tradecover.riskruns.book import ExposureBasis, Scope
from tradecover.riskruns.engine import ModelParameters
from tradecover.riskruns.model import Dimension, RiskMethod, RiskRun, ScopeKind
from tradecover.riskruns.service import RunRequest, start_risk_run

SCOPE_HELP = 'Run the platform book: insurer:"NAME", pool:"NAME" or market (instead of --portfolio).'
KINDS = {"insurer": OrganisationKind.INSURER, "pool": OrganisationKind.POOL}


def _scope(session: Any, raw: str) -> Scope:
    text = raw.strip()
    if text == "market":
        return Scope(ScopeKind.MARKET)
    kind, _, name = text.partition(":")
    name = name.strip().strip('"').strip()
    if kind not in KINDS or not name:
        raise ValueError(f'--scope must be insurer:"NAME", pool:"NAME" or market, not {raw!r}')
    found = [
        o
        for o in list_organisations(session, Actor.system())
        if o.kind is KINDS[kind] and o.name.casefold() == name.casefold()
    ]
    if not found:
        raise ValueError(f"no {kind} named {name!r}")
    return Scope(ScopeKind(kind), found[0].id)


def _method(raw: str | None) -> RiskMethod:
    try:
        return RiskMethod(raw or RiskMethod.CREDITRISKPLUS.value)
    except ValueError:
        raise ValueError("--method with --scope is creditriskplus or montecarlo") from None


def _date(raw: str | None) -> dt.date | None:
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(f"--as-of must be a date YYYY-MM-DD, not {raw!r}") from None


def _show(run: RiskRun, minor: int) -> str:
    return f"{Money.from_minor(minor, run.currency).amount:,.2f}"


def _measure_table(run: RiskRun) -> Table:
    scenarios = sorted({m.scenario for m in run.measures} - {""})
    exposure = f"exposure {_show(run, run.exposure_minor)} {run.currency}"
    table = Table(
        title=f"{run.reference}: {run.scope_label} on {run.as_of.isoformat()} "
        f"({run.method.value}; {run.obligors:,} buyers, {exposure})"
    )
    table.add_column("measure")
    table.add_column("base", justify="right")
    monte_carlo = run.method is RiskMethod.MONTECARLO
    if monte_carlo:
        table.add_column("std. error", justify="right")
    for name in scenarios:
        table.add_column(name, justify="right")
        table.add_column("change", justify="right")
    by_key = {(m.scenario, m.measure, m.level): m for m in run.measures}
    for m in (x for x in run.measures if x.scenario == ""):
        label = m.measure.replace("_", " ") + (f" {float(m.level):.1%}" if m.level else "")
        cells = [label, _show(run, m.amount_minor)]
        if monte_carlo:
            cells.append(_show(run, m.standard_error_minor or 0))
        for name in scenarios:
            other = by_key[name, m.measure, m.level].amount_minor
            cells += [
                _show(run, other),
                f"{'+' if other >= m.amount_minor else ''}{_show(run, other - m.amount_minor)}",
            ]
        table.add_row(*cells)
    table.caption = f"amounts in {run.currency}; run id {run.id}"
    return table


def _country_table(run: RiskRun) -> Table:
    table = Table(title="Contribution to ES 99.5% by country")
    for column in ("country", "exposure", "contribution"):
        table.add_column(column, justify="left" if column == "country" else "right")
    for c in run.contributions:
        if c.scenario == "" and c.dimension is Dimension.COUNTRY:
            table.add_row(c.label, _show(run, c.exposure_minor), _show(run, c.amount_minor))
    return table


def _as_json(run: RiskRun) -> dict[str, Any]:
    def amount(minor: int) -> str:
        return format(Money.from_minor(minor, run.currency).amount, "f")

    return {
        "run_id": str(run.id),
        "scope": run.scope.value,
        "scope_label": run.scope_label,
        "method": run.method.value,
        "as_of": run.as_of.isoformat(),
        "currency": run.currency,
        "obligors": run.obligors,
        "exposure": amount(run.exposure_minor),
        "measures": [
            {"scenario": m.scenario or None, "measure": m.measure, "level": m.level or None,
             "amount": amount(m.amount_minor),
             "standard_error": None if m.standard_error_minor is None else amount(m.standard_error_minor)}
            for m in run.measures
        ],
    }  # fmt: skip


def refuse_csv_options(*values: object) -> None:
    """Refuse a CSV book's option with --scope: the platform book's runs carry their own model settings."""
    options = ("--portfolio", "--model", "--sector-variances", "--correlations", "--unit", "--scheduler")
    for option, value in zip(options, values, strict=True):
        if value is not None:
            fail(f"{option} is for a CSV book, not for --scope")


def _basis(raw: str | None) -> ExposureBasis:
    try:
        return ExposureBasis(raw or ExposureBasis.LIMITS.value)
    except ValueError:
        raise ValueError(f"--exposure must be limits or outstanding, not {raw!r}") from None


def run_platform_book(
    scope: str,
    method: str | None,
    scenario: str | None,
    as_of: str | None,
    simulations: int | None,
    seed: int | None,
    as_json: bool,
    exposure: str | None = None,
    as_user: str | None = None,
) -> None:
    """Run and store a risk run of the platform's book (as the operator, or a user), print its measures."""
    try:
        chosen = _method(method)
        if chosen is RiskMethod.CREDITRISKPLUS and (simulations is not None or seed is not None):
            raise ValueError("--simulations and --seed are for --method montecarlo")
        defaults = ModelParameters()
        parameters = ModelParameters(
            simulations=defaults.simulations if simulations is None else simulations,
            seed=defaults.seed if seed is None else seed,
        )
        day = _date(as_of)
        with open_engine() as engine, command_transaction(engine) as session:
            request = RunRequest(_scope(session, scope), chosen, scenario, day, _basis(exposure))
            run = start_risk_run(session, actor_by_email(session, as_user), request, parameters)
    except (ValueError, DomainError) as error:
        fail(str(error))
    if as_json:
        typer.echo(json.dumps(_as_json(run)))
        return
    if not run.measures:
        typer.echo(f"{run.reference}: no limits in force in {run.scope_label} on {run.as_of.isoformat()}")
        return
    print_table(_measure_table(run))
    print_table(_country_table(run))
