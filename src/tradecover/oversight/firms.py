"""Insured firms and new firms of a period, and coverage of programme-enrolled firms against all others."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from tradecover.oversight.coverage import (
    converted,
    growth,
    insured_rows,
    with_base,
    year_earlier_month,
)
from tradecover.oversight.period import Period
from tradecover.oversight.scope import EXEMPT, Audience, Scope
from tradecover.oversight.sql import Ranges
from tradecover.policies.model import Policy
from tradecover.subsidies.model import Enrolment

ENROLLED = "enrolled"
OTHERS = "others"


def insured_firms(session: Session, scope: Scope, period: Period) -> int:
    """Policyholders with a policy in scope giving cover on at least one day of the period."""
    query = (
        select(func.count(func.distinct(Policy.policyholder_id)))
        .where(
            Policy.period_start <= period.end,
            Policy.period_end >= period.start,
            # Cover stops on the cancellation date: cancelled on or before the first day it would cover.
            or_(
                Policy.cancelled_on.is_(None),
                and_(Policy.cancelled_on > period.start, Policy.cancelled_on > Policy.period_start),
            ),
            scope.restrict(Policy.id),
        )
        .execution_options(**EXEMPT)
    )
    return int(session.scalar(query) or 0)


def new_firms(session: Session, scope: Scope, period: Period) -> int:
    """Policyholders whose first policy in scope (by period start) starts within the period."""
    first = (
        select(Policy.policyholder_id, func.min(Policy.period_start).label("first_start"))
        .where(
            # A policy cancelled from its first day never covered anything.
            or_(Policy.cancelled_on.is_(None), Policy.cancelled_on > Policy.period_start),
            scope.restrict(Policy.id),
        )
        .group_by(Policy.policyholder_id)
        .subquery("first_policies")
    )
    query = (
        select(func.count())
        .select_from(first)
        .where(first.c.first_start.between(period.start, period.end))
        .execution_options(**EXEMPT)
    )
    return int(session.scalar(query) or 0)


@dataclass(frozen=True, slots=True)
class Firms:
    """Insured and new firms of a period and of the same period a year earlier."""

    insured: int
    insured_year_earlier: int
    new: int
    new_year_earlier: int

    @property
    def insured_yoy(self) -> Decimal | None:
        """Year-on-year growth of the number of insured firms."""
        return growth(self.insured, self.insured_year_earlier)

    @property
    def new_yoy(self) -> Decimal | None:
        """Year-on-year growth of the number of new firms."""
        return growth(self.new, self.new_year_earlier)


def firms(session: Session, scope: Scope, period: Period) -> Firms:
    """Insured and new firms of the period and a year earlier."""
    base = period.year_earlier()
    return Firms(
        insured=insured_firms(session, scope, period),
        insured_year_earlier=insured_firms(session, scope, base),
        new=new_firms(session, scope, period),
        new_year_earlier=new_firms(session, scope, base),
    )


@dataclass(frozen=True, slots=True)
class GroupMonth:
    """One month of enrolled firms' and other firms' insured turnover, each with year-on-year growth."""

    month: dt.date
    enrolled: Decimal
    enrolled_year_earlier: Decimal
    others: Decimal
    others_year_earlier: Decimal

    @property
    def enrolled_yoy(self) -> Decimal | None:
        """Year-on-year growth of the enrolled firms."""
        return growth(self.enrolled, self.enrolled_year_earlier)

    @property
    def others_yoy(self) -> Decimal | None:
        """Year-on-year growth of all other firms."""
        return growth(self.others, self.others_year_earlier)


@dataclass(frozen=True, slots=True)
class EnrolledVsOthers:
    """Insured turnover of the firms enrolled in the programmes against every other insured firm."""

    months: tuple[GroupMonth, ...]
    enrolled: Decimal
    enrolled_year_earlier: Decimal
    others: Decimal
    others_year_earlier: Decimal

    @property
    def enrolled_yoy(self) -> Decimal | None:
        """Year-on-year growth of the enrolled firms over the period."""
        return growth(self.enrolled, self.enrolled_year_earlier)

    @property
    def others_yoy(self) -> Decimal | None:
        """Year-on-year growth of all other firms over the period."""
        return growth(self.others, self.others_year_earlier)


def _by_group(
    session: Session, market: Scope, ranges: Ranges, enrolled_policies: Select[Any]
) -> list[tuple[Any, str, Any, int]]:
    return insured_rows(
        session,
        market,
        ranges,
        lambda policy_id: case((policy_id.in_(enrolled_policies), ENROLLED), else_=OTHERS),
    )


def enrolled_vs_others(session: Session, scope: Scope, period: Period, currency: str) -> EnrolledVsOthers:
    """Monthly insured turnover of the scope's enrolled firms (any programme's outside PROGRAMME scope)
    against all other firms of the market: only sums leave, never a firm."""
    enrolments: Select[Any] = select(Enrolment.policyholder_id)
    if scope.audience is Audience.PROGRAMME:
        enrolments = scope.policyholders()
    enrolled_policies = select(Policy.id).where(Policy.policyholder_id.in_(enrolments))
    market = Scope(Audience.REGULATOR, scope.organisation_id, scope.organisation_name)
    rows, base_rows = with_base(lambda ranges: _by_group(session, market, ranges, enrolled_policies), period)
    current, base = converted(rows, currency), converted(base_rows, currency)
    zero = Decimal(0)
    months = tuple(
        GroupMonth(
            month=month,
            enrolled=current.get((ENROLLED, month), zero),
            enrolled_year_earlier=base.get((ENROLLED, year_earlier_month(month)), zero),
            others=current.get((OTHERS, month), zero),
            others_year_earlier=base.get((OTHERS, year_earlier_month(month)), zero),
        )
        for month in period.months()
    )
    return EnrolledVsOthers(
        months=months,
        enrolled=sum((m.enrolled for m in months), zero),
        enrolled_year_earlier=sum((m.enrolled_year_earlier for m in months), zero),
        others=sum((m.others for m in months), zero),
        others_year_earlier=sum((m.others_year_earlier for m in months), zero),
    )
