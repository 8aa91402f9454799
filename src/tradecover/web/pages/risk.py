"""The Risk pages: start a run of the book, list runs, and one run's measures, chart and contributions."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, BackgroundTasks
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tradecover.coinsurance.service import list_pools
from tradecover.errors import DomainError, ValidationError
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import Role
from tradecover.risk.scenarios import available_scenarios
from tradecover.riskruns.book import ExposureBasis, Scope
from tradecover.riskruns.jobs import measure_queued_run
from tradecover.riskruns.model import Dimension, RiskMethod, RiskRun, ScopeKind
from tradecover.riskruns.service import (
    ALL_SCENARIOS,
    INSURER_STAFF,
    RUNNERS,
    RunRequest,
    get_risk_run,
    list_risk_runs,
    queue_risk_run,
    visible_contributions,
)
from tradecover.web.dependencies import Page, PostedForm, SignedIn, text
from tradecover.web.forms import field_errors, refused
from tradecover.web.rendering import flash, render
from tradecover.web.workspaces import RISK_PATH

router = APIRouter()

MEASURE_LABELS = {"expected_loss": "Expected loss", "std": "Standard deviation", "var": "VaR", "es": "ES"}
METHOD_LABELS = {
    RiskMethod.CREDITRISKPLUS: "CreditRisk+ (analytic, sector factors)",
    RiskMethod.MONTECARLO: "Monte Carlo (Gaussian copula, country and sector factors)",
}
# The chart: bars of probability on a log scale from 10⁻⁸ to 1.
CHART_WIDTH, CHART_HEIGHT, CHART_FLOOR = 640, 200, -8


def _scope_choices(page: Page) -> list[tuple[str, str]]:
    actor = page.actor
    choices: list[tuple[str, str]] = []
    if actor.has(*INSURER_STAFF):
        choices.append(("insurer", "Our book (our limits and our pool shares)"))
        choices.extend(
            (f"pool:{pool.id}", f"Our share of {pool.name}") for pool in list_pools(page.session, actor)
        )
    if actor.has(Role.REGULATOR, Role.PLATFORM_ADMIN):
        choices.append(("market", "The whole market (aggregates only)"))
    return choices


def _context(page: Page) -> dict[str, Any]:
    scenarios = available_scenarios()
    return {
        "runs": list_risk_runs(page.session, limit=100),
        "scopes": _scope_choices(page),
        "methods": [(m.value, label) for m, label in METHOD_LABELS.items()],
        "exposures": [
            (ExposureBasis.LIMITS.value, "Limits in force"),
            (ExposureBasis.OUTSTANDING.value, "Insured outstanding (declared shipments less payments)"),
        ],
        "scenarios": [("", "None: the base book only"), (ALL_SCENARIOS, "All shipped scenarios")]
        + [(name, name) for name in scenarios],
    }


def _require(actor: Actor) -> None:
    actor.require(*RUNNERS)


@router.get(RISK_PATH, response_class=HTMLResponse)
def risk(page: SignedIn) -> HTMLResponse:
    """The organisation's risk runs and the form to start one."""
    _require(page.actor)
    return render(page.request, "risk.html", _context(page))


def _scope(raw: str) -> Scope:
    if raw == "insurer":
        return Scope(ScopeKind.INSURER)
    if raw == "market":
        return Scope(ScopeKind.MARKET)
    if raw.startswith("pool:"):
        try:
            return Scope(ScopeKind.POOL, uuid.UUID(raw.removeprefix("pool:")))
        except ValueError:
            pass
    raise ValidationError("choose whose book to run", field="scope")


def _request(form: Any) -> RunRequest:
    try:
        method = RiskMethod(text(form, "method").strip() or RiskMethod.CREDITRISKPLUS.value)
    except ValueError:
        raise ValidationError("choose a method", field="method") from None
    raw_date = text(form, "as_of").strip()
    try:
        as_of = dt.date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        raise ValidationError("enter a date as YYYY-MM-DD", field="as_of") from None
    scenario = text(form, "scenario").strip() or None
    try:
        basis = ExposureBasis(text(form, "exposure").strip() or ExposureBasis.LIMITS.value)
    except ValueError:
        raise ValidationError("choose limits or insured outstanding", field="exposure") from None
    return RunRequest(_scope(text(form, "scope").strip()), method, scenario, as_of, basis)


@router.post(RISK_PATH, response_class=HTMLResponse)
def start_run(page: SignedIn, form: PostedForm, jobs: BackgroundTasks) -> Response:
    """Record the run and measure it in the background; its page shows the progress, then the results."""
    try:
        _require(page.actor)
        run = queue_risk_run(page.session, page.actor, _request(form))
    except DomainError as error:
        return refused(page, "risk.html", lambda: _context(page), field_errors(error), form)
    # Background tasks run after the answer, so after this request's transaction has committed.
    jobs.add_task(measure_queued_run, page.request.app.state.sessions, run.id)
    flash(page.request, f"Risk run {run.reference} of {run.scope_label} started")
    return RedirectResponse(f"{RISK_PATH}/{run.id}", status_code=303)


@dataclass(frozen=True)
class MeasureRow:
    """One row of the measures table: base and each scenario side by side."""

    label: str
    base: Money
    error: Money | None
    stressed: list[tuple[Money, Money]]


def _money(run: RiskRun, minor: int) -> Money:
    return Money.from_minor(minor, run.currency)


