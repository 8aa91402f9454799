"""Members' capacity for a pool: what a limit on a pool policy takes of each member, under a lock.

A limit takes each member's capacity by its share: the limit amount, converted to the pool currency at
the reference FX rate of the decision date, is apportioned among the members (leader first). Deciding
locks the pool's member rows (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writers), then
reads what limits already take of them, so racing requests queue and no member's capacity goes below
zero. What each member takes is recorded per limit (`PoolLimitTake`), so that a reduction or a
cancellation gives back exactly what was taken.

Limits are decided in the policyholder's session, which may not see the pool's members: these reads are
exempt from tenant scoping, filtered by the pool explicitly; only the decision and its reason reach the
policyholder.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.coinsurance.model import Pool, PoolLimitTake, PoolMember
from tradecover.coinsurance.rules import (
    CapacityFit,
    MemberCapacityLeft,
    MemberShare,
    apportion,
    convert,
    fit_by_share,
    most_within,
    show,
)
from tradecover.coinsurance.service import names_of
from tradecover.money import Money
from tradecover.reference.fx import fx_rate


@dataclass(frozen=True, slots=True)
class PoolFit:
    """What a limit request on a pool policy may take: the amount granted and each member's part."""

    pool_id: uuid.UUID
    requested: Money
    granted: Money
    fx_rate: Decimal
    members: tuple[PoolMember, ...]
    parts: tuple[Money, ...]
    fit: CapacityFit
    why: str

    @property
    def fits_whole(self) -> bool:
        """True when the whole amount asked fits every member."""
        return self.granted == self.requested


def lock_members(session: Session, pool_id: uuid.UUID) -> list[PoolMember]:
    """The pool's member rows, leader first, locked until commit."""
    return list(
        session.scalars(
            select(PoolMember)
            .where(PoolMember.pool_id == pool_id)
            .order_by(PoolMember.position)
            .with_for_update()
            # Read what the lock protects, not an older copy; the policyholder may not see members.
            .execution_options(populate_existing=True, tenant_exempt=True)
        )
    )


def _taken(
    session: Session,
    pool_id: uuid.UUID,
    insurer_id: uuid.UUID,
    *,
    buyer_id: uuid.UUID | None = None,
    country: str | None = None,
) -> int:
    query = select(func.coalesce(func.sum(PoolLimitTake.amount_minor), 0)).where(
        PoolLimitTake.pool_id == pool_id, PoolLimitTake.insurer_id == insurer_id
    )
    if buyer_id is not None:
        query = query.where(PoolLimitTake.buyer_id == buyer_id)
    if country is not None:
        query = query.where(PoolLimitTake.country == country)
    return int(session.scalar(query.execution_options(tenant_exempt=True)) or 0)


def _left(capacity_minor: int | None, taken_minor: int, currency: str) -> Money | None:
    return None if capacity_minor is None else Money.from_minor(capacity_minor - taken_minor, currency)


def capacity_left(
    session: Session, members: Sequence[PoolMember], *, buyer_id: uuid.UUID, country: str
) -> list[MemberCapacityLeft]:
    """What each (locked) member has left in total, on the buyer and in the country."""
    names = names_of(session, [m.insurer_id for m in members])
    lefts = []
    for m in members:
        total = _taken(session, m.pool_id, m.insurer_id)
        on_buyer = _taken(session, m.pool_id, m.insurer_id, buyer_id=buyer_id)
        in_country = _taken(session, m.pool_id, m.insurer_id, country=country)
        lefts.append(
            MemberCapacityLeft(
                member=MemberShare(m.insurer_id, m.share, m.position),
                name=names.get(m.insurer_id, "a member"),
                total_left=Money.from_minor(m.total_capacity_minor - total, m.currency),
                buyer_left=_left(m.per_buyer_capacity_minor, on_buyer, m.currency),
                country_left=_left(m.per_country_capacity_minor, in_country, m.currency),
            )
        )
    return lefts


def _fits(parts: Sequence[Money], lefts: Sequence[MemberCapacityLeft]) -> bool:
    return all(part <= left for part, m in zip(parts, lefts, strict=True) for _, left in m.bounds())


