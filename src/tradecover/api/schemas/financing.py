"""Bodies for bank facilities: set-up, the borrowing base line by line, drawings and repayments."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tradecover.api.schemas.common import MoneyAmount
from tradecover.financing.model import Facility, FacilityMovement, FacilityStatus, MovementKind
from tradecover.financing.rules import BorrowingBase, Eligibility, ReceivableLine
from tradecover.money import Money

AdvanceRate = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,2}(\.[0-9]{1,6})?$")]


class FacilityCreate(BaseModel):
    """A bank's facility for the insured of a policy: limit in the policy currency, advance rate ≤ 0.9."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "policy_id": "3f1c2a9e-7b64-4c1e-9a57-0d2b8e6f4a11",
                    "limit": {"amount": "2000000.00", "currency": "USD"},
                    "advance_rate": "0.8",
                    "starts_on": "2026-06-01",
                    "matures_on": "2027-05-31",
                }
            ]
        },
    )

    policy_id: uuid.UUID
    limit: MoneyAmount
    advance_rate: AdvanceRate = Field(description='A fraction, at most 0.9 (90 %), e.g. `"0.8"`.')
    starts_on: dt.date
    matures_on: dt.date


class MovementCreate(BaseModel):
    """A drawing or repayment in the facility currency, dated today unless `on` says otherwise."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"amount": {"amount": "500000.00", "currency": "USD"}}]},
    )

    amount: MoneyAmount
    on: dt.date | None = Field(default=None, description="The value date (not in the future; default today).")


class FacilityOut(BaseModel):
    """A facility as its bank and its borrower see it, with what is outstanding now."""

    id: uuid.UUID
    reference: str
    bank_id: uuid.UUID
    policyholder_id: uuid.UUID
    policy_id: uuid.UUID
    policy_number: str
    status: FacilityStatus
    limit: MoneyAmount
    advance_rate: str
    starts_on: dt.date
    matures_on: dt.date
    assigned_on: dt.date | None = Field(description="When the insured assigned the policy (null: not yet).")
    closed_on: dt.date | None
    released_on: dt.date | None
    outstanding: MoneyAmount = Field(description="The balance of the bank's loan account for the facility.")

    @classmethod
    def of(cls, facility: Facility, policy_number: str, outstanding: Money) -> FacilityOut:
        """The wire form of a facility."""
        return cls(
            id=facility.id,
            reference=facility.reference,
            bank_id=facility.bank_id,
            policyholder_id=facility.policyholder_id,
            policy_id=facility.policy_id,
            policy_number=policy_number,
            status=facility.status,
            limit=MoneyAmount.of(facility.limit),
            advance_rate=format(facility.advance_rate, "f"),
            starts_on=facility.starts_on,
            matures_on=facility.matures_on,
            assigned_on=facility.assigned_on,
            closed_on=facility.closed_on,
            released_on=facility.released_on,
            outstanding=MoneyAmount.of(outstanding),
        )


class MovementOut(BaseModel):
    """One drawing or repayment and the journal entry that booked it."""

    id: uuid.UUID
    facility_id: uuid.UUID
    kind: MovementKind
    amount: MoneyAmount
    on: dt.date
    entry_id: int

    @classmethod
    def of(cls, movement: FacilityMovement) -> MovementOut:
        """The wire form of a movement."""
        return cls(
            id=movement.id,
            facility_id=movement.facility_id,
            kind=movement.kind,
            amount=MoneyAmount.of(movement.amount),
            on=movement.value_date,
            entry_id=movement.entry_id,
        )


class ReceivableOut(BaseModel):
    """One unpaid invoice and what it adds to the borrowing base, with why."""

    shipment_id: uuid.UUID
    invoice_number: str
    buyer_id: uuid.UUID
    buyer_name: str
    shipment_date: dt.date
    due_date: dt.date
    unpaid: MoneyAmount
    insured_unpaid: MoneyAmount
    eligible: MoneyAmount
    eligibility: Eligibility
    why: str

    @classmethod
    def of(cls, line: ReceivableLine, currency: str) -> ReceivableOut:
        """The wire form of one line of the borrowing base."""
        r = line.receivable
        return cls(
            shipment_id=r.shipment_id,
            invoice_number=r.invoice_number,
            buyer_id=r.buyer_id,
            buyer_name=r.buyer_name,
            shipment_date=r.shipment_date,
            due_date=r.due_date,
            unpaid=MoneyAmount.of(Money.from_minor(r.unpaid_minor, currency)),
            insured_unpaid=MoneyAmount.of(Money.from_minor(r.insured_unpaid_minor, currency)),
            eligible=MoneyAmount.of(Money.from_minor(line.eligible_minor, currency)),
            eligibility=line.eligibility,
            why=line.why,
        )


class BorrowingBaseOut(BaseModel):
    """The borrowing base of a facility on a date: advance rate × eligible receivables."""

    facility_id: uuid.UUID
    on: dt.date
    advance_rate: str
    eligible: MoneyAmount
    borrowing_base: MoneyAmount
    outstanding: MoneyAmount
    available: MoneyAmount = Field(description="The lower of base and limit, less the outstanding.")
    receivables: list[ReceivableOut]

    @classmethod
    def of(
        cls, facility_id: uuid.UUID, base: BorrowingBase, outstanding: Money, available: Money
    ) -> BorrowingBaseOut:
        """The wire form of a borrowing base."""
        return cls(
            facility_id=facility_id,
            on=base.on,
            advance_rate=format(base.advance_rate, "f"),
            eligible=MoneyAmount.of(base.eligible),
            borrowing_base=MoneyAmount.of(base.base),
            outstanding=MoneyAmount.of(outstanding),
            available=MoneyAmount.of(available),
            receivables=[ReceivableOut.of(line, base.currency) for line in base.lines],
        )
