"""The days on which the credit limits in force change: +amount as an amount starts, −amount as it stops."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Subquery, case, func, select, true, union_all

from tradecover.limits.model import CreditLimit, LimitEvent
from tradecover.oversight.sql import NextDay
from tradecover.policies.model import Policy


def limit_changes(restrict: Any = None) -> Subquery:
    """Rows (policy_id, day, currency, delta): each change of the amount in force, on the day it happens.

    An event that sets an amount holds it from its effective date until the effective date of any
    later-recorded amount event (a cancellation also voids a reduction still in its notice period),
    and only while the limit's policy gives cover (from its start, before its cancellation date, up to
    its last day). Each such interval is a +amount on its first day and a −amount on the day after.
    `restrict` filters the policy id column.
    """
    superseded_on = func.min(LimitEvent.effective_on).over(
        partition_by=LimitEvent.limit_id, order_by=LimitEvent.sequence, rows=(1, None)
    )
    kept: ColumnElement[bool] = true() if restrict is None else restrict(CreditLimit.policy_id)
    events = (
        select(
            CreditLimit.policy_id.label("policy_id"),
            LimitEvent.amount_minor.label("amount"),
            LimitEvent.effective_on.label("since"),
            superseded_on.label("superseded_on"),
            CreditLimit.currency.label("currency"),
            Policy.period_start.label("policy_start"),
            Policy.period_end.label("policy_end"),
            Policy.cancelled_on.label("cancelled_on"),
        )
        .join(CreditLimit, CreditLimit.id == LimitEvent.limit_id)
        .join(Policy, Policy.id == CreditLimit.policy_id)
        .where(LimitEvent.amount_minor.is_not(None), kept)
        .subquery("amount_events")
    )
    start = case((events.c.since > events.c.policy_start, events.c.since), else_=events.c.policy_start)
    policy_stop = func.coalesce(events.c.cancelled_on, NextDay(events.c.policy_end))
    until = case(
        (
            events.c.superseded_on.is_not(None) & (events.c.superseded_on < policy_stop),
            events.c.superseded_on,
        ),
        else_=policy_stop,
    )
    intervals = (
        select(
            events.c.policy_id, start.label("start"), until.label("until"), events.c.currency, events.c.amount
        )
        .where(events.c.amount > 0)
        .subquery("intervals")
    )
    valid = intervals.c.start < intervals.c.until
    return union_all(
        select(
            intervals.c.policy_id,
            intervals.c.start.label("day"),
            intervals.c.currency,
            intervals.c.amount.label("delta"),
        ).where(valid),
        select(intervals.c.policy_id, intervals.c.until, intervals.c.currency, -intervals.c.amount).where(
            valid
        ),
    ).subquery("changes")
