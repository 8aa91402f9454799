"""The DCL standing of a buyer from the declarations: its purchases paid on time before a date.

A purchase counts when it is a shipment to the buyer under the policy made within the lookback (12 months
by default, `dcl_conditions.lookback_months`) before the date, and paid in full by its due date, as known
on the date. `CoverBook` judges shipments with the same count; `dcl_available` answers for one buyer.
"""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.clock import get_clock
from tradecover.declarations.model import Shipment
from tradecover.limits import service as limits
from tradecover.limits.decisions import get_policy
from tradecover.limits.rules import DclVerdict
from tradecover.policies.service import terms_on


class SettledPurchase(NamedTuple):
    """A shipment paid in full: when it was shipped, when it was due, when its last payment came."""

    shipment_date: dt.date
    settled_on: dt.date
    due_date: dt.date


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (the month's last day when it has no such day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def paid_on_time(purchases: Iterable[SettledPurchase], on: dt.date, lookback_months: int) -> int:
    """How many purchases shipped in the lookback before `on` were paid in full by their due date by then."""
    since = months_before(on, lookback_months)
    return sum(
        1
        for purchase in purchases
        if since < purchase.shipment_date <= on
        and purchase.settled_on <= purchase.due_date
        and purchase.settled_on <= on
    )


def purchases_paid_on_time(
    session: Session, policy_id: uuid.UUID, buyer_id: uuid.UUID, *, on: dt.date
) -> int:
    """The buyer's purchases under the policy paid on time in the policy's DCL lookback before a date."""
    policy = get_policy(session, policy_id)
    lookback = terms_on(policy, on).dcl_conditions.lookback_months
    rows = session.execute(
        select(Shipment.shipment_date, Shipment.settled_on, Shipment.due_date).where(
            Shipment.policy_id == policy.id,
            Shipment.buyer_id == buyer_id,
            Shipment.settled_on.is_not(None),
            Shipment.settled_on <= Shipment.due_date,
            Shipment.shipment_date > months_before(on, lookback),
            Shipment.shipment_date <= on,
        )
    )
    return paid_on_time(
        (SettledPurchase(shipped, settled, due) for shipped, settled, due in rows if settled is not None),
        on,
        lookback,
    )


def dcl_available(
    session: Session,
    policy_id: uuid.UUID,
    buyer_id: uuid.UUID,
    *,
    on: dt.date | None = None,
    has_credit_report: bool = False,
) -> DclVerdict:
    """Whether the insured may cover the buyer under its DCL on a date, counting the declared purchases."""
    day = get_clock().today() if on is None else on
    count = purchases_paid_on_time(session, policy_id, buyer_id, on=day)
    return limits.dcl_available(
        session,
        policy_id,
        buyer_id,
        on=day,
        purchases_paid_on_time_12m=count,
        has_credit_report=has_credit_report,
    )
