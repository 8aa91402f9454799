"""Subsidy metrics: per programme enrolments, budget, committed, paid and remaining; firms by rate tier.

Committed is the programmes' share of premium invoices committed in the period that still takes budget;
paid is what the programmes paid in the period (the payment lines, so a pool member's part counts once);
budget is the sum of the programmes' yearly budgets for the calendar years the period touches, and
remaining is that budget less everything committed against those years. Budgets are kept in the
programme's currency and converted at the rate of the period's first month; invoice amounts per month.
A firm's tier is the subsidy rate its commitments were taken at (the programme's tiers name the bound).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, case, func, select, true
from sqlalchemy.orm import Session

from tradecover.oversight.claims import ZERO, by_key, by_month, month_of, monthly, within
from tradecover.oversight.conversion import to_reporting
from tradecover.oversight.period import Period, month_start
from tradecover.oversight.scope import EXEMPT, Audience, Scope
from tradecover.policies.model import Policy
from tradecover.subsidies.model import (
    TAKING_BUDGET,
    Enrolment,
    ProgrammeBudget,
    SubsidyCommitment,
    SubsidyPayment,
    SubsidyPaymentLine,
    SubsidyProgramme,
)
from tradecover.subsidies.rules import percent_text, tiers_from_json, usd_text


@dataclass(frozen=True, slots=True)
class ProgrammeFigures:
    """One programme over the period, amounts in the reporting currency."""

    programme_id: uuid.UUID
    name: str
    region: str
    enrolled: int  # firms enrolled by the period's end
    new_enrolments: int  # enrolled in the period
    budget: Decimal
    committed: Decimal
    paid: Decimal
    remaining: Decimal


@dataclass(frozen=True, slots=True)
class TierFigures:
    """The firms of one programme subsidised at one rate in the period."""

    programme: str
    tier: str
    rate: Decimal
    firms: int
    committed: Decimal


@dataclass(frozen=True, slots=True)
class SubsidyMonth:
    """Subsidy committed and paid in one month."""

    month: dt.date
    committed: Decimal
    paid: Decimal


@dataclass(frozen=True, slots=True)
class SubsidyReport:
    """Everything the subsidy section shows."""

    programmes: tuple[ProgrammeFigures, ...]
    tiers: tuple[TierFigures, ...]
    months: tuple[SubsidyMonth, ...]

    @property
    def budget(self) -> Decimal:
        """All programmes' budget for the period's years."""
        return sum((p.budget for p in self.programmes), ZERO)

    @property
    def committed(self) -> Decimal:
        """All programmes' commitments in the period."""
        return sum((p.committed for p in self.programmes), ZERO)

    @property
    def paid(self) -> Decimal:
        """All programmes' payments in the period."""
        return sum((p.paid for p in self.programmes), ZERO)


def in_scope(scope: Scope, programme_id: Any, policy_id: Any | None = None) -> ColumnElement[bool]:
    """Programme rows the scope covers: an officer its programmes, the regulator all, others by policy."""
    if scope.audience is Audience.PROGRAMME:
        return programme_id.in_(scope.programme_ids or ())  # type: ignore[no-any-return]
    if scope.audience is Audience.REGULATOR:
        return true()
    if policy_id is not None:
        return scope.restrict(policy_id)
    return programme_id.in_(  # type: ignore[no-any-return]
        select(SubsidyCommitment.programme_id).where(scope.restrict(SubsidyCommitment.policy_id))
    )


def _committed(session: Session, scope: Scope, period: Period, currency: str) -> dict[Any, Decimal]:
    month = month_of(session, SubsidyCommitment.committed_on)
    rows = session.execute(
        select(
            month,
            SubsidyCommitment.currency,
            SubsidyCommitment.programme_id,
            SubsidyCommitment.rate,
            func.sum(SubsidyCommitment.amount_minor),
        )
        .where(
            within(SubsidyCommitment.committed_on, period),
            SubsidyCommitment.status.in_(TAKING_BUDGET),
            in_scope(scope, SubsidyCommitment.programme_id, SubsidyCommitment.policy_id),
        )
        .group_by(month, SubsidyCommitment.currency, SubsidyCommitment.programme_id, SubsidyCommitment.rate)
        .execution_options(**EXEMPT)
    ).all()
    return monthly(((m, code, (pid, Decimal(rate)), amount) for m, code, pid, rate, amount in rows), currency)


