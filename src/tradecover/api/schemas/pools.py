"""Bodies for coinsurance pools: creating one, members' capacity, a member's share view."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tradecover.api.schemas.common import NO_NUL, MoneyAmount
from tradecover.coinsurance.capacity import MemberUse
from tradecover.coinsurance.service import MemberPlan, PoolView
from tradecover.limits.model import LimitStatus
from tradecover.limits.pool_shares import LimitShare, MemberShares, PolicyShare
from tradecover.money import Money
from tradecover.policies.model import PolicyStatus

ExactNumber = Annotated[str, StringConstraints(pattern=r"^-?[0-9]{1,6}(\.[0-9]{1,12})?$")]


def _money(amount: MoneyAmount | None) -> Money | None:
    return None if amount is None else amount.to_money()


class MemberCreate(BaseModel):
    """One member of a new pool: an insurer, its exact share (e.g. "0.35") and its capacities."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"insurer_id": "8d0e5b7c-2f43-4a9b-b6e1-5c7a9d3f2e80", "share": "0.4"}]
        },
    )

    insurer_id: uuid.UUID
    share: ExactNumber = Field(description='Exact decimal share, e.g. `"0.35"`; shares add up to exactly 1.')
    total_capacity: MoneyAmount | None = Field(default=None, description="In the pool's currency.")
    per_buyer_capacity: MoneyAmount | None = None
    per_country_capacity: MoneyAmount | None = None

    def plan(self) -> MemberPlan:
        """The service's form."""
        return MemberPlan(
            insurer_id=self.insurer_id,
            share=Decimal(self.share),
            total_capacity=_money(self.total_capacity),
            per_buyer_capacity=_money(self.per_buyer_capacity),
            per_country_capacity=_money(self.per_country_capacity),
        )


class PoolCreate(BaseModel):
    """A new coinsurance pool (platform admin): members with shares adding up to 100%, a leader."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Domestic Trade Credit Coinsurance Pool",
                    "country": "CN",
                    "currency": "CNY",
                    "leader_id": "3f1c2a9e-7b64-4c1e-9a57-0d2b8e6f4a11",
                    "leader_commission": "0.05",
                    "members": [
                        {
                            "insurer_id": "3f1c2a9e-7b64-4c1e-9a57-0d2b8e6f4a11",
                            "share": "0.6",
                            "total_capacity": {"amount": "6000000000.00", "currency": "CNY"},
                        },
                        {"insurer_id": "8d0e5b7c-2f43-4a9b-b6e1-5c7a9d3f2e80", "share": "0.4"},
                    ],
                    "starts_on": "2025-06-12",
                }
            ]
        },
    )

    name: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]
    country: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    leader_id: uuid.UUID
    leader_commission: ExactNumber = Field(description='Rate on the other members\' premium, e.g. `"0.05"`.')
    members: list[MemberCreate] = Field(min_length=1, max_length=50)
    starts_on: dt.date | None = None


class CapacitySet(BaseModel):
    """A member's capacity for the pool, in the pool's currency (per buyer / country: none when null)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "total": {"amount": "3500000000.00", "currency": "CNY"},
                    "per_buyer": {"amount": "175000000.00", "currency": "CNY"},
                }
            ]
        },
    )

    total: MoneyAmount
    per_buyer: MoneyAmount | None = None
    per_country: MoneyAmount | None = None


class MemberOut(BaseModel):
    """A member of a pool: share, place, capacities, and what limits use of its total."""

    insurer_id: uuid.UUID
    name: str
    position: int = Field(description="0 is the leader.")
    is_leader: bool
    share: str
    total_capacity: MoneyAmount
    per_buyer_capacity: MoneyAmount | None
    per_country_capacity: MoneyAmount | None
    used: MoneyAmount
    left: MoneyAmount

    @classmethod
    def of(cls, use: MemberUse, leader_id: uuid.UUID) -> MemberOut:
        """The wire form of a member's use of its capacity."""
        m = use.member
        return cls(
            insurer_id=m.insurer_id,
            name=use.name,
            position=m.position,
            is_leader=m.insurer_id == leader_id,
            share=format(m.share, "f"),
            total_capacity=MoneyAmount.of(m.total_capacity),
            per_buyer_capacity=None if m.per_buyer_capacity is None else MoneyAmount.of(m.per_buyer_capacity),
            per_country_capacity=None
            if m.per_country_capacity is None
            else MoneyAmount.of(m.per_country_capacity),
            used=MoneyAmount.of(use.used),
            left=MoneyAmount.of(use.left),
        )


