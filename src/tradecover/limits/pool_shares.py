"""A pool member's share view: every policy and limit of the pool with this member's part of it.

The parts are `coinsurance.rules.apportion` of each amount among the pool's members (leader first), so
the members' parts of a limit add up exactly to the limit, as their parts of premium and claims do.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.coinsurance.model import PoolLimitTake, PoolMember
from tradecover.coinsurance.rules import MemberShare, apportion
from tradecover.coinsurance.service import PoolView, get_pool, names_of
from tradecover.errors import NotFound, PermissionDenied
from tradecover.limits.model import COVERING_STATUSES, CreditLimit, LimitStatus
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.policies.model import Policy, PolicyStatus

MAX_LISTED = 500


@dataclass(frozen=True, slots=True)
class LimitShare:
    """One limit of the pool and the member's part of its amount (and of the capacity it takes)."""

    limit_id: uuid.UUID
    reference: str
    policy_id: uuid.UUID
    buyer_name: str
    buyer_country: str
    status: LimitStatus
    amount: Money
    part: Money
    capacity_taken: Money | None


@dataclass(frozen=True, slots=True)
class PolicyShare:
    """One policy of the pool and the member's part of the limits covering under it."""

    policy_id: uuid.UUID
    number: str
    policyholder_name: str
    status: PolicyStatus
    period_start: dt.date
    period_end: dt.date
    limits: Money
    part: Money


@dataclass(frozen=True, slots=True)
class MemberShares:
    """What one member holds of a pool: its share, and its part of every policy and limit."""

    pool: PoolView
    member: PoolMember
    member_name: str
    policies: list[PolicyShare]
    limits: list[LimitShare]

    @property
    def share(self) -> Decimal:
        """The member's share of the pool."""
        return self.member.share


def _member(view: PoolView, actor: Actor, member_id: uuid.UUID | None) -> PoolMember:
    members = view.members
    if member_id is None:
        member_id = view.pool.leader_id if actor.is_platform_admin else actor.organisation_id
    found = next((m for m in members if m.insurer_id == member_id), None)
    if found is None:
        if actor.is_platform_admin or any(m.insurer_id == actor.organisation_id for m in members):
            raise NotFound(f"no such member of the pool: {member_id}", field="member_id")
        raise PermissionDenied("the share view is for the pool's members")
    return found


def member_shares(
    session: Session, actor: Actor, pool_id: uuid.UUID, *, member_id: uuid.UUID | None = None
) -> MemberShares:
    """A member's part of every policy and limit of the pool (the actor's own, or `member_id`'s)."""
    view = get_pool(session, actor, pool_id)
    member = _member(view, actor, member_id)
    shares = [MemberShare(m.insurer_id, m.share, m.position) for m in view.members]
    index = next(i for i, m in enumerate(view.members) if m.insurer_id == member.insurer_id)
    limits = session.scalars(
        select(CreditLimit)
        .where(CreditLimit.insurer_id == pool_id, CreditLimit.status.in_(COVERING_STATUSES))
        .order_by(CreditLimit.requested_on.desc(), CreditLimit.id)
        .limit(MAX_LISTED)
    ).all()
    taken = {
        t.limit_id: t.amount
        for t in session.scalars(
            select(PoolLimitTake).where(
                PoolLimitTake.insurer_id == member.insurer_id,
                PoolLimitTake.limit_id.in_([limit.id for limit in limits]),
            )
        )
    }
    limit_shares = [
        LimitShare(
            limit_id=limit.id,
            reference=limit.reference,
            policy_id=limit.policy_id,
            buyer_name=limit.buyer.name,
            buyer_country=limit.buyer_country,
            status=limit.status,
            amount=limit.amount,
            part=apportion(limit.amount, shares)[index],
            capacity_taken=taken.get(limit.id),
        )
        for limit in limits
    ]
    policies = session.scalars(
        select(Policy).where(Policy.insurer_id == pool_id).order_by(Policy.number).limit(MAX_LISTED)
    ).all()
    holders = names_of(session, [p.policyholder_id for p in policies])
    policy_shares = []
    for policy in policies:
        under = [s for s in limit_shares if s.policy_id == policy.id]
        zero = Money.zero(policy.currency)
        policy_shares.append(
            PolicyShare(
                policy_id=policy.id,
                number=policy.number,
                policyholder_name=holders.get(policy.policyholder_id, "?"),
                status=policy.status,
                period_start=policy.period_start,
                period_end=policy.period_end,
                limits=sum((s.amount for s in under), zero),
                part=sum((s.part for s in under), zero),
            )
        )
    return MemberShares(
        pool=view,
        member=member,
        member_name=view.member_names.get(member.insurer_id, "?"),
        policies=policy_shares,
        limits=limit_shares,
    )