def _paid(session: Session, scope: Scope, period: Period, currency: str) -> dict[Any, Decimal]:
    month = month_of(session, SubsidyPayment.paid_on)
    rows = session.execute(
        select(
            month,
            SubsidyPayment.currency,
            SubsidyPayment.programme_id,
            func.sum(SubsidyPaymentLine.amount_minor),
        )
        .select_from(SubsidyPaymentLine)
        .join(SubsidyPayment, SubsidyPayment.id == SubsidyPaymentLine.payment_id)
        .join(SubsidyCommitment, SubsidyCommitment.id == SubsidyPaymentLine.commitment_id)
        .where(
            within(SubsidyPayment.paid_on, period),
            in_scope(scope, SubsidyCommitment.programme_id, SubsidyCommitment.policy_id),
        )
        .group_by(month, SubsidyPayment.currency, SubsidyPayment.programme_id)
        .execution_options(**EXEMPT)
    ).all()
    return monthly(rows, currency)


def _budgets(
    session: Session, scope: Scope, period: Period, currency: str
) -> dict[uuid.UUID, tuple[Decimal, Decimal]]:
    """Per programme: the budget of the period's years and what is left of it, in the reporting currency."""
    years = (ProgrammeBudget.year >= period.start.year, ProgrammeBudget.year <= period.end.year)
    budgets = session.execute(
        select(ProgrammeBudget.programme_id, ProgrammeBudget.currency, func.sum(ProgrammeBudget.amount_minor))
        .where(*years, in_scope(scope, ProgrammeBudget.programme_id))
        .group_by(ProgrammeBudget.programme_id, ProgrammeBudget.currency)
        .execution_options(**EXEMPT)
    ).all()
    taken = session.execute(
        select(
            SubsidyCommitment.programme_id,
            SubsidyCommitment.programme_currency,
            func.sum(SubsidyCommitment.amount_programme_minor),
        )
        .where(
            SubsidyCommitment.year >= period.start.year,
            SubsidyCommitment.year <= period.end.year,
            SubsidyCommitment.status.in_(TAKING_BUDGET),
            in_scope(scope, SubsidyCommitment.programme_id),
        )
        .group_by(SubsidyCommitment.programme_id, SubsidyCommitment.programme_currency)
        .execution_options(**EXEMPT)
    ).all()
    on = month_start(period.start)
    used: dict[uuid.UUID, list[tuple[str, int]]] = defaultdict(list)
    for pid, code, amount in taken:
        used[pid].append((code, -int(amount or 0)))
    found: dict[uuid.UUID, tuple[Decimal, Decimal]] = {}
    for pid, code, amount in budgets:
        budget = to_reporting([(code, int(amount or 0))], currency, on)
        left = to_reporting([(code, int(amount or 0)), *used.get(pid, [])], currency, on)
        found[pid] = (budget, left)
    return found


def _enrolments(session: Session, scope: Scope, period: Period) -> dict[uuid.UUID, tuple[int, int]]:
    """Per programme: firms enrolled by the period's end, and of them those enrolled in the period."""
    if scope.audience in (Audience.PROGRAMME, Audience.REGULATOR):
        where = in_scope(scope, Enrolment.programme_id)
    else:
        where = Enrolment.policyholder_id.in_(select(Policy.policyholder_id).where(scope.restrict(Policy.id)))
    new = func.sum(case((Enrolment.enrolled_on >= period.start, 1), else_=0))
    rows = session.execute(
        select(Enrolment.programme_id, func.count(Enrolment.id), new)
        .where(Enrolment.enrolled_on <= period.end, where)
        .group_by(Enrolment.programme_id)
        .execution_options(**EXEMPT)
    ).all()
    return {pid: (int(total), int(fresh or 0)) for pid, total, fresh in rows}