def _measure_rows(run: RiskRun, scenarios: list[str]) -> list[MeasureRow]:
    table = {(m.scenario, m.measure, m.level): m for m in run.measures}
    rows = []
    for m in (x for x in run.measures if x.scenario == ""):
        label = MEASURE_LABELS[m.measure] + (f" {float(m.level):.1%}" if m.level else "")
        stressed = []
        for name in scenarios:
            other = table[name, m.measure, m.level]
            stressed.append(
                (_money(run, other.amount_minor), _money(run, other.amount_minor - m.amount_minor))
            )
        error = None if m.standard_error_minor is None else _money(run, m.standard_error_minor)
        rows.append(MeasureRow(label, _money(run, m.amount_minor), error, stressed))
    return rows


def _contribution_tables(run: RiskRun, actor: Actor, scenarios: list[str]) -> list[dict[str, Any]]:
    rows = visible_contributions(run, actor)
    tables = []
    for dimension in (
        Dimension.COUNTRY, Dimension.SECTOR, Dimension.INSURER, Dimension.POLICYHOLDER, Dimension.BUYER,
    ):  # fmt: skip
        base = [c for c in rows if c.scenario == "" and c.dimension is dimension]
        if not base:
            continue
        by_key = {(c.scenario, c.key): c for c in rows if c.dimension is dimension}
        lines = []
        for c in base:
            stressed = [by_key.get((name, c.key)) for name in scenarios]
            lines.append(
                {
                    "label": c.label,
                    "exposure": _money(run, c.exposure_minor),
                    "amount": _money(run, c.amount_minor),
                    "stressed": [
                        None if s is None else _money(run, s.amount_minor - c.amount_minor) for s in stressed
                    ],
                }
            )
        tables.append({"dimension": dimension.value, "rows": lines, "with_scenarios": dimension in (
            Dimension.COUNTRY, Dimension.SECTOR)})  # fmt: skip
    return tables


def _chart(run: RiskRun) -> dict[str, Any] | None:
    """Bars of the base loss distribution (log probability) with VaR and ES at 99.5% marked, as SVG shapes."""
    points = [(int(x), float(p)) for x, p in run.chart_json]
    if len(points) < 2:
        return None
    width = points[1][0] - points[0][0]
    top = points[-1][0] + width
    if top <= 0:
        return None
    step = CHART_WIDTH / len(points)

    def height(p: float) -> float:
        if p <= 0:
            return 0.0
        return CHART_HEIGHT * max(0.0, math.log10(p) - CHART_FLOOR) / -CHART_FLOOR

    bars = [
        {"x": round(i * step, 2), "y": round(CHART_HEIGHT - height(p), 2), "w": round(step * 0.9, 2),
         "h": round(height(p), 2), "title": f"{p:.3g}"}
        for i, (_, p) in enumerate(points)
    ]  # fmt: skip
    marks = []
    for m in run.measures:
        if m.scenario == "" and m.level == "0.995" and m.measure in ("var", "es"):
            x = min(m.amount_minor / top, 1.0) * CHART_WIDTH
            marks.append({"x": round(x, 2), "label": f"{MEASURE_LABELS[m.measure]} 99.5%"})
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "bars": bars,
        "marks": marks,
        "top": _money(run, top),
    }


COMPARED = (("expected_loss", ""), ("var", "0.995"), ("es", "0.995"), ("es", "0.999"))
COMPARISON_COLOURS = ("#5b7db1", "#c0392b", "#d98c1f", "#6a9f4b", "#8e5ea2", "#4a4a4a")


def _comparison_chart(run: RiskRun, scenarios: list[str]) -> dict[str, Any] | None:
    """Grouped bars: EL, VaR 99.5%, ES 99.5% and ES 99.9% of the base and of each scenario."""
    if not scenarios:
        return None
    table = {(m.scenario, m.measure, m.level): m.amount_minor for m in run.measures}
    series = ["", *scenarios]
    top = max((table.get((name, m, lv), 0) for name in series for m, lv in COMPARED), default=0)
    if top <= 0:
        return None
    group = CHART_WIDTH / len(COMPARED)
    bar = group * 0.8 / len(series)
    bars = []
    for g, (measure, level) in enumerate(COMPARED):
        for k, name in enumerate(series):
            amount = table.get((name, measure, level), 0)
            height = CHART_HEIGHT * amount / top
            bars.append(
                {"x": round(g * group + group * 0.1 + k * bar, 2), "y": round(CHART_HEIGHT - height, 2),
                 "w": round(bar * 0.9, 2), "h": round(height, 2), "colour": COMPARISON_COLOURS[k % 6],
                 "title": f"{name or 'base'}: {_money(run, amount)}"}
            )  # fmt: skip
    labels = [
        {
            "x": round(g * group + group / 2, 2),
            "text": MEASURE_LABELS[m] + (f" {float(lv):.1%}" if lv else ""),
        }
        for g, (m, lv) in enumerate(COMPARED)
    ]
    legend = [{"name": name or "base", "colour": COMPARISON_COLOURS[k % 6]} for k, name in enumerate(series)]
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "bars": bars, "labels": labels, "legend": legend}


@router.get(RISK_PATH + "/{run_id}", response_class=HTMLResponse)
def run_page(run_id: uuid.UUID, page: SignedIn) -> HTMLResponse:
    """One run: measures (base and scenarios side by side), the loss distribution, contributions."""
    run = get_risk_run(page.session, run_id)
    scenarios = sorted({m.scenario for m in run.measures} - {""})
    context = {
        "run": run,
        "method": METHOD_LABELS[run.method],
        "scenarios": scenarios,
        "measures": _measure_rows(run, scenarios),
        "tables": _contribution_tables(run, page.actor, scenarios),
        "chart": _chart(run),
        "comparison": _comparison_chart(run, scenarios),
    }
    return render(page.request, "risk_run.html", context)
