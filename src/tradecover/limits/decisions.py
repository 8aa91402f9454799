"""Limit requests and their decisions: the instant decision, and an underwriter's on a referral."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tradecover.buyers.grades import country_grade
from tradecover.buyers.model import Buyer, BuyerKind
from tradecover.buyers.service import get_buyer
from tradecover.clock import get_clock
from tradecover.coinsurance import capacity as pool_capacity
from tradecover.coinsurance.model import insurer_ids_administered_by
from tradecover.coinsurance.service import administers
from tradecover.errors import BusinessRuleViolation, Conflict, NotFound, PermissionDenied, ValidationError
from tradecover.limits import capacity
from tradecover.limits.history import add_event, get_limit
from tradecover.limits.model import COVERING_STATUSES, Capacity, CreditLimit, LimitEventKind, LimitStatus
from tradecover.limits.rules import (
    BuyerReach,
    DecidingRule,
    Decision,
    DecisionPolicy,
    LimitRequest,
    Outcome,
    check_second_approver,
    decide,
    decide_on_capacity,
    review_date,
    show,
    usd_equivalent,
)
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation
from tradecover.parties.roles import Role
from tradecover.policies.model import Policy, PolicyStatus
from tradecover.policies.service import covers, terms_on
from tradecover.policies.terms import PolicyTerms
from tradecover.reference.fx import fx_rate

MAY_REQUEST = (Role.POLICYHOLDER, Role.PLATFORM_ADMIN)
MAY_DECIDE = (Role.UNDERWRITER,)
MAX_NOTE_LENGTH = 300
QUEUE_SIZE = 500

_OUTCOME_STATUS = {
    Outcome.APPROVED: LimitStatus.APPROVED,
    Outcome.PARTLY_APPROVED: LimitStatus.PARTLY_APPROVED,
    Outcome.DECLINED: LimitStatus.DECLINED,
    Outcome.REFERRED: LimitStatus.REFERRED,
}
_OUTCOME_EVENT = {
    Outcome.APPROVED: LimitEventKind.APPROVED,
    Outcome.PARTLY_APPROVED: LimitEventKind.PARTLY_APPROVED,
    Outcome.DECLINED: LimitEventKind.DECLINED,
    Outcome.REFERRED: LimitEventKind.REFERRED,
}


def decision_policy(terms: PolicyTerms) -> DecisionPolicy:
    """The terms that bear on a limit decision, as the rules take them."""
    return DecisionPolicy(
        max_buyer_grade=terms.max_buyer_grade,
        max_country_grade=terms.max_country_grade,
        referral_above_usd=terms.decision_bands.instant_up_to,
        two_approvals_above_usd=terms.decision_bands.two_approvals_above,
        refused_countries=frozenset(terms.refused_countries),
        buyer_reach=BuyerReach(terms.buyer_scope.value),
        per_buyer_maximum=terms.per_buyer_maximum,
    )


def get_policy(session: Session, policy_id: uuid.UUID) -> Policy:
    """A policy the session's organisation has a part in; NotFound otherwise."""
    policy = session.scalars(select(Policy).where(Policy.id == policy_id)).first()
    if policy is None:
        raise NotFound(f"no such policy: {policy_id}", field="policy_id")
    return policy


def _checked_amount(amount: Money, currency: str, field: str = "amount") -> Money:
    if not isinstance(amount, Money):
        raise ValidationError("must be an amount of money", field=field)
    if amount.currency != currency:
        raise ValidationError(
            f"must be in the policy currency {currency}, not {amount.currency}", field=field
        )
    if not amount.is_positive:
        raise ValidationError("must be more than zero", field=field)
    return amount


def _exposure_on_buyer_usd(session: Session, insurer_id: uuid.UUID, buyer_id: uuid.UUID) -> Money:
    total = session.scalar(
        select(func.coalesce(func.sum(CreditLimit.capacity_usd_minor), 0))
        .where(
            CreditLimit.insurer_id == insurer_id,
            CreditLimit.buyer_id == buyer_id,
            CreditLimit.status.in_(COVERING_STATUSES),
        )
        # The insurer's whole exposure on the buyer, under other insureds' policies too (see capacity).
        .execution_options(tenant_exempt=True)
    )
    return Money.from_minor(int(total or 0), "USD")