def fit_pool_limit(
    session: Session,
    pool_id: uuid.UUID,
    *,
    requested: Money,
    buyer_id: uuid.UUID,
    buyer_name: str,
    country: str,
    on: dt.date,
) -> PoolFit | None:
    """Lock the pool's members and find how much of `requested` fits them by share; None if not a pool."""
    pool = session.scalars(
        select(Pool).where(Pool.id == pool_id).execution_options(tenant_exempt=True)
    ).first()
    if pool is None:
        return None
    members = lock_members(session, pool_id)
    lefts = capacity_left(session, members, buyer_id=buyer_id, country=country)
    shares = [m.member for m in lefts]
    rate = fx_rate(requested.currency, pool.currency, on)
    fit = fit_by_share(convert(requested, rate, pool.currency), lefts)
    if fit.fits_whole:
        granted, parts = requested, list(fit.parts)
    else:
        # The most of the limit currency whose converted parts fit (converting rounds half up).
        granted = most_within(requested.currency, fit.amount, rate).min(requested)
        parts = apportion(convert(granted, rate, pool.currency), shares)
        step = Money.from_minor(1, requested.currency)
        while granted.is_positive and not _fits(parts, lefts):
            granted = granted - step
            parts = apportion(convert(granted, rate, pool.currency), shares)
    return PoolFit(
        pool_id=pool_id,
        requested=requested,
        granted=granted,
        fx_rate=rate,
        members=tuple(members),
        parts=tuple(parts),
        fit=fit,
        why=fit.why(buyer_name, country),
    )


def take(session: Session, fit: PoolFit, *, limit_id: uuid.UUID, buyer_id: uuid.UUID, country: str) -> None:
    """Record what a decided limit takes of each member (the parts of the granted amount)."""
    for member, part in zip(fit.members, fit.parts, strict=True):
        session.add(
            PoolLimitTake(
                limit_id=limit_id,
                pool_id=fit.pool_id,
                insurer_id=member.insurer_id,
                buyer_id=buyer_id,
                country=country,
                currency=part.currency,
                fx_rate=fit.fx_rate,
                amount_minor=part.minor_units,
            )
        )
    session.flush()


def give_back(session: Session, pool_id: uuid.UUID, limit_id: uuid.UUID, new_amount: Money) -> None:
    """A limit was reduced to `new_amount` (zero: cancelled): give back what its members took beyond it.

    The new amount is converted at the decision's rate and apportioned as before; no member's take ever
    rises (an apportionment of a smaller whole may give one member a minor unit more).
    """
    has_takes = session.scalar(
        select(PoolLimitTake.id)
        .where(PoolLimitTake.limit_id == limit_id)
        .execution_options(tenant_exempt=True)
    )
    if has_takes is None:
        return  # not a pool policy, or a limit that took nothing
    members = lock_members(session, pool_id)
    takes = {
        t.insurer_id: t
        for t in session.scalars(
            select(PoolLimitTake)
            .where(PoolLimitTake.limit_id == limit_id)
            .execution_options(populate_existing=True, tenant_exempt=True)
        )
    }
    if not takes:
        return
    some = next(iter(takes.values()))
    shares = [MemberShare(m.insurer_id, m.share, m.position) for m in members]
    parts = apportion(convert(new_amount, some.fx_rate, some.currency), shares)
    for member, part in zip(members, parts, strict=True):
        taken = takes.get(member.insurer_id)
        if taken is not None:
            taken.amount_minor = max(0, min(taken.amount_minor, part.minor_units))
    session.flush()


def reason_for(fit: PoolFit, of: Money) -> str:
    """The recorded reason when the pool's members bound a decision."""
    if not fit.granted.is_positive:
        return f"declined: {fit.why}"
    return f"partly approved: {show(fit.granted)} of {show(of).split(' ', 1)[1]} — {fit.why}"


@dataclass(frozen=True, slots=True)
class MemberUse:
    """One member's capacity for the pool, what limits take of it and what is left (pool currency)."""

    member: PoolMember
    name: str
    used: Money

    @property
    def left(self) -> Money:
        """What is left of the member's total capacity (negative when lowered below what is used)."""
        return self.member.total_capacity - self.used


def capacity_use(session: Session, pool_id: uuid.UUID) -> list[MemberUse]:
    """Each member's total capacity, used and left, leader first (as the session may see the pool)."""
    members = session.scalars(
        select(PoolMember).where(PoolMember.pool_id == pool_id).order_by(PoolMember.position)
    ).all()
    names = names_of(session, [m.insurer_id for m in members])
    used = dict(
        session.execute(
            select(PoolLimitTake.insurer_id, func.sum(PoolLimitTake.amount_minor))
            .where(PoolLimitTake.pool_id == pool_id)
            .group_by(PoolLimitTake.insurer_id)
        ).all()
    )
    return [
        MemberUse(
            m, names.get(m.insurer_id, "?"), Money.from_minor(int(used.get(m.insurer_id) or 0), m.currency)
        )
        for m in members
    ]
