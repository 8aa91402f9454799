"""A limit's history: finding a limit, adding events, and the amount in force on any date."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.audit.service import record
from tradecover.errors import NotFound
from tradecover.limits.model import CreditLimit, LimitEvent, LimitEventKind
from tradecover.limits.rules import AmountChange, DecidingRule, amount_in_force
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.policies.stale import mark_stale


def get_limit(session: Session, limit_id: uuid.UUID, *, for_update: bool = False) -> CreditLimit:
    """One limit the session's organisation has a part in; NotFound otherwise."""
    query = select(CreditLimit).where(CreditLimit.id == limit_id)
    if for_update:
        # Two underwriters deciding the same referral at once: the second waits, then sees the first.
        query = query.with_for_update(of=CreditLimit).execution_options(populate_existing=True)
    limit = session.scalars(query).first()
    if limit is None:
        raise NotFound(f"no such credit limit: {limit_id}", field="limit_id")
    return limit


def add_event(
    session: Session,
    limit: CreditLimit,
    actor: Actor,
    kind: LimitEventKind,
    *,
    effective_on: dt.date,
    reason: str,
    amount: Money | None = None,
    rule: DecidingRule | None = None,
) -> LimitEvent:
    """Append an event to the history (an amount is in force from `effective_on`) and audit it."""
    sequence = max((event.sequence for event in limit.events), default=0) + 1
    event = LimitEvent(
        limit_id=limit.id,
        sequence=sequence,
        kind=kind,
        amount_minor=None if amount is None else amount.minor_units,
        effective_on=effective_on,
        user_id=actor.user_id,
        organisation_id=actor.organisation_id,
        rule=rule,
        reason=reason[:500],
    )
    limit.events.append(event)
    session.add(event)
    mark_stale(session, [limit.policy_id])
    details: dict[str, object] = {"reason": event.reason, "effective_on": effective_on.isoformat()}
    if amount is not None:
        details["amount"] = format(amount.amount, "f")
        details["currency"] = amount.currency
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        subject_organisation_id=limit.policyholder_id,
        action=f"credit_limit.{kind.value}",
        object_type="CreditLimit",
        object_id=limit.id,
        details=details,
    )
    return event


def amount_changes(events: Sequence[LimitEvent], currency: str) -> list[AmountChange]:
    """The events that set an amount, as the rules read them."""
    return [
        AmountChange(event.effective_on, event.sequence, Money.from_minor(event.amount_minor, currency))
        for event in events
        if event.amount_minor is not None
    ]


def in_force_on(limit: CreditLimit, on: dt.date) -> Money:
    """The amount of a loaded limit in force on a date (the old amount during a notice period)."""
    return amount_in_force(amount_changes(limit.events, limit.currency), on, limit.currency)


def limit_in_force(session: Session, limit_id: uuid.UUID, *, on: dt.date) -> Money:
    """The amount of a limit in force on a date: zero before its decision and after it ends."""
    return in_force_on(get_limit(session, limit_id), on)


def limit_history(session: Session, limit_id: uuid.UUID) -> list[LimitEvent]:
    """Every event of a limit, oldest first."""
    return list(get_limit(session, limit_id).events)