def _insured_country(session: Session, policy: Policy) -> str | None:
    return session.scalar(select(Organisation.country).where(Organisation.id == policy.policyholder_id))


def _check_may_request(actor: Actor, policy: Policy, buyer: Buyer, today: dt.date) -> None:
    actor.require(*MAY_REQUEST)
    if not actor.is_platform_admin and actor.organisation_id != policy.policyholder_id:
        raise PermissionDenied("only the insured of the policy requests limits on it")
    if policy.status is not PolicyStatus.IN_FORCE or not covers(policy, today):
        raise BusinessRuleViolation(f"policy {policy.number} is not in force today", field="policy_id")
    if policy.named_buyer_id is not None and policy.named_buyer_id != buyer.id:
        raise BusinessRuleViolation(
            f"single-buyer policy {policy.number} covers only its named buyer", field="buyer_id"
        )


def _apply(
    session: Session,
    actor: Actor,
    limit: CreditLimit,
    decision: Decision,
    rows: Sequence[Capacity],
    today: dt.date,
    pool_fit: pool_capacity.PoolFit | None = None,
) -> None:
    """Put a decision on the limit: status, amount, capacity taken, review date and history."""
    limit.status = _OUTCOME_STATUS[decision.outcome]
    limit.rule = decision.rule
    limit.reason = decision.reason[:500]
    if decision.outcome is Outcome.REFERRED:
        limit.two_approvals_needed = decision.two_approvals_needed
        add_event(
            session,
            limit,
            actor,
            LimitEventKind.REFERRED,
            effective_on=today,
            reason=decision.reason,
            rule=decision.rule,
        )
        return
    limit.decided_on = today
    limit.decided_by_user_id = actor.user_id
    limit.amount_minor = decision.amount.minor_units
    if decision.grants_cover:
        limit.capacity_usd_minor = decision.amount_usd.minor_units
        limit.review_on = review_date(today)
        capacity.take(rows, limit.capacity_usd_minor)
        if pool_fit is not None:
            pool_capacity.take(
                session, pool_fit, limit_id=limit.id, buyer_id=limit.buyer_id, country=limit.buyer_country
            )
    else:
        limit.live_buyer_id = None
        limit.bars_dcl = True
    add_event(
        session,
        limit,
        actor,
        _OUTCOME_EVENT[decision.outcome],
        effective_on=today,
        reason=decision.reason,
        amount=decision.amount,
        rule=decision.rule,
    )


def _within_pool(
    session: Session,
    insurer_id: uuid.UUID,
    decision: Decision,
    *,
    buyer: Buyer,
    usd_rate: Decimal,
    today: dt.date,
    of: Money,
) -> tuple[Decision, pool_capacity.PoolFit | None]:
    """When the insurer is a pool, what of a granting decision fits every member's capacity by share."""
    if not decision.grants_cover:
        return decision, None
    fit = pool_capacity.fit_pool_limit(
        session,
        insurer_id,
        requested=decision.amount,
        buyer_id=buyer.id,
        buyer_name=buyer.name,
        country=buyer.country,
        on=today,
    )
    if fit is None or fit.fits_whole:
        return decision, fit
    if not fit.granted.is_positive:
        zero = Money.zero(decision.amount.currency)
        reason = pool_capacity.reason_for(fit, of)
        return Decision(
            Outcome.DECLINED, zero, Money.zero("USD"), DecidingRule.CAPACITY_EXHAUSTED, reason
        ), fit
    granted = fit.granted
    reason = pool_capacity.reason_for(fit, of)
    usd = usd_equivalent(granted, usd_rate)
    return Decision(Outcome.PARTLY_APPROVED, granted, usd, DecidingRule.CAPACITY, reason), fit


