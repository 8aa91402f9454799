"""Reported overdues: one row per overdue invoice (shipment), with its extension and how it ended."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import BigInteger, Boolean, ColumnElement, Date, ForeignKey, Index, String, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.coinsurance.model import insurer_ids_seen_by
from tradecover.db.base import Base, HasCreatedAt, HasId
from tradecover.db.tenancy import TenantScoped
from tradecover.db.types import str_enum
from tradecover.money import Money
from tradecover.policies.model import Policy


class OverdueStatus(enum.StrEnum):
    """Where a reported overdue stands."""

    REPORTED = "reported"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENDED = "extended"
    WITHDRAWN = "withdrawn"
    CLAIMED = "claimed"


# A live report keeps the buyer in stoppage; a withdrawn one is over.
LIVE_STATUSES = (
    OverdueStatus.REPORTED,
    OverdueStatus.EXTENSION_REQUESTED,
    OverdueStatus.EXTENDED,
    OverdueStatus.CLAIMED,
)
# A report that still awaits payment or a claim: extensions and withdrawal apply.
OPEN_STATUSES = (OverdueStatus.REPORTED, OverdueStatus.EXTENSION_REQUESTED, OverdueStatus.EXTENDED)


class Overdue(TenantScoped, HasId, HasCreatedAt, Base):
    """An overdue invoice reported by the insured; seen by the policy's parties and its loss-payee bank."""

    __tablename__ = "overdues"
    __table_args__ = (
        Index("ix_overdues_policy_buyer", "policy_id", "buyer_id"),
        Index("ix_overdues_shipment", "shipment_id"),
    )

    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policies.id"))
    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("buyers.id"))
    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"))
    invoice_number: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    # Unpaid on the invoice when reported.
    unpaid_minor: Mapped[int] = mapped_column(BigInteger)
    due_date: Mapped[dt.date] = mapped_column(Date)
    reported_on: Mapped[dt.date] = mapped_column(Date)
    reported_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    reporting_deadline: Mapped[dt.date] = mapped_column(Date)
    reported_in_time: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[OverdueStatus] = mapped_column(str_enum(OverdueStatus))
    extended_due_date: Mapped[dt.date | None] = mapped_column(Date)
    requested_due_date: Mapped[dt.date | None] = mapped_column(Date)
    extension_requested_on: Mapped[dt.date | None] = mapped_column(Date)
    extension_decided_on: Mapped[dt.date | None] = mapped_column(Date)
    extension_decided_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    extension_note: Mapped[str | None] = mapped_column(String(500))
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)
    claimed_on: Mapped[dt.date | None] = mapped_column(Date)

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """The insured and the insurer of the policy (each pool member), and its loss-payee bank."""
        return cls.policy_id.in_(
            select(Policy.id).where(
                or_(
                    Policy.policyholder_id == organisation_id,
                    Policy.insurer_id.in_(insurer_ids_seen_by(organisation_id)),
                    Policy.loss_payee_id == organisation_id,
                )
            )
        )

    @property
    def unpaid(self) -> Money:
        """What was unpaid on the invoice when reported."""
        return Money.from_minor(self.unpaid_minor, self.currency)

    @property
    def current_due_date(self) -> dt.date:
        """The due date that counts: the extended one once granted."""
        return self.extended_due_date or self.due_date

    @property
    def is_live(self) -> bool:
        """True until withdrawn."""
        return self.status in LIVE_STATUSES

    @property
    def reference(self) -> str:
        """A short reference people can quote: 'OVD-1A2B3C4D'."""
        return f"OVD-{self.id.hex[:8].upper()}"