def _firms(session: Session, scope: Scope, period: Period) -> dict[tuple[uuid.UUID, Decimal], int]:
    rows = session.execute(
        select(
            SubsidyCommitment.programme_id,
            SubsidyCommitment.rate,
            func.count(func.distinct(SubsidyCommitment.policyholder_id)),
        )
        .where(
            within(SubsidyCommitment.committed_on, period),
            SubsidyCommitment.status.in_(TAKING_BUDGET),
            in_scope(scope, SubsidyCommitment.programme_id, SubsidyCommitment.policy_id),
        )
        .group_by(SubsidyCommitment.programme_id, SubsidyCommitment.rate)
        .execution_options(**EXEMPT)
    ).all()
    return {(pid, Decimal(rate)): int(count) for pid, rate, count in rows}


def tier_label(tiers_json: list[dict[str, Any]], rate: Decimal) -> str:
    """'80% (exports below USD 2,000,000)' for a rate the programme's tiers offer, else the rate alone."""
    for tier in tiers_from_json(tiers_json):
        if tier.rate == rate:
            bound = (
                "the rest"
                if tier.exports_below_usd is None
                else f"exports below {usd_text(tier.exports_below_usd)}"
            )
            return f"{percent_text(rate)} ({bound})"
    return percent_text(rate)


def subsidy_report(session: Session, scope: Scope, period: Period, currency: str) -> SubsidyReport:
    """Programmes' enrolments, budget, commitments and payments in the period, and firms by tier."""
    committed = _committed(session, scope, period, currency)
    paid_by_pid = by_key(_paid_rows := _paid(session, scope, period, currency))
    budgets = _budgets(session, scope, period, currency)
    enrolled = _enrolments(session, scope, period)
    firms = _firms(session, scope, period)
    by_tier: dict[tuple[uuid.UUID, Decimal], Decimal] = {
        key: amount  # type: ignore[misc]
        for key, amount in by_key(committed).items()
    }
    committed_by_pid: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
    for (pid, _), amount in by_tier.items():
        committed_by_pid[pid] += amount
    ids = {*budgets, *enrolled, *committed_by_pid, *paid_by_pid}
    wanted = (
        in_scope(scope, SubsidyProgramme.id)
        if scope.audience is Audience.PROGRAMME
        else SubsidyProgramme.id.in_(ids)
    )
    programmes = session.execute(
        select(
            SubsidyProgramme.id, SubsidyProgramme.name, SubsidyProgramme.region, SubsidyProgramme.tiers_json
        )
        .where(wanted)
        .order_by(SubsidyProgramme.name)
        .execution_options(**EXEMPT)
    ).all()
    figures: list[ProgrammeFigures] = []
    tiers: list[TierFigures] = []
    for pid, name, region, tiers_json in programmes:
        budget, left = budgets.get(pid, (ZERO, ZERO))
        total, new = enrolled.get(pid, (0, 0))
        figures.append(
            ProgrammeFigures(
                pid, name, region or "", total, new, budget, committed_by_pid.get(pid, ZERO),
                paid_by_pid.get(pid, ZERO), left,
            )
        )  # fmt: skip
        rates = {rate for (p, rate) in (*firms, *by_tier) if p == pid}
        for rate in sorted(rates, reverse=True):
            label = tier_label(tiers_json, rate)
            tiers.append(
                TierFigures(name, label, rate, firms.get((pid, rate), 0), by_tier.get((pid, rate), ZERO))
            )
    committed_m, paid_m = by_month(committed), by_month(_paid_rows)
    months = tuple(SubsidyMonth(m, committed_m.get(m, ZERO), paid_m.get(m, ZERO)) for m in period.months())
    return SubsidyReport(tuple(figures), tuple(tiers), months)
