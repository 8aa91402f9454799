"""Bodies for paying claims, recoveries, closing, and claim service levels."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tradecover.api.schemas.common import NO_NUL, IsoDate, MoneyAmount
from tradecover.claims.model import ClaimMemberShare, ClaimStatus, Recovery
from tradecover.claims.rules.service_levels import DurationStats
from tradecover.claims.service_levels import ServiceLevelRow
from tradecover.claims.settlement import SettlementView

Note = Annotated[str, StringConstraints(max_length=500, pattern=NO_NUL)]


class PaymentIn(BaseModel):
    """A member pays its part of a decided claim (the caller's own organisation unless named)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"paid_on": "2026-09-18"}, {"member_id": "6f1c…"}]}
    )

    member_id: uuid.UUID | None = Field(
        default=None, description="The paying member; the caller's own by default."
    )
    paid_on: dt.date | None = Field(default=None, description="Today by default.")


class MemberPaymentOut(BaseModel):
    """A member's part of the indemnity, where it went, and the claim's status after the payment."""

    claim_id: uuid.UUID
    claim_status: ClaimStatus
    member_id: uuid.UUID
    position: int
    share: Decimal
    amount: MoneyAmount
    to_bank: MoneyAmount
    to_insured: MoneyAmount
    paid_on: dt.date | None
    entry_id: int | None

    @classmethod
    def of(cls, part: ClaimMemberShare, status: ClaimStatus) -> MemberPaymentOut:
        """The wire form of a member's payment."""
        return cls(
            claim_id=part.claim_id,
            claim_status=status,
            member_id=part.member_id,
            position=part.position,
            share=part.share,
            amount=MoneyAmount.of(part.amount),
            to_bank=MoneyAmount.of(part.money(part.to_bank_minor)),
            to_insured=MoneyAmount.of(part.money(part.to_insured_minor)),
            paid_on=part.paid_on,
            entry_id=part.entry_id,
        )


class SettlementOut(BaseModel):
    """A claim's settlement: each member's part, paid or outstanding, and the totals."""

    claim_id: uuid.UUID
    claim_status: ClaimStatus
    indemnity: MoneyAmount
    to_bank: MoneyAmount
    to_insured: MoneyAmount
    paid: MoneyAmount
    outstanding: MoneyAmount
    loss_payee_id: uuid.UUID | None
    members: list[MemberPaymentOut]

    @classmethod
    def of(cls, view: SettlementView) -> SettlementOut:
        """The wire form of a settlement."""
        status = view.claim.status
        return cls(
            claim_id=view.claim.id,
            claim_status=status,
            indemnity=MoneyAmount.of(view.indemnity),
            to_bank=MoneyAmount.of(view.to_bank),
            to_insured=MoneyAmount.of(view.to_insured),
            paid=MoneyAmount.of(view.paid),
            outstanding=MoneyAmount.of(view.outstanding),
            loss_payee_id=view.loss_payee_id,
            members=[MemberPaymentOut.of(part, status) for part in view.members],
        )


class RecoveryIn(BaseModel):
    """Money recovered from the buyer after payment, with the collection costs."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "amount": {"amount": "10000.00", "currency": "USD"},
                    "costs": {"amount": "1500.00", "currency": "USD"},
                    "received_on": "2026-11-02",
                }
            ]
        },
    )

    amount: MoneyAmount
    costs: MoneyAmount | None = None
    received_on: dt.date | None = Field(default=None, description="Today by default.")
    note: Note | None = None


class RecoveryShareOut(BaseModel):
    """A member's part of a recovery."""

    member_id: uuid.UUID
    position: int
    share: Decimal
    amount: MoneyAmount


class RecoveryOut(BaseModel):
    """A recovery and how it was shared."""

    id: uuid.UUID
    claim_id: uuid.UUID
    received_on: dt.date
    amount: MoneyAmount
    costs: MoneyAmount
    net: MoneyAmount
    insurers: MoneyAmount
    insured: MoneyAmount
    note: str | None
    shares: list[RecoveryShareOut]
    breakdown: dict[str, Any] | None

    @classmethod
    def of(cls, recovery: Recovery) -> RecoveryOut:
        """The wire form of a recovery."""
        return cls(
            id=recovery.id,
            claim_id=recovery.claim_id,
            received_on=recovery.received_on,
            amount=MoneyAmount.of(recovery.money(recovery.amount_minor)),
            costs=MoneyAmount.of(recovery.money(recovery.costs_minor)),
            net=MoneyAmount.of(recovery.money(recovery.net_minor)),
            insurers=MoneyAmount.of(recovery.money(recovery.insurers_minor)),
            insured=MoneyAmount.of(recovery.money(recovery.insured_minor)),
            note=recovery.note,
            shares=[
                RecoveryShareOut(
                    member_id=share.member_id,
                    position=share.position,
                    share=share.share,
                    amount=MoneyAmount.of(share.amount),
                )
                for share in recovery.shares
            ],
            breakdown=recovery.breakdown_json,
        )


class CloseIn(BaseModel):
    """Close a paid claim."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "Nothing more to recover"}]}
    )

    reason: Note | None = None


class ServiceLevelQuery(BaseModel):
    """Which claims to measure: filed in a date range, optionally of one insurer or programme."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"date_from": "2026-01-01", "date_to": "2026-12-31"}]}
    )

    date_from: IsoDate | None = Field(default=None, description="A year before date_to by default.")
    date_to: IsoDate | None = Field(default=None, description="Today by default.")
    insurer_id: uuid.UUID | None = None
    programme_id: uuid.UUID | None = None


class DurationOut(BaseModel):
    """One measure: claims that reached the step, median and 90th percentile days, share within the level."""

    count: int
    median_days: Decimal | None
    p90_days: int | None
    within: int | None
    within_share: Decimal | None
    breached_open: int | None

    @classmethod
    def of(cls, stats: DurationStats) -> DurationOut:
        """The wire form of a measure."""
        return cls(
            count=stats.count,
            median_days=stats.median_days,
            p90_days=stats.p90_days,
            within=stats.within,
            within_share=stats.within_share,
            breached_open=stats.breached_open,
        )


class ServiceLevelOut(BaseModel):
    """The service times of one insurer's claims, all of them (no programme) or one programme's."""

    insurer_id: uuid.UUID
    insurer_name: str
    programme_id: uuid.UUID | None
    programme_name: str | None
    claims: int
    to_documents: DurationOut
    to_decision: DurationOut
    to_payment: DurationOut

    @classmethod
    def of(cls, row: ServiceLevelRow) -> ServiceLevelOut:
        """The wire form of a row."""
        summary = row.summary
        return cls(
            insurer_id=row.insurer_id,
            insurer_name=row.insurer_name,
            programme_id=row.programme_id,
            programme_name=row.programme_name,
            claims=summary.claims,
            to_documents=DurationOut.of(summary.to_documents),
            to_decision=DurationOut.of(summary.to_decision),
            to_payment=DurationOut.of(summary.to_payment),
        )
