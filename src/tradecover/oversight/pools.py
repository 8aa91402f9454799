"""Coinsurance pool metrics: each pool's capacity and what limits take of it, members' shares, and an
insurer's share of each pool's insured turnover and claims paid in the period.

Capacity and use are as they stand (limits take capacity when decided and give it back when cut), in the
pool's currency, converted at the rate of the period's last month. An insurer's share of a pool's insured
turnover is its share of the insured amount of the shipments declared on the pool's policies in the
period; its claims paid are its own parts of claims paid in the period.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from tradecover.claims.model import Claim, ClaimMemberShare
from tradecover.coinsurance.model import Pool, PoolLimitTake, PoolMember
from tradecover.oversight.claims import ZERO, by_key, month_of, monthly, organisation_names, ratio, within
from tradecover.oversight.conversion import to_reporting
from tradecover.oversight.period import Period, month_start
from tradecover.oversight.scope import EXEMPT, Audience, Scope
from tradecover.oversight.totals import policy_carrier, turnover_rows
from tradecover.policies.model import Policy


@dataclass(frozen=True, slots=True)
class MemberFigures:
    """One member of a pool: its share, capacity and what limits take of it."""

    pool: str
    member: str
    leader: bool
    share: Decimal
    capacity: Decimal
    used: Decimal
    use: Decimal | None


@dataclass(frozen=True, slots=True)
class PoolFigures:
    """One pool over its members; for an insurer, its own part of the pool's business in the period."""

    pool_id: uuid.UUID
    name: str
    members: int
    capacity: Decimal
    used: Decimal
    use: Decimal | None  # used ÷ capacity
    own_share: Decimal | None  # INSURER: its share of the pool
    own_turnover: Decimal | None  # INSURER: its share of the pool's insured turnover in the period
    own_claims_paid: Decimal | None  # INSURER: its parts of claims paid in the period


@dataclass(frozen=True, slots=True)
class PoolReport:
    """Everything the pool section shows."""

    pools: tuple[PoolFigures, ...]
    members: tuple[MemberFigures, ...]


def pools_in(scope: Scope) -> ColumnElement[bool]:
    """The pools a scope covers: all for the regulator, an insurer's own pools, none for others."""
    match scope.audience:
        case Audience.REGULATOR:
            return true()
        case Audience.INSURER:
            return Pool.id.in_(scope.insurer_ids or ())
        case _:
            return Pool.id.in_(())


def pool_report(session: Session, scope: Scope, period: Period, currency: str) -> PoolReport:
    """Capacity and use of every pool in scope, its members, and an insurer's part of each pool."""
    members = session.execute(
        select(
            PoolMember.pool_id,
            PoolMember.insurer_id,
            PoolMember.position,
            PoolMember.share,
            PoolMember.currency,
            PoolMember.total_capacity_minor,
        )
        .join(Pool, Pool.id == PoolMember.pool_id)
        .where(pools_in(scope))
        .order_by(PoolMember.pool_id, PoolMember.position)
        .execution_options(**EXEMPT)
    ).all()
    used = {
        (pool_id, insurer_id): (code, int(amount or 0))
        for pool_id, insurer_id, code, amount in session.execute(
            select(
                PoolLimitTake.pool_id,
                PoolLimitTake.insurer_id,
                PoolLimitTake.currency,
                func.sum(PoolLimitTake.amount_minor),
            )
            .join(Pool, Pool.id == PoolLimitTake.pool_id)
            .where(pools_in(scope))
            .group_by(PoolLimitTake.pool_id, PoolLimitTake.insurer_id, PoolLimitTake.currency)
            .execution_options(**EXEMPT)
        )
    }
    pool_ids = list(dict.fromkeys(row[0] for row in members))
    names = organisation_names(session, {*pool_ids, *(row[1] for row in members)})
    own = scope.organisation_id if scope.audience is Audience.INSURER else None
    turnover = _turnover(session, pool_ids, period, currency) if own else {}
    paid = _paid(session, own, period, currency) if own else {}
    on = month_start(period.end)
    member_rows: list[MemberFigures] = []
    pools: list[PoolFigures] = []
    for pool_id in pool_ids:
        rows = [row for row in members if row[0] == pool_id]
        capacity_total, used_total, own_share = ZERO, ZERO, None
        for _, insurer_id, position, share, code, capacity_minor in rows:
            capacity = to_reporting([(code, int(capacity_minor))], currency, on)
            taken = to_reporting([used.get((pool_id, insurer_id), (code, 0))], currency, on)
            capacity_total += capacity
            used_total += taken
            if insurer_id == own:
                own_share = Decimal(share)
            member_rows.append(
                MemberFigures(
                    names.get(pool_id, "?"), names.get(insurer_id, "?"), position == 0, Decimal(share),
                    capacity, taken, ratio(taken, capacity),
                )
            )  # fmt: skip
        pools.append(
            PoolFigures(
                pool_id=pool_id,
                name=names.get(pool_id, "?"),
                members=len(rows),
                capacity=capacity_total,
                used=used_total,
                use=ratio(used_total, capacity_total),
                own_share=own_share,
                own_turnover=None
                if own_share is None
                else (turnover.get(pool_id, ZERO) * own_share).quantize(Decimal("0.01")),
                own_claims_paid=None if own_share is None else paid.get(pool_id, ZERO),
            )
        )
    return PoolReport(tuple(pools), tuple(member_rows))


def _turnover(
    session: Session, pool_ids: list[uuid.UUID], period: Period, currency: str
) -> dict[uuid.UUID, Decimal]:
    """Insured turnover declared on each pool's policies in the period."""
    if not pool_ids:
        return {}
    market = Scope(Audience.REGULATOR, None, "")
    rows = turnover_rows(
        session,
        market,
        ((period.start, period.end),),
        key_of=policy_carrier,
        restrict=lambda policy_id: policy_id.in_(select(Policy.id).where(Policy.insurer_id.in_(pool_ids))),
    )
    return {
        key: amount for key, amount in by_key(monthly(rows, currency)).items() if isinstance(key, uuid.UUID)
    }


def _paid(
    session: Session, insurer_id: uuid.UUID | None, period: Period, currency: str
) -> dict[uuid.UUID, Decimal]:
    """The insurer's parts of claims on each pool's policies paid in the period."""
    month = month_of(session, ClaimMemberShare.paid_on)
    rows = session.execute(
        select(month, ClaimMemberShare.currency, Claim.insurer_id, func.sum(ClaimMemberShare.amount_minor))
        .join(Claim, Claim.id == ClaimMemberShare.claim_id)
        .where(
            ClaimMemberShare.member_id == insurer_id,
            Claim.insurer_id != insurer_id,
            within(ClaimMemberShare.paid_on, period),
        )
        .group_by(month, ClaimMemberShare.currency, Claim.insurer_id)
        .execution_options(**EXEMPT)
    ).all()
    return {
        key: amount for key, amount in by_key(monthly(rows, currency)).items() if isinstance(key, uuid.UUID)
    }
