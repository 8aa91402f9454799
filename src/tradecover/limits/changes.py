"""Changes to a limit after its decision: reduction and cancellation by the insurer (with notice) and
cancellation by the policyholder (at once).

The old amount stays in force until a reduction or cancellation by the insurer takes effect, so that
shipments made before then stay covered up to it. Capacity is given back when the change is recorded:
capacity is what the insurer may still commit to new limits, and it has already decided to cut this one.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from tradecover.alerts.service import raise_alerts
from tradecover.clock import get_clock
from tradecover.coinsurance import capacity as pool_capacity
from tradecover.coinsurance.service import administers
from tradecover.errors import BusinessRuleViolation, PermissionDenied, ValidationError
from tradecover.limits import capacity
from tradecover.limits.history import add_event, get_limit
from tradecover.limits.model import COVERING_STATUSES, CreditLimit, LimitEventKind, LimitStatus
from tradecover.limits.rules import (
    DecidingRule,
    check_reduction,
    effective_after_notice,
    show,
    usd_equivalent,
)
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import Role
from tradecover.policies.service import terms_on

MAY_CUT = (Role.UNDERWRITER, Role.INSURER_ADMIN)
MAX_REASON_LENGTH = 300


def _reason(reason: str) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise ValidationError("say why", field="reason")
    if len(text) > MAX_REASON_LENGTH:
        raise ValidationError(f"must have at most {MAX_REASON_LENGTH} characters", field="reason")
    return text


def _covering_limit_of_insurer(session: Session, actor: Actor, limit_id: uuid.UUID) -> CreditLimit:
    limit = get_limit(session, limit_id, for_update=True)
    actor.require(*MAY_CUT)
    if not administers(session, actor.organisation_id, limit.insurer_id):
        raise PermissionDenied(
            "only the policy's insurer (or its pool's leader) reduces or cancels its limits"
        )
    if limit.status not in COVERING_STATUSES:
        raise BusinessRuleViolation(
            f"limit {limit.reference} is {limit.status.value.replace('_', ' ')} and gives no cover to change",
            field="limit_id",
        )
    return limit


def _notice_days(limit: CreditLimit, notice_days: int | None) -> int:
    if notice_days is not None:
        return notice_days
    return terms_on(limit.policy, get_clock().today()).limit_reduction_notice_days


def _free_capacity(session: Session, limit: CreditLimit, new_amount: Money) -> None:
    new_usd_minor = usd_equivalent(new_amount, limit.usd_rate).minor_units
    rows = capacity.lock_capacities(session, limit.insurer_id, limit.buyer_country, limit.buyer_sector)
    capacity.give_back(rows, limit.capacity_usd_minor - new_usd_minor)
    limit.capacity_usd_minor = new_usd_minor
    # A limit on a pool policy gives back to each member exactly what it took beyond the new amount.
    pool_capacity.give_back(session, limit.insurer_id, limit.id, new_amount)


def _tell_policyholder(session: Session, limit: CreditLimit, title: str, message: str) -> None:
    raise_alerts(
        session,
        organisation_ids=[limit.policyholder_id],
        kind="limit_changed",
        subject_type="CreditLimit",
        subject_id=limit.id,
        title=title,
        message=message,
    )


def _tell_loss_payee(session: Session, limit: CreditLimit, title: str, message: str) -> None:
    # A bank lends against this cover when the policy is assigned to it: it hears of every cut.
    bank_id = limit.policy.loss_payee_id
    if bank_id is None:
        return
    raise_alerts(
        session,
        organisation_ids=[bank_id],
        kind="financed_limit_cut",
        subject_type="CreditLimit",
        subject_id=limit.id,
        title=f"{title} (policy {limit.policy.number}, assigned to you)",
        message=f"{message}. The borrowing base of the facility counts this buyer only up to the new amount.",
    )


def reduce_limit(
    session: Session,
    actor: Actor,
    limit_id: uuid.UUID,
    new_amount: Money,
    *,
    reason: str,
    notice_days: int | None = None,
) -> CreditLimit:
    """The insurer lowers a limit, effective after the notice period (the policy's, 30 days by default)."""
    limit = _covering_limit_of_insurer(session, actor, limit_id)
    why = _reason(reason)
    check_reduction(limit.amount, new_amount)
    today = get_clock().today()
    effective_on = effective_after_notice(today, _notice_days(limit, notice_days))
    text = f"reduced from {show(limit.amount)} to {show(new_amount)} from {effective_on.isoformat()}: {why}"
    _free_capacity(session, limit, new_amount)
    limit.amount_minor = new_amount.minor_units
    limit.status = LimitStatus.REDUCED
    limit.rule, limit.reason = DecidingRule.UNDERWRITER, text
    add_event(
        session,
        limit,
        actor,
        LimitEventKind.REDUCED,
        effective_on=effective_on,
        reason=text,
        amount=new_amount,
        rule=DecidingRule.UNDERWRITER,
    )
    title = f"Limit {limit.reference} on {limit.buyer.name} reduced"
    _tell_policyholder(session, limit, title, text)
    _tell_loss_payee(session, limit, title, text)
    session.flush()
    return limit


def cancel_limit(
    session: Session, actor: Actor, limit_id: uuid.UUID, *, reason: str, notice_days: int | None = None
) -> CreditLimit:
    """The insurer cancels a limit, effective after the notice period; the zero limit then bars the DCL."""
    limit = _covering_limit_of_insurer(session, actor, limit_id)
    why = _reason(reason)
    today = get_clock().today()
    effective_on = effective_after_notice(today, _notice_days(limit, notice_days))
    text = f"cancelled by the insurer from {effective_on.isoformat()}: {why}"
    _free_capacity(session, limit, Money.zero(limit.currency))
    limit.amount_minor = 0
    limit.status = LimitStatus.CANCELLED
    limit.live_buyer_id = None
    limit.ends_on = effective_on
    limit.bars_dcl = True
    limit.rule, limit.reason = DecidingRule.UNDERWRITER, text
    add_event(
        session,
        limit,
        actor,
        LimitEventKind.CANCELLED_BY_INSURER,
        effective_on=effective_on,
        reason=text,
        amount=Money.zero(limit.currency),
        rule=DecidingRule.UNDERWRITER,
    )
    title = f"Limit {limit.reference} on {limit.buyer.name} cancelled"
    _tell_policyholder(session, limit, title, text)
    _tell_loss_payee(session, limit, title, text)
    session.flush()
    return limit


def cancel_limit_by_policyholder(
    session: Session, actor: Actor, limit_id: uuid.UUID, *, reason: str | None = None
) -> CreditLimit:
    """The insured gives up a limit (or withdraws a referred request), at once; this does not bar the DCL."""
    limit = get_limit(session, limit_id, for_update=True)
    actor.require(Role.POLICYHOLDER)
    if actor.organisation_id != limit.policyholder_id:
        raise PermissionDenied("only the insured cancels its own limits this way")
    if limit.status not in (*COVERING_STATUSES, LimitStatus.REFERRED):
        raise BusinessRuleViolation(
            f"limit {limit.reference} is {limit.status.value.replace('_', ' ')} already", field="limit_id"
        )
    today = get_clock().today()
    words = " ".join((reason or "").split())[:MAX_REASON_LENGTH]
    text = "cancelled by the policyholder" + (f": {words}" if words else "")
    if limit.status in COVERING_STATUSES:
        _free_capacity(session, limit, Money.zero(limit.currency))
    limit.amount_minor = 0
    limit.status = LimitStatus.CANCELLED
    limit.live_buyer_id = None
    limit.ends_on = today
    limit.reason = text
    add_event(
        session,
        limit,
        actor,
        LimitEventKind.CANCELLED_BY_POLICYHOLDER,
        effective_on=today,
        reason=text,
        amount=Money.zero(limit.currency),
    )
    session.flush()
    return limit
