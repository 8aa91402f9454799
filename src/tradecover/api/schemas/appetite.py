"""Shapes of an insurer's appetite rules and capacities (USD), as its admins edit them."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tradecover.api.schemas.common import NO_NUL, MoneyAmount
from tradecover.limits.model import Appetite, Capacity
from tradecover.limits.rules import AppetiteAction, AppetiteKind, CapacityScope

LineKey = Annotated[str, StringConstraints(max_length=32, pattern=NO_NUL)]


class AppetiteCreate(BaseModel):
    """A new appetite rule: refer or decline requests in a country or sector, all or past a total."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "country",
                    "key": "US",
                    "action": "decline",
                    "max_total": {"amount": "400000000.00", "currency": "USD"},
                }
            ]
        },
    )

    kind: AppetiteKind
    key: LineKey = Field(description="A country code (`US`) or a sector code (`construction`).")
    action: AppetiteAction
    max_total: MoneyAmount | None = Field(
        default=None, description="USD; the action applies past this total there. Null: to every request."
    )


class AppetiteUpdate(BaseModel):
    """A rule's new action and total (its country or sector stays)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"action": "refer", "max_total": {"amount": "250000.00", "currency": "USD"}}]
        },
    )

    action: AppetiteAction
    max_total: MoneyAmount | None = None


class AppetiteOut(BaseModel):
    """One appetite rule of the caller's insurer."""

    id: uuid.UUID
    insurer_id: uuid.UUID
    kind: AppetiteKind
    key: str
    action: AppetiteAction
    max_total: MoneyAmount | None

    @classmethod
    def of(cls, line: Appetite) -> AppetiteOut:
        """The wire form of a rule."""
        maximum = line.max_total_usd
        return cls(
            id=line.id,
            insurer_id=line.insurer_id,
            kind=line.kind,
            key=line.key,
            action=line.action,
            max_total=None if maximum is None else MoneyAmount.of(maximum),
        )


class CapacityCreate(BaseModel):
    """A new capacity of the caller's insurer: in total, in a country or in a sector (USD)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"scope": "country", "key": "US", "amount": {"amount": "900000000.00", "currency": "USD"}}
            ]
        },
    )

    scope: CapacityScope
    key: LineKey = Field(default="", description="Empty for the total; a country or sector code otherwise.")
    amount: MoneyAmount


class CapacityUpdate(BaseModel):
    """A capacity's new amount (USD); never below what limits already take of it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"amount": {"amount": "800000000.00", "currency": "USD"}}]},
    )

    amount: MoneyAmount


class CapacityOut(BaseModel):
    """One capacity of the caller's insurer, what limits take of it and what is left."""

    id: uuid.UUID
    insurer_id: uuid.UUID
    scope: CapacityScope
    key: str
    amount: MoneyAmount
    committed: MoneyAmount
    remaining: MoneyAmount

    @classmethod
    def of(cls, capacity: Capacity) -> CapacityOut:
        """The wire form of a capacity."""
        return cls(
            id=capacity.id,
            insurer_id=capacity.insurer_id,
            scope=capacity.scope,
            key=capacity.key,
            amount=MoneyAmount.of(capacity.amount_usd),
            committed=MoneyAmount.of(capacity.committed_usd),
            remaining=MoneyAmount.of(capacity.remaining_usd),
        )
