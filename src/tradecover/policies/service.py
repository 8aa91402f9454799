"""Use cases for policies: issue, read, endorse (a new version), cancel, and expire by date."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.audit.service import record
from tradecover.clock import utcnow
from tradecover.coinsurance.service import administers
from tradecover.errors import BusinessRuleViolation, NotFound, PermissionDenied, ValidationError
from tradecover.money import Money, Rate
from tradecover.parties.actor import Actor
from tradecover.parties.roles import Role
from tradecover.policies.model import Policy, PolicyStatus, PolicyVersion, Product, RateTable
from tradecover.policies.products import rate_grid
from tradecover.policies.rules import NO_DISCOUNT, RateGrid, check_adjustment, check_discount, price_shipment
from tradecover.policies.stale import mark_stale
from tradecover.policies.terms import PolicyTerms, ProductKind

INSURER_STAFF = (Role.UNDERWRITER, Role.INSURER_ADMIN)
MAX_REASON_LENGTH = 500
MAX_PERIOD_DAYS = 2 * 366


def _audit(session: Session, actor: Actor, action: str, policy: Policy, **details: object) -> None:
    for subject in (policy.policyholder_id, policy.insurer_id):
        record(
            session,
            actor_user_id=actor.user_id,
            actor_organisation_id=actor.organisation_id,
            action=action,
            object_type="Policy",
            object_id=policy.id,
            subject_organisation_id=subject,
            details=dict(details),
        )


def _reason(text: str) -> str:
    reason = " ".join(text.split())
    if not reason:
        raise ValidationError("say why", field="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError(f"must have at most {MAX_REASON_LENGTH} characters", field="reason")
    return reason


def check_period(period_start: dt.date, period_end: dt.date) -> None:
    """A policy period: the end (last day covered) after the start, at most two years."""
    if period_end <= period_start:
        raise ValidationError("must come after the period start", field="period_end")
    if (period_end - period_start).days > MAX_PERIOD_DAYS:
        raise ValidationError("a policy period is at most two years", field="period_end")


def one_year_from(start: dt.date) -> dt.date:
    """The last day of a one-year period starting on `start`."""
    try:
        anniversary = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        anniversary = start.replace(year=start.year + 1, day=28) + dt.timedelta(days=1)
    return anniversary - dt.timedelta(days=1)


def _next_number(session: Session, year: int) -> str:
    prefix = f"TC-{year}-"
    latest = session.scalar(
        select(func.max(Policy.number))
        .where(Policy.number.like(f"{prefix}%"))
        .execution_options(tenant_exempt=True)
    )
    sequence = int(latest.removeprefix(prefix)) + 1 if latest else 1
    return f"{prefix}{sequence:06d}"


def _check_insurer_staff(session: Session, actor: Actor, insurer_id: uuid.UUID) -> None:
    if actor.is_platform_admin:
        return
    actor.require(*INSURER_STAFF)
    if not administers(session, actor.organisation_id, insurer_id):
        raise PermissionDenied("only the insurer's own staff do this")


def issue_policy(
    session: Session,
    actor: Actor,
    *,
    product: Product,
    policyholder_id: uuid.UUID,
    terms: PolicyTerms,
    period_start: dt.date,
    period_end: dt.date,
    rate_table_id: uuid.UUID | None,
    rate_adjustment: Decimal = Decimal(0),
    preferential_discount: Rate = NO_DISCOUNT,
    quote_id: uuid.UUID | None = None,
    named_buyer_id: uuid.UUID | None = None,
) -> Policy:
    """Issue a policy in force, its terms frozen as version 1 (on accepting a quote, or by the insurer)."""
    if quote_id is None:
        _check_insurer_staff(session, actor, product.insurer_id)
    check_period(period_start, period_end)
    if terms.kind is not product.kind:
        raise ValidationError(
            f"terms are for {terms.kind.value}, the product is {product.kind.value}", field="kind"
        )
    if terms.named_buyer_required and named_buyer_id is None:
        raise ValidationError("a single-buyer policy names its buyer", field="named_buyer_id")
    policy = Policy(
        number=_next_number(session, period_start.year),
        policyholder_id=policyholder_id,
        insurer_id=product.insurer_id,
        product_id=product.id,
        product_kind=product.kind,
        quote_id=quote_id,
        named_buyer_id=named_buyer_id,
        rate_table_id=rate_table_id,
        rate_adjustment=check_adjustment(rate_adjustment),
        preferential_discount=check_discount(preferential_discount).value,
        currency=terms.currency,
        period_start=period_start,
        period_end=period_end,
        status=PolicyStatus.IN_FORCE,
        issued_at=utcnow(),
    )
    policy.versions.append(
        PolicyVersion(
            version=1,
            effective_from=period_start,
            reason="issued",
            terms_json=terms.to_json(),
            created_by_user_id=actor.user_id,
        )
    )
    session.add(policy)
    session.flush()
    _audit(session, actor, "policy.issued", policy, number=policy.number)
    return policy


def list_policies(session: Session, actor: Actor, *, status: PolicyStatus | None = None) -> Sequence[Policy]:
    """The policies the actor's organisation has a part in, newest first."""
    query = select(Policy)
    if status is not None:
        query = query.where(Policy.status == status)
    return session.scalars(query.order_by(Policy.issued_at.desc(), Policy.number.desc())).all()


