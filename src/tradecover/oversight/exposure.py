"""Exposure metrics: live insured exposure by buyer country, and the latest risk run's stress results.

Live insured exposure at a day's end = insured amount of the shipments dated up to then, less the insured
amount their buyers' payments released up to then (as `declarations.cover` counts a buyer's exposure),
leaving out shipments that lost cover by then and shipments on a claim paid by then (the exposure became
a loss). Shipments settled by then release their whole insured amount, so they are skipped in the sums.

The stress results come from the latest completed risk run the scope may see: market-scope runs for the
regulator, the insurer's own runs for an insurer, none for others. Each scenario's expected loss, VaR and
ES at 99.5% are shown with the USA's contribution to that ES (country contributions, key "US").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, literal_column, or_, select, true
from sqlalchemy.orm import Session

from tradecover.buyers.model import Buyer
from tradecover.claims.model import Claim, ClaimInvoice
from tradecover.declarations.model import PaymentApplication, Shipment
from tradecover.errors import ValidationError
from tradecover.oversight.claims import ZERO, ratio
from tradecover.oversight.conversion import to_reporting
from tradecover.oversight.model import MonthlyCarrierExposureChange, MonthlyExposureChange
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


# Unsettled shipments read as settled on this day, so that one index expression finds the open ones.
NEVER: ColumnElement[str] = literal_column("'9999-12-31'")


def open_after(day: dt.date) -> ColumnElement[bool]:
    """Shipments not settled by the end of a day (an index on the same expression serves it)."""
    return func.coalesce(Shipment.settled_on, NEVER) > day


def _live(day: dt.date) -> tuple[ColumnElement[bool], ...]:
    paid_claim = exists().where(
        ClaimInvoice.shipment_id == Shipment.id,
        Claim.id == ClaimInvoice.claim_id,
        Claim.paid_on.is_not(None),
        Claim.paid_on <= day,
    )
    return (
        Shipment.shipment_date <= day,
        open_after(day),
        or_(Shipment.cover_lost_on.is_(None), Shipment.cover_lost_on > day),
        ~paid_claim,
    )


def exposure_by_country(
    session: Session, scope: Scope, day: dt.date, currency: str
) -> tuple[CountryExposure, ...]:
    """Live insured exposure at the end of a day per buyer country, largest first, with its share.

    At a month's last day the monthly totals of exposure changes hold it; any other day reads the shipments.
    """
    parts = _monthly_parts(session, scope, day) if day == month_end(day) else _live_parts(session, scope, day)
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


def _monthly_parts(session: Session, scope: Scope, day: dt.date) -> dict[str, list[tuple[str, int]]]:
    """Exposure per (country, currency): the changes of every month up to the day's, summed."""
    refresh_totals(session)
    if scope.audience in (Audience.REGULATOR, Audience.INSURER):
        table: Any = MonthlyCarrierExposureChange
        kept = true() if scope.insurer_ids is None else table.insurer_id.in_(scope.insurer_ids)
    else:
        table = MonthlyExposureChange
        kept = scope.restrict(table.policy_id)
    rows = session.execute(
        select(table.buyer_country, table.currency, func.sum(table.change_minor))
        .where(table.month <= day, kept)
        .group_by(table.buyer_country, table.currency)
        .execution_options(**EXEMPT)
    ).all()
    parts: dict[str, list[tuple[str, int]]] = {}
    for country, code, amount in rows:
        parts.setdefault(country, []).append((code, int(amount or 0)))
    return parts


def _live_parts(session: Session, scope: Scope, day: dt.date) -> dict[str, list[tuple[str, int]]]:
    """Exposure per (country, currency) summed over the shipments live at the day's end."""
    live = (*_live(day), scope.restrict(Shipment.policy_id))
    insured = session.execute(
        select(Buyer.country, Shipment.currency, func.sum(Shipment.insured_minor))
        .join(Buyer, Buyer.id == Shipment.buyer_id)
        .where(*live, Shipment.insured_minor > 0)
        .group_by(Buyer.country, Shipment.currency)
        .execution_options(**EXEMPT)
    ).all()
    released = session.execute(
        select(Buyer.country, Shipment.currency, func.sum(PaymentApplication.insured_released_minor))
        .select_from(PaymentApplication)
        .join(Shipment, Shipment.id == PaymentApplication.shipment_id)
        .join(Buyer, Buyer.id == Shipment.buyer_id)
        .where(*live, Shipment.insured_minor > 0, PaymentApplication.received_on <= day)
        .group_by(Buyer.country, Shipment.currency)
        .execution_options(**EXEMPT)
    ).all()
    parts: dict[str, list[tuple[str, int]]] = {}
    for country, code, amount in insured:
        parts.setdefault(country, []).append((code, int(amount or 0)))
    for country, code, amount in released:
        parts.setdefault(country, []).append((code, -int(amount or 0)))
    return parts


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