class PoolOut(BaseModel):
    """A coinsurance pool as its members see it."""

    id: uuid.UUID
    name: str
    country: str
    currency: str
    leader_id: uuid.UUID
    leader_name: str
    leader_commission: str
    starts_on: dt.date | None
    members: list[MemberOut]

    @classmethod
    def of(cls, view: PoolView, uses: list[MemberUse]) -> PoolOut:
        """The wire form of a pool with its members' capacity use."""
        return cls(
            id=view.id,
            name=view.name,
            country=view.organisation.country,
            currency=view.pool.currency,
            leader_id=view.pool.leader_id,
            leader_name=view.leader_name,
            leader_commission=format(view.pool.leader_commission, "f"),
            starts_on=view.pool.starts_on,
            members=[MemberOut.of(use, view.pool.leader_id) for use in uses],
        )


class PolicyShareOut(BaseModel):
    """One policy of the pool and the member's part of the limits covering under it."""

    policy_id: uuid.UUID
    number: str
    policyholder_name: str
    status: PolicyStatus
    period_start: dt.date
    period_end: dt.date
    limits: MoneyAmount
    my_part: MoneyAmount

    @classmethod
    def of(cls, share: PolicyShare) -> PolicyShareOut:
        """The wire form."""
        return cls(
            policy_id=share.policy_id,
            number=share.number,
            policyholder_name=share.policyholder_name,
            status=share.status,
            period_start=share.period_start,
            period_end=share.period_end,
            limits=MoneyAmount.of(share.limits),
            my_part=MoneyAmount.of(share.part),
        )


class LimitShareOut(BaseModel):
    """One limit of the pool and the member's part of it."""

    limit_id: uuid.UUID
    reference: str
    policy_id: uuid.UUID
    buyer_name: str
    buyer_country: str
    status: LimitStatus
    amount: MoneyAmount
    my_part: MoneyAmount
    capacity_taken: MoneyAmount | None = Field(
        description="What the limit takes of the member (pool currency)."
    )

    @classmethod
    def of(cls, share: LimitShare) -> LimitShareOut:
        """The wire form."""
        return cls(
            limit_id=share.limit_id,
            reference=share.reference,
            policy_id=share.policy_id,
            buyer_name=share.buyer_name,
            buyer_country=share.buyer_country,
            status=share.status,
            amount=MoneyAmount.of(share.amount),
            my_part=MoneyAmount.of(share.part),
            capacity_taken=None if share.capacity_taken is None else MoneyAmount.of(share.capacity_taken),
        )


class SharesOut(BaseModel):
    """A member's share view of a pool."""

    pool_id: uuid.UUID
    member_id: uuid.UUID
    member_name: str
    share: str
    policies: list[PolicyShareOut]
    limits: list[LimitShareOut]

    @classmethod
    def of(cls, shares: MemberShares) -> SharesOut:
        """The wire form."""
        return cls(
            pool_id=shares.pool.id,
            member_id=shares.member.insurer_id,
            member_name=shares.member_name,
            share=format(shares.share, "f"),
            policies=[PolicyShareOut.of(p) for p in shares.policies],
            limits=[LimitShareOut.of(x) for x in shares.limits],
        )


class SharesQuery(BaseModel):
    """Whose share to show: the caller's organisation by default (the leader's for the operator)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"member_id": "8d0e5b7c-2f43-4a9b-b6e1-5c7a9d3f2e80"}]},
    )

    member_id: uuid.UUID | None = None