def get_policy(session: Session, actor: Actor, policy_id: uuid.UUID) -> Policy:
    """One policy the actor's organisation has a part in; NotFound otherwise."""
    policy = session.scalar(select(Policy).where(Policy.id == policy_id))
    if policy is None:
        raise NotFound("no such policy")
    return policy


def find_policy(session: Session, actor: Actor, number_or_id: str) -> Policy:
    """A policy the actor may see, by its number (TC-2025-000123) or its id; NotFound otherwise."""
    text = number_or_id.strip()
    try:
        query = select(Policy).where(Policy.id == uuid.UUID(text))
    except ValueError:
        query = select(Policy).where(Policy.number == text)
    policy = session.scalars(query).first()
    if policy is None:
        raise NotFound(f"no policy has the number or id {text!r}", field="policy")
    return policy


def covers(policy: Policy, day: dt.date) -> bool:
    """True when the policy gives cover on `day` (in its period, before any cancellation date)."""
    if not policy.period_start <= day <= policy.period_end:
        return False
    return policy.cancelled_on is None or day < policy.cancelled_on


def version_on(policy: Policy, day: dt.date) -> PolicyVersion:
    """The version in effect on a day of the policy period."""
    if not policy.period_start <= day <= policy.period_end:
        raise BusinessRuleViolation(
            f"policy {policy.number} runs from {policy.period_start} to {policy.period_end}, not on {day}",
            field="date",
        )
    effective = [v for v in policy.versions if v.effective_from <= day]
    return max(effective, key=lambda v: v.version) if effective else policy.versions[0]


def terms_on(policy: Policy, day: dt.date) -> PolicyTerms:
    """The policy's terms in effect on a day of its period (the latest endorsement effective by then)."""
    return version_on(policy, day).terms


def endorse_policy(
    session: Session,
    actor: Actor,
    policy_id: uuid.UUID,
    *,
    terms: PolicyTerms,
    effective_from: dt.date,
    reason: str,
) -> PolicyVersion:
    """Change a policy's terms from a date: a new version; earlier versions stay as they were."""
    policy = get_policy(session, actor, policy_id)
    _check_insurer_staff(session, actor, policy.insurer_id)
    if policy.status is not PolicyStatus.IN_FORCE:
        raise BusinessRuleViolation(f"policy {policy.number} is {policy.status.value}", field="policy_id")
    if terms.kind is not policy.product_kind:
        raise ValidationError(f"the policy is {policy.product_kind.value}", field="kind")
    if terms.currency != policy.currency:
        raise ValidationError(f"the policy currency is {policy.currency}", field="currency")
    if not policy.period_start <= effective_from <= policy.period_end:
        raise ValidationError("must fall within the policy period", field="effective_from")
    latest = policy.current_version
    if effective_from < latest.effective_from:
        raise ValidationError(
            f"must not come before version {latest.version}'s effective date {latest.effective_from}",
            field="effective_from",
        )
    version = PolicyVersion(
        policy_id=policy.id,
        version=latest.version + 1,
        effective_from=effective_from,
        reason=_reason(reason),
        terms_json=terms.to_json(),
        created_by_user_id=actor.user_id,
    )
    policy.versions.append(version)
    session.flush()
    changed = sorted(k for k, v in version.terms_json.items() if latest.terms_json.get(k) != v)
    _audit(session, actor, "policy.endorsed", policy, version=version.version, changed=changed)
    return version


