"""Claims metrics: filed, decided, paid, rejected, outstanding and recovered, by month, insurer and country.

Every figure is a SQL aggregate grouped by (month, currency, dimension) and converted per month into the
reporting currency at the rate of the month's first day. "Paid" is what the insurers paid, by the date
each member paid its part (`ClaimMemberShare.paid_on`); "amount claimed" is the unpaid amount of the
claimed invoices as filed. The helpers `month_of` and `monthly` are shared by the other metric modules.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from tradecover.buyers.model import Buyer
from tradecover.claims.model import Claim, ClaimInvoice, ClaimMemberShare, ClaimOutcome, Recovery
from tradecover.oversight.conversion import to_reporting
from tradecover.oversight.period import Period
from tradecover.oversight.premium import premium_totals
from tradecover.oversight.scope import EXEMPT, Scope
from tradecover.oversight.sql import read_rows
from tradecover.parties.model import Organisation

ZERO = Decimal(0)


def month_of(session: Session, column: Any) -> ColumnElement[str]:
    """A SQL expression giving a date column's month as 'YYYY-MM' on either backend."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def parse_month(text: str | dt.date) -> dt.date:
    """The first day of a month given as 'YYYY-MM' (or a date)."""
    if isinstance(text, dt.date):
        return text.replace(day=1)
    year, month = text[:7].split("-")
    return dt.date(int(year), int(month), 1)


def monthly(rows: Iterable[Sequence[Any]], currency: str) -> dict[tuple[dt.date, Hashable], Decimal]:
    """Rows (month, currency, key, amount_minor) converted per month: {(month, key): reporting amount}."""
    grouped: dict[tuple[dt.date, Hashable], list[tuple[str, int]]] = defaultdict(list)
    for month, code, key, amount in rows:
        grouped[(parse_month(month), key)].append((code, int(amount or 0)))
    return {(month, key): to_reporting(parts, currency, month) for (month, key), parts in grouped.items()}


def by_key(amounts: dict[tuple[dt.date, Hashable], Decimal]) -> dict[Hashable, Decimal]:
    """Monthly amounts added up per key."""
    totals: dict[Hashable, Decimal] = defaultdict(Decimal)
    for (_, key), amount in amounts.items():
        totals[key] += amount
    return dict(totals)


def by_month(amounts: dict[tuple[dt.date, Hashable], Decimal]) -> dict[dt.date, Decimal]:
    """Monthly amounts added up per month."""
    totals: dict[dt.date, Decimal] = defaultdict(Decimal)
    for (month, _), amount in amounts.items():
        totals[month] += amount
    return dict(totals)


def counts(rows: Iterable[Sequence[Any]]) -> dict[Hashable, int]:
    """Rows (key, count) as a dict, counts added for repeated keys."""
    found: dict[Hashable, int] = defaultdict(int)
    for key, count in rows:
        found[key] += int(count or 0)
    return dict(found)


def ratio(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    """numerator ÷ denominator to four places; None when the denominator is zero."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"))


def organisation_names(session: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """Organisation names by id (one query)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.id.in_(wanted))
        .execution_options(**EXEMPT)
    ).all()
    return {row[0]: row[1] for row in rows}


@dataclass(frozen=True, slots=True)
class ClaimTotals:
    """The claims figures of a period in the reporting currency."""

    filed: int
    claimed: Decimal  # unpaid amount of the invoices claimed, as filed
    decided: int
    rejected: int
    paid: int  # claims with a member payment in the period
    paid_amount: Decimal
    outstanding: int  # at the period's end: undecided, or approved and not wholly paid
    outstanding_amount: Decimal  # claimed amount of the undecided + unpaid indemnity of the approved
    recoveries: Decimal  # net recoveries to the insurers received in the period
    earned: Decimal  # premium earned in the period (helper A's premium_totals)
    claims_ratio: Decimal | None  # paid_amount ÷ earned


@dataclass(frozen=True, slots=True)
class ClaimsMonth:
    """One month's claims."""

    month: dt.date
    filed: int
    claimed: Decimal
    paid: int
    paid_amount: Decimal


@dataclass(frozen=True, slots=True)
class ClaimsGroup:
    """Claims of one insurer or one buyer country over the period."""

    key: str
    label: str
    filed: int
    claimed: Decimal
    rejected: int
    paid_amount: Decimal


@dataclass(frozen=True, slots=True)
class ClaimsReport:
    """Everything the claims section shows."""

    totals: ClaimTotals
    months: tuple[ClaimsMonth, ...]
    insurers: tuple[ClaimsGroup, ...]
    countries: tuple[ClaimsGroup, ...]


# (insurer id as text, buyer country): text, because a UUID hashes in Python and a view hashes these keys
# some 10⁴ times.
Key = tuple[str, Any]
Cells = dict[tuple[dt.date, str, Key], int]  # minor units per (month, currency, key)


def within(column: Any, period: Period) -> ColumnElement[bool]:
    """The column's date falls in the period."""
    return and_(column >= period.start, column <= period.end)


def _in(day: dt.date | None, period: Period) -> bool:
    return day is not None and period.start <= day <= period.end


