"""Bodies for credit limits: requests, decisions, reductions, cancellations and their history."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tradecover.api.schemas.common import NO_NUL, MoneyAmount
from tradecover.limits.history import in_force_on
from tradecover.limits.model import CreditLimit, LimitEvent, LimitEventKind, LimitStatus
from tradecover.limits.rules import DecidingRule
from tradecover.limits.service import MAX_LISTED
from tradecover.money import Money

Note = Annotated[str, StringConstraints(max_length=300, pattern=NO_NUL)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=NO_NUL)]
NoticeDays = Annotated[int, Field(ge=0, le=365)]


class LimitRequestCreate(BaseModel):
    """Cover asked for on a buyer under a policy, in the policy currency."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "policy_id": "3f1c2a9e-7b64-4c1e-9a57-0d2b8e6f4a11",
                    "buyer_id": "8d0e5b7c-2f43-4a9b-b6e1-5c7a9d3f2e80",
                    "amount": {"amount": "250000.00", "currency": "USD"},
                }
            ]
        },
    )

    policy_id: uuid.UUID
    buyer_id: uuid.UUID
    amount: MoneyAmount


class ApprovalCreate(BaseModel):
    """An underwriter's approval of a referral: the whole request, or a lower amount; an optional note."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"amount": {"amount": "600000.00", "currency": "USD"}, "note": "references checked"}]
        },
    )

    amount: MoneyAmount | None = Field(default=None, description="At most the amount requested.")
    note: Note | None = None


class DeclineCreate(BaseModel):
    """An underwriter's refusal of a referral, with the reason the policyholder will read."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "accounts overdue"}]}
    )

    reason: Reason


class ReductionCreate(BaseModel):
    """The insurer lowers a limit; the old amount stays in force for the notice period."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "new_amount": {"amount": "100000.00", "currency": "USD"},
                    "reason": "weaker payment record",
                    "notice_days": 30,
                }
            ]
        },
    )

    new_amount: MoneyAmount
    reason: Reason
    notice_days: NoticeDays | None = Field(default=None, description="Default: the policy's notice period.")


class CancellationCreate(BaseModel):
    """The insurer cancels a limit after a notice period (default: the policy's)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "insolvency filing", "notice_days": 30}]}
    )

    reason: Reason
    notice_days: NoticeDays | None = None


class WithdrawalCreate(BaseModel):
    """The policyholder gives up a limit or withdraws a referred request, at once."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "no more sales"}]})

    reason: Note | None = None


class LimitQuery(BaseModel):
    """Which limits to list."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"status": "referred"}]})

    policy_id: uuid.UUID | None = None
    buyer_id: uuid.UUID | None = None
    status: LimitStatus | None = None
    limit: int = Field(default=100, ge=1, le=MAX_LISTED)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class LimitOut(BaseModel):
    """A credit limit as its policyholder and insurer see it."""

    id: uuid.UUID
    reference: str
    policy_id: uuid.UUID
    buyer_id: uuid.UUID
    buyer_name: str
    buyer_country: str
    status: LimitStatus
    requested: MoneyAmount
    amount: MoneyAmount = Field(description="The amount decided last (in force once any notice ends).")
    in_force: MoneyAmount = Field(description="The amount in force on `in_force_on`.")
    in_force_on: dt.date
    rule: DecidingRule | None = Field(description="The rule that decided (see docs/limits.md).")
    reason: str | None
    two_approvals_needed: bool
    awaiting_second_approval: bool
    requested_on: dt.date
    decided_on: dt.date | None
    review_on: dt.date | None
    ends_on: dt.date | None
    bars_dcl: bool

    @classmethod
    def of(cls, limit: CreditLimit, on: dt.date) -> LimitOut:
        """The wire form of a limit, with its amount in force on a date."""
        return cls(
            id=limit.id,
            reference=limit.reference,
            policy_id=limit.policy_id,
            buyer_id=limit.buyer_id,
            buyer_name=limit.buyer.name,
            buyer_country=limit.buyer_country,
            status=limit.status,
            requested=MoneyAmount.of(limit.requested),
            amount=MoneyAmount.of(limit.amount),
            in_force=MoneyAmount.of(in_force_on(limit, on)),
            in_force_on=on,
            rule=limit.rule,
            reason=limit.reason,
            two_approvals_needed=limit.two_approvals_needed,
            awaiting_second_approval=limit.status is LimitStatus.REFERRED
            and limit.first_approver_user_id is not None,
            requested_on=limit.requested_on,
            decided_on=limit.decided_on,
            review_on=limit.review_on,
            ends_on=limit.ends_on,
            bars_dcl=limit.bars_dcl,
        )


class LimitEventOut(BaseModel):
    """One entry of a limit's history; an amount is in force from `effective_on`."""

    sequence: int
    kind: LimitEventKind
    amount: MoneyAmount | None
    effective_on: dt.date
    at: dt.datetime
    user_id: uuid.UUID | None
    rule: DecidingRule | None
    reason: str

    @classmethod
    def of(cls, event: LimitEvent, currency: str) -> LimitEventOut:
        """The wire form of an event."""
        amount = (
            None
            if event.amount_minor is None
            else MoneyAmount.of(Money.from_minor(event.amount_minor, currency))
        )
        return cls(
            sequence=event.sequence,
            kind=event.kind,
            amount=amount,
            effective_on=event.effective_on,
            at=event.at,
            user_id=event.user_id,
            rule=event.rule,
            reason=event.reason,
        )