def cancel_policy(
    session: Session, actor: Actor, policy_id: uuid.UUID, *, effective_on: dt.date, reason: str
) -> Policy:
    """Cancel a policy from a date (no cover from that day on), by its insurer or its policyholder."""
    policy = get_policy(session, actor, policy_id)
    if not actor.is_platform_admin:
        if administers(session, actor.organisation_id, policy.insurer_id):
            actor.require(*INSURER_STAFF)
        else:
            actor.require(Role.POLICYHOLDER)
    if policy.status is not PolicyStatus.IN_FORCE:
        raise BusinessRuleViolation(f"policy {policy.number} is {policy.status.value}", field="policy_id")
    if not policy.period_start <= effective_on <= policy.period_end:
        raise ValidationError("must fall within the policy period", field="effective_on")
    why = _reason(reason)
    policy.status = PolicyStatus.CANCELLED
    policy.cancelled_on = effective_on
    policy.cancellation_reason = why
    session.flush()
    mark_stale(session, [policy.id])
    _audit(session, actor, "policy.cancelled", policy, effective_on=effective_on.isoformat())
    return policy


def expire_policies(session: Session, today: dt.date) -> int:
    """Mark every policy in force whose period ended before `today` as expired (the scheduled run)."""
    due = session.scalars(
        select(Policy).where(Policy.status == PolicyStatus.IN_FORCE, Policy.period_end < today)
    ).all()
    system = Actor.system()
    for policy in due:
        policy.status = PolicyStatus.EXPIRED
        policy.expired_on = policy.period_end + dt.timedelta(days=1)
        _audit(session, system, "policy.expired", policy)
    session.flush()
    return len(due)


def rate_grid_of(session: Session, policy: Policy) -> RateGrid:
    """The rate grid a policy was issued with."""
    table = session.scalar(
        select(RateTable).where(RateTable.id == policy.rate_table_id).execution_options(tenant_exempt=True)
    )
    if table is None:
        raise BusinessRuleViolation(f"policy {policy.number} has no rate table", field="policy_id")
    return rate_grid(table)


def shipment_premium(
    policy: Policy, grid: RateGrid, *, buyer_grade: int, country_grade: int, credit_days: int, amount: Money
) -> Money:
    """A shipment's premium under a policy: its rate table, adjustment and discount; rounded once."""
    if amount.currency != policy.currency:
        raise ValidationError(f"must be in the policy currency {policy.currency}", field="amount")
    return price_shipment(
        grid,
        buyer_grade=buyer_grade,
        country_grade=country_grade,
        credit_days=credit_days,
        amount=amount,
        discount=Rate(policy.preferential_discount),
        adjustment=policy.rate_adjustment,
    )


def issue_platform_policy(
    session: Session,
    actor: Actor,
    *,
    product: Product,
    policyholder_id: uuid.UUID,
    period_start: dt.date,
    period_end: dt.date,
) -> Policy:
    """A firm's own policy under an insurer's platform (cohort) product, issued on enrolment."""
    if product.kind is not ProductKind.PLATFORM:
        raise ValidationError("only a platform (cohort) product is issued on enrolment", field="product_id")
    if not actor.is_platform_admin:
        actor.require(Role.POLICYHOLDER, Role.PROGRAMME_OFFICER)
        if actor.has(Role.POLICYHOLDER) and actor.organisation_id != policyholder_id:
            raise PermissionDenied("a firm enrols itself only")
    # The insurer offers the platform product to every firm a programme enrols: the policy is issued on
    # its standing terms, on the insurer's behalf, without a quote.
    return issue_policy(
        session,
        Actor.system(),
        product=product,
        policyholder_id=policyholder_id,
        terms=product.terms,
        period_start=period_start,
        period_end=period_end,
        rate_table_id=None,
    )