@dataclass
class _Tally:
    """The claims of a period counted and summed per (month, key) in minor units, before conversion."""

    filed: dict[tuple[dt.date, Key], int] = field(default_factory=lambda: defaultdict(int))
    claimed: Cells = field(default_factory=lambda: defaultdict(int))  # by month filed
    paid: dict[tuple[dt.date, Key], int] = field(default_factory=lambda: defaultdict(int))  # wholly paid
    decided: dict[Key, list[int]] = field(default_factory=dict)  # [decided, rejected]
    key_of: dict[uuid.UUID, Key] = field(default_factory=dict)  # each claim's key


def _tally(session: Session, scope: Scope, period: Period) -> _Tally:
    """Every claim filed, decided or paid (in whole or by a member's part) in the period: one query."""
    claimed = (
        select(
            ClaimInvoice.claim_id.label("claim_id"),
            func.sum(ClaimInvoice.amount_minor - ClaimInvoice.paid_minor).label("claimed"),
        )
        .group_by(ClaimInvoice.claim_id)
        .subquery("claimed")
    )
    member_paid = select(ClaimMemberShare.claim_id).where(within(ClaimMemberShare.paid_on, period))
    rows = read_rows(
        session,
        select(
            Claim.id,
            Claim.insurer_id,
            Buyer.country,
            Claim.currency,
            Claim.filed_on,
            Claim.decided_on,
            Claim.outcome,
            Claim.paid_on,
            claimed.c.claimed,
        )
        .join(Buyer, Buyer.id == Claim.buyer_id)
        .outerjoin(claimed, claimed.c.claim_id == Claim.id)
        .where(
            or_(
                within(Claim.filed_on, period),
                within(Claim.decided_on, period),
                within(Claim.paid_on, period),
                Claim.id.in_(member_paid),
            ),
            scope.restrict(Claim.policy_id),
        )
        .execution_options(**EXEMPT),
    )
    tally = _Tally()
    insurers: dict[uuid.UUID, str] = {}
    for claim_id, insurer_id, country, code, filed_on, decided_on, outcome, paid_on, claimed_minor in rows:
        insurer = insurers.get(insurer_id)
        if insurer is None:
            insurer = insurers[insurer_id] = str(insurer_id)
        key = tally.key_of[claim_id] = (insurer, country)
        if _in(filed_on, period):
            month = filed_on.replace(day=1)
            tally.filed[(month, key)] += 1
            tally.claimed[(month, code, key)] += int(claimed_minor or 0)
        if _in(paid_on, period):
            tally.paid[(paid_on.replace(day=1), key)] += 1
        if _in(decided_on, period):
            counts = tally.decided.setdefault(key, [0, 0])
            counts[0] += 1
            counts[1] += outcome == ClaimOutcome.REJECTED
    return tally


def _member_payments(session: Session, scope: Scope, period: Period, key_of: dict[uuid.UUID, Key]) -> Cells:
    """Members' payments made in the period per (month, currency, (insurer, buyer country))."""
    rows = read_rows(
        session,
        select(
            ClaimMemberShare.claim_id,
            ClaimMemberShare.paid_on,
            ClaimMemberShare.currency,
            ClaimMemberShare.amount_minor,
        )
        .join(Claim, Claim.id == ClaimMemberShare.claim_id)
        .where(within(ClaimMemberShare.paid_on, period), scope.restrict(Claim.policy_id))
        .execution_options(**EXEMPT),
    )
    sums: Cells = defaultdict(int)
    for claim_id, paid_on, code, amount in rows:
        assert paid_on is not None  # the query keeps the parts paid in the period
        sums[(paid_on.replace(day=1), code, key_of[claim_id])] += int(amount or 0)
    return sums


def _converted(cells: Cells, pick: Any, currency: str) -> dict[tuple[dt.date, Hashable], Decimal]:
    """Cells folded by month and `pick(key)`, then each (month, group) converted once."""
    folded: dict[tuple[dt.date, str, Hashable], int] = defaultdict(int)
    for (month, code, key), amount in cells.items():
        folded[(month, code, pick(key))] += amount
    return monthly(
        ((month, code, group, amount) for (month, code, group), amount in folded.items()), currency
    )


