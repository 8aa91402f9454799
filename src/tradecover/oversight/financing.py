"""Financing metrics: facilities against assigned policies, drawn and outstanding, borrowing base, alerts.

Outstanding at the period's end = drawings − repayments with a value date up to then − indemnity paid to
the bank under claims on the facility's policy by then (claims pay the bank first). The borrowing base
(the rules of `financing.rules.borrowing_base`, summed per buyer in SQL rather than invoice by invoice)
and what is still available (`financing.rules.available`) are shown for a bank's own facilities only
(the regulator sees per-bank aggregates, never a firm). Alerts are those addressed to the banks in
scope about financed buyers: grade cuts, limit cuts, reported overdues.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, false, func, or_, select, true
from sqlalchemy.orm import Session

from tradecover.alerts.model import Alert
from tradecover.claims.model import Claim, ClaimInvoice, ClaimMemberShare
from tradecover.claims.overdue_model import LIVE_STATUSES, Overdue
from tradecover.clock import get_clock
from tradecover.declarations.model import PaymentApplication, Shipment
from tradecover.declarations.rules import CoverSource
from tradecover.financing.model import Facility, FacilityMovement, MovementKind
from tradecover.financing.rules import available
from tradecover.limits.history import in_force_on
from tradecover.limits.model import CreditLimit
from tradecover.money import Money
from tradecover.oversight.claims import ZERO, month_of, monthly, organisation_names, within
from tradecover.oversight.conversion import to_reporting
from tradecover.oversight.period import Period, month_start
from tradecover.oversight.scope import EXEMPT, Audience, Scope

FINANCED_ALERTS = {
    "financed_buyer_downgraded": "Financed buyer downgraded",
    "financed_limit_cut": "Limit on a financed buyer cut",
    "overdue_reported": "Overdue reported on an assigned policy",
}


@dataclass(frozen=True, slots=True)
class FacilityLine:
    """One facility (a bank's view) or one bank's facilities together (the regulator's view)."""

    label: str
    facilities: int
    policies_assigned: int  # policies assigned at the period's end
    limit: Decimal
    drawn: Decimal  # in the period
    repaid: Decimal  # in the period, by the borrower
    outstanding: Decimal  # at the period's end
    borrowing_base: Decimal | None  # a bank's own facilities only
    available: Decimal | None


@dataclass(frozen=True, slots=True)
class FinancingMonth:
    """Drawn and repaid in one month."""

    month: dt.date
    drawn: Decimal
    repaid: Decimal


@dataclass(frozen=True, slots=True)
class FinancingReport:
    """Everything the financing section shows."""

    lines: tuple[FacilityLine, ...]
    months: tuple[FinancingMonth, ...]
    alerts: tuple[tuple[str, int], ...]  # (what, how many) in the period

    @property
    def outstanding(self) -> Decimal:
        """Outstanding at the period's end over every line."""
        return sum((line.outstanding for line in self.lines), ZERO)

    @property
    def drawn(self) -> Decimal:
        """Drawn in the period over every line."""
        return sum((line.drawn for line in self.lines), ZERO)


def facilities_in(scope: Scope) -> ColumnElement[bool]:
    """The facilities a scope covers: a bank's own, every one for the regulator, else by policy."""
    match scope.audience:
        case Audience.BANK:
            return Facility.bank_id == scope.organisation_id
        case Audience.REGULATOR:
            return true()
        case _:
            return scope.restrict(Facility.policy_id)


@dataclass(frozen=True, slots=True)
class _Facility:
    id: uuid.UUID
    bank_id: uuid.UUID
    policyholder_id: uuid.UUID
    policy_id: uuid.UUID
    currency: str
    limit_minor: int
    assigned_on: dt.date | None
    released_on: dt.date | None


def _facilities(session: Session, scope: Scope, period: Period) -> list[_Facility]:
    rows = session.execute(
        select(
            Facility.id,
            Facility.bank_id,
            Facility.policyholder_id,
            Facility.policy_id,
            Facility.currency,
            Facility.limit_minor,
            Facility.assigned_on,
            Facility.released_on,
        )
        .where(
            facilities_in(scope),
            Facility.starts_on <= period.end,
            or_(Facility.closed_on.is_(None), Facility.closed_on >= period.start),
        )
        .order_by(Facility.starts_on, Facility.id)
        .execution_options(**EXEMPT)
    ).all()
    return [_Facility(*row) for row in rows]


def _outstanding(
    session: Session, scope: Scope, day: dt.date, facilities: list[_Facility]
) -> dict[uuid.UUID, int]:
    """Minor units outstanding per facility at the end of a day."""
    rows = session.execute(
        select(FacilityMovement.facility_id, FacilityMovement.kind, func.sum(FacilityMovement.amount_minor))
        .join(Facility, Facility.id == FacilityMovement.facility_id)
        .where(facilities_in(scope), FacilityMovement.value_date <= day)
        .group_by(FacilityMovement.facility_id, FacilityMovement.kind)
        .execution_options(**EXEMPT)
    ).all()
    found: dict[uuid.UUID, int] = defaultdict(int)
    for facility_id, kind, amount in rows:
        found[facility_id] += int(amount or 0) * (1 if kind == MovementKind.DRAWING else -1)
    by_policy = {f.policy_id: f.id for f in facilities}
    if by_policy:
        proceeds = session.execute(
            select(Claim.policy_id, func.sum(ClaimMemberShare.to_bank_minor))
            .join(Claim, Claim.id == ClaimMemberShare.claim_id)
            .where(
                Claim.policy_id.in_(by_policy),
                ClaimMemberShare.paid_on <= day,
                ClaimMemberShare.to_bank_minor > 0,
            )
            .group_by(Claim.policy_id)
            .execution_options(**EXEMPT)
        ).all()
        for policy_id, amount in proceeds:
            found[by_policy[policy_id]] -= int(amount or 0)
    return {key: max(value, 0) for key, value in found.items()}


def _movements(session: Session, scope: Scope, period: Period, currency: str) -> dict[Any, Decimal]:
    """Drawn and repaid in the period per (month, (facility, kind)), in the reporting currency."""
    month = month_of(session, FacilityMovement.value_date)
    rows = session.execute(
        select(
            month,
            FacilityMovement.currency,
            FacilityMovement.facility_id,
            FacilityMovement.kind,
            func.sum(FacilityMovement.amount_minor),
        )
        .join(Facility, Facility.id == FacilityMovement.facility_id)
        .where(facilities_in(scope), within(FacilityMovement.value_date, period))
        .group_by(month, FacilityMovement.currency, FacilityMovement.facility_id, FacilityMovement.kind)
        .execution_options(**EXEMPT)
    ).all()
    return monthly(
        ((m, code, (fid, MovementKind(kind)), amount) for m, code, fid, kind, amount in rows), currency
    )


def financing_alerts(session: Session, scope: Scope, period: Period) -> tuple[tuple[str, int], ...]:
    """Alerts about financed buyers addressed to the banks in scope in the period, by what they say."""
    match scope.audience:
        case Audience.BANK:
            banks: ColumnElement[bool] = Alert.organisation_id == scope.organisation_id
        case Audience.REGULATOR:
            banks = Alert.organisation_id.in_(select(Facility.bank_id))
        case _:
            banks = false()
    start = dt.datetime.combine(period.start, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    rows = session.execute(
        select(Alert.kind, func.count(Alert.id))
        .where(banks, Alert.kind.in_(FINANCED_ALERTS), Alert.created_at >= start, Alert.created_at < end)
        .group_by(Alert.kind)
        .execution_options(**EXEMPT)
    ).all()
    found = dict(rows)
    return tuple((label, int(found.get(kind, 0))) for kind, label in FINANCED_ALERTS.items())


def _assigned(facility: _Facility, day: dt.date) -> bool:
    return (
        facility.assigned_on is not None
        and facility.assigned_on <= day
        and (facility.released_on is None or facility.released_on > day)
    )


def financing_report(session: Session, scope: Scope, period: Period, currency: str) -> FinancingReport:
    """Facilities, drawn, repaid and outstanding, borrowing base and alerts for the period."""
    facilities = _facilities(session, scope, period)
    outstanding = _outstanding(session, scope, period.end, facilities)
    moved = _movements(session, scope, period, currency)
    on = month_start(period.end)
    per_facility: dict[uuid.UUID, dict[MovementKind, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    per_month: dict[dt.date, dict[MovementKind, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for (month, (fid, kind)), amount in moved.items():
        per_facility[fid][kind] += amount
        per_month[month][kind] += amount
    own = scope.audience is Audience.BANK
    bases = _bases(session, facilities, min(period.end, get_clock().today()), outstanding) if own else {}
    groups: dict[Any, list[_Facility]] = defaultdict(list)
    for facility in facilities:
        groups[facility.id if own else facility.bank_id].append(facility)
    names = organisation_names(session, {f.policyholder_id if own else f.bank_id for f in facilities})
    lines = []
    for key, members in groups.items():
        first = members[0]
        label = (
            f"{names.get(first.policyholder_id, '?')} — FAC-{first.id.hex[:8].upper()}"
            if own
            else names.get(first.bank_id, "?")
        )
        base = bases.get(key)
        lines.append(
            FacilityLine(
                label=label,
                facilities=len(members),
                policies_assigned=len({f.policy_id for f in members if _assigned(f, period.end)}),
                limit=to_reporting([(f.currency, f.limit_minor) for f in members], currency, on),
                drawn=sum((per_facility[f.id][MovementKind.DRAWING] for f in members), ZERO),
                repaid=sum((per_facility[f.id][MovementKind.REPAYMENT] for f in members), ZERO),
                outstanding=to_reporting(
                    [(f.currency, outstanding.get(f.id, 0)) for f in members], currency, on
                ),
                borrowing_base=None
                if base is None
                else to_reporting([(first.currency, base[0])], currency, on),
                available=None if base is None else to_reporting([(first.currency, base[1])], currency, on),
            )
        )
    lines.sort(key=lambda line: (-line.outstanding, -line.limit, line.label))
    months = tuple(
        FinancingMonth(
            m, per_month[m][MovementKind.DRAWING] if m in per_month else ZERO,
            per_month[m][MovementKind.REPAYMENT] if m in per_month else ZERO,
        )
        for m in period.months()
    )  # fmt: skip
    return FinancingReport(tuple(lines), months, financing_alerts(session, scope, period))


def _eligible(
    session: Session, policy_ids: list[uuid.UUID], day: dt.date
) -> dict[tuple[Any, Any], list[int]]:
    """Per (policy, buyer): insured unpaid of the receivables that count, and the largest DCL cover."""
    released = (
        select(
            PaymentApplication.shipment_id.label("shipment_id"),
            func.sum(PaymentApplication.insured_released_minor).label("released"),
        )
        .where(PaymentApplication.policy_id.in_(policy_ids), PaymentApplication.received_on <= day)
        .group_by(PaymentApplication.shipment_id)
        .subquery()
    )
    unpaid = (
        Shipment.policy_id.in_(policy_ids),
        Shipment.shipment_date <= day,
        or_(Shipment.settled_on.is_(None), Shipment.settled_on > day),
    )
    claimed = exists().where(ClaimInvoice.live_shipment_id == Shipment.id)
    reported = exists().where(
        Overdue.shipment_id == Shipment.id, Overdue.status.in_(LIVE_STATUSES), Overdue.reported_on <= day
    )
    left = func.greatest if session.get_bind().dialect.name == "postgresql" else func.max
    insured_unpaid = left(Shipment.insured_minor - func.coalesce(released.c.released, 0), 0)
    counted = and_(
        ~claimed,
        or_(Shipment.cover_lost_on.is_(None), Shipment.cover_lost_on > day),
        ~reported,
        Shipment.due_date >= day,
    )
    rows = session.execute(
        select(
            Shipment.policy_id,
            Shipment.buyer_id,
            func.sum(case((counted, insured_unpaid), else_=0)),
            func.max(case((Shipment.cover_source == CoverSource.DCL, Shipment.cover_minor), else_=0)),
        )
        .outerjoin(released, released.c.shipment_id == Shipment.id)
        .where(*unpaid)
        .group_by(Shipment.policy_id, Shipment.buyer_id)
        .execution_options(**EXEMPT)
    ).all()
    return {(policy, buyer): [int(total or 0), int(dcl or 0)] for policy, buyer, total, dcl in rows}


def _bases(
    session: Session, facilities: list[_Facility], day: dt.date, outstanding: dict[uuid.UUID, int]
) -> dict[uuid.UUID, tuple[int, int]]:
    """A bank's own facilities: (borrowing base, available) in minor units on a day.

    The rules of `financing.rules.borrowing_base` in aggregate: per buyer the receivables that count
    (insured, unpaid, not overdue, not reported overdue, in cover, not under a live claim) up to the
    larger of the limit in force and the discretionary cover used; × the advance rate.
    """
    assigned = [f for f in facilities if _assigned(f, day)]
    if not assigned:
        return {}
    policy_ids = [f.policy_id for f in assigned]
    eligible = _eligible(session, policy_ids, day)
    wanted = {buyer for (_, buyer) in eligible}
    cover: dict[tuple[Any, Any], int] = defaultdict(int)
    limits = session.scalars(
        select(CreditLimit)
        .where(CreditLimit.policy_id.in_(policy_ids), CreditLimit.buyer_id.in_(wanted))
        .execution_options(**EXEMPT)
    ).all()
    for limit in limits:
        key = (limit.policy_id, limit.buyer_id)
        cover[key] = max(cover[key], in_force_on(limit, day).minor_units)
    rates = dict(
        session.execute(
            select(Facility.id, Facility.advance_rate)
            .where(Facility.id.in_([f.id for f in assigned]))
            .execution_options(**EXEMPT)
        ).all()
    )
    found: dict[uuid.UUID, tuple[int, int]] = {}
    for facility in assigned:
        total = sum(
            min(insured, max(cover.get(key, 0), dcl))
            for key, (insured, dcl) in eligible.items()
            if key[0] == facility.policy_id
        )
        base = Money.from_minor(total, facility.currency) * Decimal(rates[facility.id])
        drawn = Money.from_minor(outstanding.get(facility.id, 0), facility.currency)
        limit_money = Money.from_minor(facility.limit_minor, facility.currency)
        left = available(outstanding=drawn, base=base, limit=limit_money)
        found[facility.id] = (base.minor_units, left.minor_units)
    return found