def request_limit(
    session: Session, actor: Actor, policy_id: uuid.UUID, buyer_id: uuid.UUID, amount: Money
) -> CreditLimit:
    """Ask for cover of `amount` on a buyer under a policy; decided at once by the rules, or referred."""
    today = get_clock().today()
    policy = get_policy(session, policy_id)
    buyer = get_buyer(session, buyer_id)
    _check_may_request(actor, policy, buyer, today)
    if policy.premium_arrears_since is not None:  # set by premiums' dunning (non-payment effect)
        raise BusinessRuleViolation(
            f"no new limits: premium invoice {policy.premium_arrears_invoice} unpaid since "
            f"{policy.premium_arrears_since.isoformat()}",
            field="policy_id",
        )
    amount = _checked_amount(amount, policy.currency)
    live = session.scalar(
        select(CreditLimit.id).where(
            CreditLimit.policy_id == policy.id, CreditLimit.live_buyer_id == buyer.id
        )
    )
    if live is not None:
        raise Conflict(
            f"policy {policy.number} already has a live limit on {buyer.name}; cancel it before asking again",
            field="buyer_id",
        )
    rules_terms = decision_policy(terms_on(policy, today))
    usd_rate = fx_rate(policy.currency, "USD", today)
    grade_of_country = country_grade(session, buyer.country, on=today)
    # From here on the insurer's capacity rows are locked: what is read next is what the decision takes.
    rows = capacity.lock_capacities(session, policy.insurer_id, buyer.country, buyer.sector)
    facts = LimitRequest(
        buyer_grade=buyer.grade,
        buyer_is_public_body=buyer.kind is not BuyerKind.COMPANY,
        country=buyer.country,
        country_grade=grade_of_country,
        sector=buyer.sector,
        requested=amount,
        usd_rate=usd_rate,
        existing_on_buyer_usd=_exposure_on_buyer_usd(session, policy.insurer_id, buyer.id),
        insured_country=_insured_country(session, policy),
    )
    appetite = capacity.appetite_lines(session, policy.insurer_id, buyer.country, buyer.sector)
    decision = decide(facts, rules_terms, appetite, capacity.capacity_left(rows))
    decision, pool_fit = _within_pool(
        session, policy.insurer_id, decision, buyer=buyer, usd_rate=usd_rate, today=today, of=amount
    )
    limit = CreditLimit(
        policy_id=policy.id,
        buyer_id=buyer.id,
        # Set, so that the answer reads the buyer loaded here instead of loading it again.
        buyer=buyer,
        live_buyer_id=buyer.id,
        policyholder_id=policy.policyholder_id,
        insurer_id=policy.insurer_id,
        buyer_country=buyer.country,
        buyer_sector=buyer.sector,
        currency=policy.currency,
        requested_minor=amount.minor_units,
        usd_rate=usd_rate,
        requested_on=today,
        requested_by_user_id=actor.user_id,
        status=LimitStatus.REQUESTED,
        amount_minor=0,
        capacity_usd_minor=0,
        events=[],
    )
    session.add(limit)
    try:
        session.flush()
    except IntegrityError:
        # Another request for the same buyer and policy got in first.
        raise Conflict(
            f"policy {policy.number} already has a live limit on {buyer.name}", field="buyer_id"
        ) from None
    add_event(
        session,
        limit,
        actor,
        LimitEventKind.REQUESTED,
        effective_on=today,
        reason=f"requested: {show(amount)}",
    )
    _apply(session, actor, limit, decision, rows, today, pool_fit)
    session.flush()
    return limit


def _referral_for(session: Session, actor: Actor, limit_id: uuid.UUID) -> CreditLimit:
    # Not found before not allowed: a role check first would confirm that another's limit exists.
    limit = get_limit(session, limit_id, for_update=True)
    actor.require(*MAY_DECIDE)
    if not administers(session, actor.organisation_id, limit.insurer_id):
        raise PermissionDenied(
            "only an underwriter of the policy's insurer (or of the leader of its pool) decides this referral"
        )
    if limit.status is not LimitStatus.REFERRED:
        raise BusinessRuleViolation(
            f"limit {limit.reference} is {limit.status.value.replace('_', ' ')}, not referred",
            field="limit_id",
        )
    return limit


