"""Reading limits (lists, cover on a date, the DCL) and the use cases that reach across limits.

The decisions live in `limits.decisions` (request, referral approval and decline, the underwriter's
queue) and the later changes in `limits.changes` (reduction and cancellation); `limits.capacity` sets
an insurer's appetite and capacity.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tradecover.alerts.service import raise_alerts
from tradecover.buyers.grades import change_buyer_grade
from tradecover.buyers.model import BuyerGradeChange
from tradecover.buyers.service import get_buyer
from tradecover.clock import get_clock
from tradecover.coinsurance.service import pool_terms_of
from tradecover.errors import ValidationError
from tradecover.limits.decisions import get_policy
from tradecover.limits.history import in_force_on
from tradecover.limits.model import COVERING_STATUSES, CreditLimit, LimitStatus
from tradecover.limits.rules import DclVerdict, dcl_verdict
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.policies.model import Policy
from tradecover.policies.service import terms_on

MAX_LISTED = 500


@dataclass(frozen=True, slots=True)
class LimitFilter:
    """What to list: one policy, one buyer, one status (any of them may be left open)."""

    policy_id: uuid.UUID | None = None
    buyer_id: uuid.UUID | None = None
    status: LimitStatus | None = None


def list_limits(
    session: Session, where: LimitFilter | None = None, *, limit: int = 100, offset: int = 0
) -> Sequence[CreditLimit]:
    """The limits the session's organisation has a part in, newest first."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LISTED:
        raise ValidationError(f"must be a whole number from 1 to {MAX_LISTED}", field="limit")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValidationError("must be a whole number, zero or more", field="offset")
    where = where or LimitFilter()
    query = select(CreditLimit)
    if where.policy_id is not None:
        query = query.where(CreditLimit.policy_id == where.policy_id)
    if where.buyer_id is not None:
        query = query.where(CreditLimit.buyer_id == where.buyer_id)
    if where.status is not None:
        query = query.where(CreditLimit.status == where.status)
    query = query.order_by(CreditLimit.created_at.desc(), CreditLimit.id).limit(limit).offset(offset)
    return session.scalars(query).all()


def _limits_of_pair(session: Session, policy_id: uuid.UUID, buyer_id: uuid.UUID) -> Sequence[CreditLimit]:
    return session.scalars(
        select(CreditLimit)
        .where(CreditLimit.policy_id == policy_id, CreditLimit.buyer_id == buyer_id)
        .order_by(CreditLimit.created_at, CreditLimit.id)
    ).all()


def cover_on(session: Session, policy_id: uuid.UUID, buyer_id: uuid.UUID, *, on: dt.date) -> Money:
    """The largest limit amount in force on a date for a buyer under a policy (zero when none)."""
    policy = get_policy(session, policy_id)
    amounts = [in_force_on(limit, on) for limit in _limits_of_pair(session, policy.id, buyer_id)]
    return max(amounts, key=lambda money: money.amount, default=Money.zero(policy.currency))


def dcl_available(
    session: Session,
    policy_id: uuid.UUID,
    buyer_id: uuid.UUID,
    *,
    on: dt.date | None = None,
    purchases_paid_on_time_12m: int = 0,
    has_credit_report: bool = False,
) -> DclVerdict:
    """Whether the insured may cover a buyer under the policy's discretionary limit on a date, and how much.

    The purchases paid on time come from the declarations, which this layer does not read: callers use
    `declarations.dcl.dcl_available`, which counts them and passes the count here. The latest limit on the
    buyer decides whether a zero limit bars the DCL.
    """
    day = get_clock().today() if on is None else on
    policy = get_policy(session, policy_id)
    buyer = get_buyer(session, buyer_id)
    terms = terms_on(policy, day)
    decided = [
        limit for limit in _limits_of_pair(session, policy.id, buyer.id) if limit.decided_on is not None
    ]
    latest = decided[-1] if decided else None
    barred = latest is not None and latest.bars_dcl and (latest.ends_on is None or latest.ends_on <= day)
    return dcl_verdict(
        terms.dcl,
        barred_by_zero_limit=barred,
        purchases_paid_on_time_12m=purchases_paid_on_time_12m,
        has_credit_report=has_credit_report,
        min_paid_purchases=terms.dcl_conditions.min_paid_purchases,
        credit_report_suffices=terms.dcl_conditions.credit_report_suffices,
    )


