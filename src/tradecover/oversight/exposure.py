"""Exposure metrics: live insured exposure by buyer country, and the latest risk run's stress results.

Live insured exposure at a day's end = insured amount of the shipments dated up to then, less the insured
amount their buyers' payments released up to then (as `declarations.cover` counts a buyer's exposure),
leaving out shipments that lost cover by then and shipments on a claim paid by then (the exposure became
a loss). Shipments settled by then release their whole insured amount. The views read it from the
monthly and daily totals of its changes (`exposure_changes.py`), which the tests hold to the live shipments.

The stress results come from the latest completed risk run the scope may see: market-scope runs for the
regulator, the insurer's own runs for an insurer, none for others. Each scenario's expected loss, VaR and
ES at 99.5% are shown with the USA's contribution to that ES (country contributions, key "US").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true, union_all
from sqlalchemy.orm import Session

from tradecover.errors import ValidationError
from tradecover.oversight.claims import ZERO, ratio
from tradecover.oversight.conversion import to_reporting
from tradecover.oversight.model import (
    DailyCarrierExposureChange,
    DailyExposureChange,
    MonthlyCarrierExposureChange,
    MonthlyExposureChange,
)
from tradecover.oversight.period import month_end, month_start
from tradecover.oversight.scope import EXEMPT, Audience, Scope
from tradecover.oversight.totals_refresh import refresh_totals
from tradecover.reference.countries import country_name
from tradecover.riskruns.model import Dimension, RiskContribution, RiskMeasure, RiskRun, RunStatus, ScopeKind

FOCUS_COUNTRY = "US"
LEVEL = "0.995"
BASE_LABEL = "Base"


@dataclass(frozen=True, slots=True)
class CountryExposure:
    """Live insured exposure on the buyers of one country."""

    country: str
    name: str
    exposure: Decimal
    share: Decimal | None


@dataclass(frozen=True, slots=True)
class StressResult:
    """One scenario of a risk run (the base book first), in the reporting currency."""

    scenario: str
    expected_loss: Decimal | None
    var: Decimal | None
    es: Decimal | None
    focus_contribution: Decimal | None  # the focus country's part of the ES
    focus_share: Decimal | None


@dataclass(frozen=True, slots=True)
class StressRun:
    """The run the stress results come from."""

    reference: str
    label: str
    as_of: dt.date
    method: str
    results: tuple[StressResult, ...]


def exposure_by_country(
    session: Session, scope: Scope, day: dt.date, currency: str
) -> tuple[CountryExposure, ...]:
    """Live insured exposure at the end of a day per buyer country, largest first, with its share.

    It is the sum of the exposure changes of the months before the day's, from the monthly totals, and
    of the days of its month up to it, from the daily totals (none when it is the month's last day).
    """
    parts = exposure_parts(session, scope, day)
    on = month_start(day)
    amounts = {country: to_reporting(values, currency, on) for country, values in parts.items()}
    total = sum(amounts.values(), ZERO)
    found = [
        CountryExposure(country, _name(country), amount, ratio(amount, total))
        for country, amount in amounts.items()
        if amount
    ]
    found.sort(key=lambda c: (-c.exposure, c.country))
    return tuple(found)


def exposure_parts(session: Session, scope: Scope, day: dt.date) -> dict[str, list[tuple[str, int]]]:
    """Exposure at the day's end per (country, currency): every change up to it, from the totals."""
    refresh_totals(session)
    market = scope.audience in (Audience.REGULATOR, Audience.INSURER)
    monthly: Any = MonthlyCarrierExposureChange if market else MonthlyExposureChange
    daily: Any = DailyCarrierExposureChange if market else DailyExposureChange
    first = month_start(day)
    whole = day == month_end(day)
    parts = [_changes(scope, monthly, monthly.month <= (day if whole else first - dt.timedelta(days=1)))]
    if not whole:
        parts.append(_changes(scope, daily, daily.day.between(first, day)))
    rows = union_all(*parts).subquery("changes") if len(parts) > 1 else parts[0].subquery("changes")
    country, code, amount = rows.c
    summed = session.execute(
        select(country, code, func.sum(amount)).group_by(country, code).execution_options(**EXEMPT)
    ).all()
    found: dict[str, list[tuple[str, int]]] = {}
    for country_code, currency, total in summed:
        found.setdefault(country_code, []).append((currency, int(total or 0)))
    return found


def _changes(scope: Scope, table: Any, when: ColumnElement[bool]) -> Select[Any]:
    """The table's (country, currency, change) rows in scope that `when` keeps."""
    if hasattr(table, "insurer_id"):
        kept = true() if scope.insurer_ids is None else table.insurer_id.in_(scope.insurer_ids)
    else:
        kept = scope.restrict(table.policy_id)
    return select(table.buyer_country, table.currency, table.change_minor).where(when, kept)


def _name(code: str) -> str:
    try:
        return country_name(code)
    except ValidationError:  # a code the reference lacks still shows as itself
        return code


def latest_run(session: Session, scope: Scope) -> RiskRun | None:
    """The latest completed risk run the scope may see (None: none yet, or none for this audience)."""
    match scope.audience:
        case Audience.REGULATOR:
            which: ColumnElement[bool] = RiskRun.scope == ScopeKind.MARKET
        case Audience.INSURER:
            which = RiskRun.organisation_id == scope.organisation_id
        case _:
            return None
    return session.scalars(
        select(RiskRun)
        .where(which, RiskRun.status == RunStatus.SUCCEEDED)
        .order_by(RiskRun.as_of.desc(), RiskRun.created_at.desc())
        .limit(1)
        .execution_options(**EXEMPT)
    ).first()


def stress_results(session: Session, scope: Scope, currency: str) -> StressRun | None:
    """Expected loss, VaR and ES at 99.5% per scenario of the latest run, with the focus country's part."""
    run = latest_run(session, scope)
    if run is None:
        return None
    measures = session.execute(
        select(RiskMeasure.scenario, RiskMeasure.measure, RiskMeasure.amount_minor)
        .where(
            RiskMeasure.run_id == run.id,
            or_(
                RiskMeasure.measure == "expected_loss",
                and_(RiskMeasure.measure.in_(("var", "es")), RiskMeasure.level == LEVEL),
            ),
        )
        .execution_options(**EXEMPT)
    ).all()
    focus = dict(
        session.execute(
            select(RiskContribution.scenario, RiskContribution.amount_minor)
            .where(
                RiskContribution.run_id == run.id,
                RiskContribution.dimension == Dimension.COUNTRY,
                RiskContribution.key == FOCUS_COUNTRY,
            )
            .execution_options(**EXEMPT)
        ).all()
    )
    on = month_start(run.as_of)
    values: dict[str, dict[str, Decimal]] = {}
    for scenario, measure, amount in measures:
        values.setdefault(scenario, {})[measure] = to_reporting([(run.currency, int(amount))], currency, on)
    results = []
    for scenario in sorted(values, key=lambda s: (s != "", s)):
        got = values[scenario]
        part = focus.get(scenario)
        contribution = None if part is None else to_reporting([(run.currency, int(part))], currency, on)
        es = got.get("es")
        results.append(
            StressResult(
                scenario=scenario or BASE_LABEL,
                expected_loss=got.get("expected_loss"),
                var=got.get("var"),
                es=es,
                focus_contribution=contribution,
                focus_share=None if contribution is None or es is None else ratio(contribution, es),
            )
        )
    return StressRun(run.reference, run.scope_label, run.as_of, run.method.value, tuple(results))