def _note(note: str | None) -> str:
    text = " ".join((note or "").split())
    if len(text) > MAX_NOTE_LENGTH:
        raise ValidationError(f"must have at most {MAX_NOTE_LENGTH} characters", field="note")
    return text


def approve_referral(
    session: Session,
    actor: Actor,
    limit_id: uuid.UUID,
    *,
    amount: Money | None = None,
    note: str | None = None,
) -> CreditLimit:
    """An underwriter approves a referred limit (all, or a lower amount), within the capacity left.

    Above the second band the first approval is recorded and a second underwriter, not the first,
    must approve too; the second approval decides the amount.
    """
    limit = _referral_for(session, actor, limit_id)
    today = get_clock().today()
    granted = limit.requested if amount is None else _checked_amount(amount, limit.currency)
    if granted > limit.requested:
        raise ValidationError(f"must not exceed the {show(limit.requested)} requested", field="amount")
    words = _note(note)
    if limit.two_approvals_needed and limit.first_approver_user_id is None:
        limit.first_approver_user_id = actor.user_id
        reason = f"first approval of {show(granted)}; a second underwriter must approve" + (
            f" ({words})" if words else ""
        )
        add_event(
            session,
            limit,
            actor,
            LimitEventKind.FIRST_APPROVAL,
            effective_on=today,
            reason=reason,
            rule=DecidingRule.UNDERWRITER,
        )
        session.flush()
        return limit
    if limit.two_approvals_needed:
        check_second_approver(limit.first_approver_user_id, actor.user_id)
    rows = capacity.lock_capacities(session, limit.insurer_id, limit.buyer_country, limit.buyer_sector)
    decision = decide_on_capacity(
        granted,
        limit.usd_rate,
        capacity.capacity_left(rows),
        rule=DecidingRule.UNDERWRITER,
        of=limit.requested,
    )
    if decision.outcome is Outcome.APPROVED and granted != limit.requested:
        decision = Decision(
            Outcome.PARTLY_APPROVED,
            decision.amount,
            decision.amount_usd,
            DecidingRule.UNDERWRITER,
            f"partly approved by the underwriter: {show(granted)} of {show(limit.requested)}",
        )
    decision, pool_fit = _within_pool(
        session,
        limit.insurer_id,
        decision,
        buyer=limit.buyer,
        usd_rate=limit.usd_rate,
        today=today,
        of=limit.requested,
    )
    if words:
        decision = Decision(
            decision.outcome,
            decision.amount,
            decision.amount_usd,
            decision.rule,
            f"{decision.reason} ({words})",
        )
    _apply(session, actor, limit, decision, rows, today, pool_fit)
    session.flush()
    return limit


def decline_referral(session: Session, actor: Actor, limit_id: uuid.UUID, *, reason: str) -> CreditLimit:
    """An underwriter declines a referred limit, saying why: a zero limit, which bars the DCL."""
    limit = _referral_for(session, actor, limit_id)
    words = _note(reason)
    if not words:
        raise ValidationError("say why the limit is declined", field="reason")
    decision = Decision(
        Outcome.DECLINED,
        Money.zero(limit.currency),
        Money.zero("USD"),
        DecidingRule.UNDERWRITER,
        f"declined by the underwriter: {words}",
    )
    _apply(session, actor, limit, decision, [], get_clock().today())
    session.flush()
    return limit


def underwriter_queue(session: Session, actor: Actor) -> Sequence[CreditLimit]:
    """The referrals waiting for the actor's insurer, oldest first, larger (USD) amounts first on a day."""
    actor.require(*MAY_DECIDE)
    if actor.organisation_id is None:
        return []
    waiting = session.scalars(
        select(CreditLimit)
        .where(
            CreditLimit.insurer_id.in_(insurer_ids_administered_by(actor.organisation_id)),
            CreditLimit.status == LimitStatus.REFERRED,
        )
        .order_by(CreditLimit.requested_on, CreditLimit.created_at)
        .limit(QUEUE_SIZE)
    ).all()
    return sorted(waiting, key=lambda limit: (limit.requested_on, -limit.requested.amount * limit.usd_rate))