def holders_of_limits_on(session: Session, buyer_id: uuid.UUID, *, on: dt.date) -> list[uuid.UUID]:
    """Every organisation holding a limit in force on the buyer: its insureds and their insurers.

    This looks across all organisations on purpose (the actor's tenancy would hide the other insurers'
    limits) and returns only organisation ids, to address alerts.
    """
    rows = session.execute(
        select(CreditLimit.policyholder_id, CreditLimit.insurer_id)
        .where(
            CreditLimit.buyer_id == buyer_id,
            or_(
                CreditLimit.status.in_(COVERING_STATUSES),
                (CreditLimit.status == LimitStatus.CANCELLED) & (CreditLimit.ends_on > on),
            ),
        )
        .order_by(CreditLimit.created_at, CreditLimit.id)
        .execution_options(tenant_exempt=True)
    ).all()
    holders: dict[uuid.UUID, None] = {}
    for policyholder_id, insurer_id in rows:
        holders.setdefault(policyholder_id)
        holders.setdefault(insurer_id)
    # A pool has no users of its own: each of its members holds its share of the pool's limits.
    for insurer_id in dict.fromkeys(insurer_id for _, insurer_id in rows):
        terms = pool_terms_of(session, insurer_id)
        for member in terms.members if terms else ():
            holders.setdefault(member.insurer_id)
    return list(holders)


def loss_payees_financing(session: Session, buyer_id: uuid.UUID, *, on: dt.date) -> list[uuid.UUID]:
    """The banks lending against a limit in force on the buyer (loss payees of the limits' policies).

    Like `holders_of_limits_on`, this looks across organisations and returns only ids, to address alerts.
    """
    rows = session.scalars(
        select(Policy.loss_payee_id)
        .join(CreditLimit, CreditLimit.policy_id == Policy.id)
        .where(
            CreditLimit.buyer_id == buyer_id,
            Policy.loss_payee_id.is_not(None),
            or_(
                CreditLimit.status.in_(COVERING_STATUSES),
                (CreditLimit.status == LimitStatus.CANCELLED) & (CreditLimit.ends_on > on),
            ),
        )
        .order_by(Policy.number)
        .execution_options(tenant_exempt=True)
    ).all()
    return [bank_id for bank_id in dict.fromkeys(rows) if bank_id is not None]


def regrade_buyer(
    session: Session, actor: Actor, buyer_id: uuid.UUID, *, grade: int, reason: str
) -> BuyerGradeChange:
    """Change a buyer's grade and alert every organisation holding a limit in force on it."""
    change = change_buyer_grade(session, actor, buyer_id, grade=grade, reason=reason)
    buyer = change.buyer
    direction = "downgraded" if change.new_grade > change.old_grade else "upgraded"
    holders = holders_of_limits_on(session, buyer.id, on=get_clock().today())
    if holders:
        raise_alerts(
            session,
            organisation_ids=holders,
            kind="buyer_grade_changed",
            subject_type="Buyer",
            subject_id=buyer.id,
            title=f"{buyer.name} {direction} from grade {change.old_grade} to {change.new_grade}",
            message=(
                f"{buyer.name} ({buyer.country}) was {direction} from grade {change.old_grade} to "
                f"{change.new_grade}: {change.reason}. You hold a credit limit on this buyer."
            ),
        )
    banks = (
        loss_payees_financing(session, buyer.id, on=get_clock().today()) if direction == "downgraded" else []
    )
    if banks:
        raise_alerts(
            session,
            organisation_ids=banks,
            kind="financed_buyer_downgraded",
            subject_type="Buyer",
            subject_id=buyer.id,
            title=f"Financed buyer {buyer.name} downgraded to grade {change.new_grade}",
            message=(
                f"{buyer.name} ({buyer.country}) was downgraded from grade {change.old_grade} to "
                f"{change.new_grade}: {change.reason}. A policy assigned to you holds a credit limit on it."
            ),
        )
    return change