def outstanding_at(session: Session, scope: Scope, day: dt.date, currency: str) -> tuple[int, Decimal]:
    """Claims open at a day's end and their amount: claimed if undecided, indemnity unpaid if approved."""
    undecided = (
        Claim.filed_on <= day,
        or_(Claim.decided_on.is_(None), Claim.decided_on > day),
        scope.restrict(Claim.policy_id),
    )
    rows = session.execute(
        select(
            Claim.currency,
            func.count(func.distinct(Claim.id)),
            func.sum(ClaimInvoice.amount_minor - ClaimInvoice.paid_minor),
        )
        .join(ClaimInvoice, ClaimInvoice.claim_id == Claim.id)
        .where(*undecided)
        .group_by(Claim.currency)
        .execution_options(**EXEMPT)
    ).all()
    approved = (
        Claim.decided_on <= day,
        Claim.outcome != ClaimOutcome.REJECTED,
        Claim.indemnity_minor > 0,
        or_(Claim.paid_on.is_(None), Claim.paid_on > day),
        scope.restrict(Claim.policy_id),
    )
    owed = session.execute(
        select(Claim.currency, func.count(Claim.id), func.sum(Claim.indemnity_minor))
        .where(*approved)
        .group_by(Claim.currency)
        .execution_options(**EXEMPT)
    ).all()
    settled = session.execute(
        select(ClaimMemberShare.currency, func.sum(ClaimMemberShare.amount_minor))
        .join(Claim, Claim.id == ClaimMemberShare.claim_id)
        .where(*approved, ClaimMemberShare.paid_on <= day)
        .group_by(ClaimMemberShare.currency)
        .execution_options(**EXEMPT)
    ).all()
    number = sum(int(n) for _, n, _ in rows) + sum(int(n) for _, n, _ in owed)
    parts = [(code, int(amount or 0)) for code, _, amount in rows]
    parts += [(code, int(amount or 0)) for code, _, amount in owed]
    parts += [(code, -int(amount or 0)) for code, amount in settled]
    return number, to_reporting(parts, currency, day.replace(day=1))


def recoveries_in(session: Session, scope: Scope, period: Period, currency: str) -> Decimal:
    """Net recoveries received by the insurers in the period."""
    month = month_of(session, Recovery.received_on)
    rows = session.execute(
        select(month, Recovery.currency, func.sum(Recovery.insurers_minor))
        .join(Claim, Claim.id == Recovery.claim_id)
        .where(within(Recovery.received_on, period), scope.restrict(Claim.policy_id))
        .group_by(month, Recovery.currency)
        .execution_options(**EXEMPT)
    ).all()
    return sum(monthly(((m, code, "", amount) for m, code, amount in rows), currency).values(), ZERO)


def _fold(values: dict[Any, Any], pick: Any) -> dict[Any, Any]:
    folded: dict[Any, Any] = defaultdict(int)
    for key, value in values.items():
        folded[pick(key)] += value
    return dict(folded)


def claims_report(session: Session, scope: Scope, period: Period, currency: str) -> ClaimsReport:
    """Claims filed, decided, paid, outstanding and recovered in the period, by month, insurer and country.

    Amounts are summed per month and currency for each way they are shown (by month, insurer, country)
    and converted then, so each figure is rounded once per month and currency.
    """
    tally = _tally(session, scope, period)
    payments = _member_payments(session, scope, period, tally.key_of)
    month = lambda key: key[0]  # noqa: E731
    claimed_m = by_month(_converted(tally.claimed, lambda key: "", currency))
    paid_amount_m = by_month(_converted(payments, lambda key: "", currency))
    open_count, open_amount = outstanding_at(session, scope, period.end, currency)
    recovered = recoveries_in(session, scope, period, currency)
    earned = premium_totals(session, scope, period, currency).earned
    paid_total = sum(paid_amount_m.values(), ZERO)
    totals = ClaimTotals(
        filed=sum(tally.filed.values()),
        claimed=sum(claimed_m.values(), ZERO),
        decided=sum(d for d, _ in tally.decided.values()),
        rejected=sum(r for _, r in tally.decided.values()),
        paid=sum(tally.paid.values()),
        paid_amount=paid_total,
        outstanding=open_count,
        outstanding_amount=open_amount,
        recoveries=recovered,
        earned=earned,
        claims_ratio=ratio(paid_total, earned),
    )
    filed_m, paid_m = _fold(tally.filed, month), _fold(tally.paid, month)
    months = tuple(
        ClaimsMonth(
            m, filed_m.get(m, 0), claimed_m.get(m, ZERO), paid_m.get(m, 0), paid_amount_m.get(m, ZERO)
        )
        for m in period.months()
    )
    insurer_ids = {key[0] for key in tally.key_of.values()}
    names = {str(i): name for i, name in organisation_names(session, map(uuid.UUID, insurer_ids)).items()}
    insurers = _groups(tally, payments, 0, lambda k: names.get(k, k), currency)
    countries = _groups(tally, payments, 1, str, currency)
    return ClaimsReport(totals, months, insurers, countries)


def _groups(tally: _Tally, payments: Cells, part: int, label: Any, currency: str) -> tuple[ClaimsGroup, ...]:
    pick = lambda key: key[part]  # noqa: E731
    filed_g = _fold(tally.filed, lambda key: key[1][part])
    claimed_g = by_key(_converted(tally.claimed, pick, currency))
    paid_g = by_key(_converted(payments, pick, currency))
    rejected_g = _fold({k: v[1] for k, v in tally.decided.items()}, pick)
    keys = {*filed_g, *claimed_g, *paid_g, *rejected_g}
    groups = [
        ClaimsGroup(
            str(key),
            label(key),
            filed_g.get(key, 0),
            claimed_g.get(key, ZERO),
            rejected_g.get(key, 0),
            paid_g.get(key, ZERO),
        )
        for key in keys
    ]
    groups.sort(key=lambda g: (-g.paid_amount, -g.claimed, -g.filed, g.label))
    return tuple(groups)
