"""What stops or bars cover on a buyer under a policy: stoppages and loss events, and invoices out of cover.

A reported overdue puts the buyer into **stoppage** for that policy: shipments from that day on are not
insured until it is lifted (DESIGN §2 "Overdue and loss"). A **loss event** (insolvency, a claim's cause
on the buyer) bars cover on later shipments, and on shipments declared late after it. An invoice whose
overdue was reported late, or never, is **out of cover**: a fact stored on the shipment that its verdict
shows and claims read as an insured amount of zero.

These live here, below claims, so that `declarations.cover.CoverBook` honours them for one declaration
and for a file of a million rows alike, without callers passing them.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Collection

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tradecover.db.base import Base, HasCreatedAt, HasId
from tradecover.db.tenancy import TenantScoped
from tradecover.db.types import str_enum
from tradecover.declarations.model import Shipment, _UnderPolicy
from tradecover.errors import ValidationError
from tradecover.policies.stale import mark_stale
from tradecover.policies.terms import CauseOfLoss

MAX_REASON_LENGTH = 200


class StoppageReason(enum.StrEnum):
    """Why new cover on a buyer stopped."""

    OVERDUE_REPORTED = "overdue_reported"
    OVERDUE_NOT_REPORTED = "overdue_not_reported"


class BuyerStoppage(_UnderPolicy, TenantScoped, HasId, HasCreatedAt, Base):
    """A period in which shipments to a buyer under a policy are not insured (open while not lifted)."""

    __tablename__ = "buyer_stoppages"
    __table_args__ = (
        CheckConstraint("lifted_on IS NULL OR lifted_on >= since", name="lifted_after_since"),
        Index("ix_buyer_stoppages_policy_buyer", "policy_id", "buyer_id"),
    )

    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policies.id"))
    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("buyers.id"))
    since: Mapped[dt.date] = mapped_column(Date)
    lifted_on: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[StoppageReason] = mapped_column(str_enum(StoppageReason))

    def in_force_on(self, day: dt.date) -> bool:
        """True when the stoppage covers the day (from `since`, until the day before it is lifted)."""
        return self.since <= day and (self.lifted_on is None or day < self.lifted_on)


class LossEvent(_UnderPolicy, TenantScoped, HasId, HasCreatedAt, Base):
    """A loss event on a buyer under a policy (the cause and date of a claim's loss)."""

    __tablename__ = "loss_events"
    __table_args__ = (Index("ix_loss_events_policy_buyer", "policy_id", "buyer_id"),)

    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policies.id"))
    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("buyers.id"))
    cause: Mapped[CauseOfLoss] = mapped_column(str_enum(CauseOfLoss))
    event_on: Mapped[dt.date] = mapped_column(Date)


# reading ---------------------------------------------------------------------------------------------
def stoppages_of(
    session: Session, policy_id: uuid.UUID, buyer_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[BuyerStoppage]]:
    """The stoppages of some buyers under a policy, oldest first, by buyer."""
    found: dict[uuid.UUID, list[BuyerStoppage]] = {}
    ids = list(buyer_ids)
    for start in range(0, len(ids), 500):
        rows = session.scalars(
            select(BuyerStoppage)
            .where(BuyerStoppage.policy_id == policy_id, BuyerStoppage.buyer_id.in_(ids[start : start + 500]))
            .order_by(BuyerStoppage.since, BuyerStoppage.id)
        )
        for row in rows:
            found.setdefault(row.buyer_id, []).append(row)
    return found


def loss_events_of(
    session: Session, policy_id: uuid.UUID, buyer_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[dt.date]]:
    """The loss-event dates of some buyers under a policy, earliest first, by buyer."""
    found: dict[uuid.UUID, list[dt.date]] = {}
    ids = list(buyer_ids)
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(LossEvent.buyer_id, LossEvent.event_on)
            .where(LossEvent.policy_id == policy_id, LossEvent.buyer_id.in_(ids[start : start + 500]))
            .order_by(LossEvent.event_on)
        )
        for buyer_id, event_on in rows:
            found.setdefault(buyer_id, []).append(event_on)
    return found


def stoppages_in_force(session: Session, on: dt.date, limit: int = 200) -> list[BuyerStoppage]:
    """The stoppages the session's organisation sees that are in force on a date, newest first."""
    return list(
        session.scalars(
            select(BuyerStoppage)
            .where(
                BuyerStoppage.since <= on,
                (BuyerStoppage.lifted_on.is_(None)) | (BuyerStoppage.lifted_on > on),
            )
            .order_by(BuyerStoppage.since.desc(), BuyerStoppage.id)
            .limit(limit)
        )
    )


def open_stoppage(session: Session, policy_id: uuid.UUID, buyer_id: uuid.UUID) -> BuyerStoppage | None:
    """The stoppage on the buyer that is not lifted, if any."""
    return session.scalars(
        select(BuyerStoppage).where(
            BuyerStoppage.policy_id == policy_id,
            BuyerStoppage.buyer_id == buyer_id,
            BuyerStoppage.lifted_on.is_(None),
        )
    ).first()


# recording -------------------------------------------------------------------------------------------
def start_stoppage(
    session: Session, policy_id: uuid.UUID, buyer_id: uuid.UUID, since: dt.date, reason: StoppageReason
) -> BuyerStoppage:
    """Stop new cover on the buyer from a date; an open stoppage stays (moved earlier if need be)."""
    current = open_stoppage(session, policy_id, buyer_id)
    if current is not None:
        if since < current.since:
            current.since = since
        return current
    stoppage = BuyerStoppage(policy_id=policy_id, buyer_id=buyer_id, since=since, reason=reason)
    session.add(stoppage)
    session.flush()
    return stoppage


def lift_stoppage(
    session: Session, policy_id: uuid.UUID, buyer_id: uuid.UUID, on: dt.date
) -> BuyerStoppage | None:
    """Lift the open stoppage on the buyer from a date (shipments from that day on are insured again)."""
    current = open_stoppage(session, policy_id, buyer_id)
    if current is None:
        return None
    current.lifted_on = max(on, current.since)
    session.flush()
    return current


def record_loss_event(
    session: Session, policy_id: uuid.UUID, buyer_id: uuid.UUID, cause: CauseOfLoss, event_on: dt.date
) -> LossEvent:
    """Record a loss event on the buyer (the same cause and date twice is one event)."""
    if not isinstance(cause, CauseOfLoss):
        raise ValidationError("unknown cause of loss", field="cause")
    existing = session.scalars(
        select(LossEvent).where(
            LossEvent.policy_id == policy_id,
            LossEvent.buyer_id == buyer_id,
            LossEvent.cause == cause,
            LossEvent.event_on == event_on,
        )
    ).first()
    if existing is not None:
        return existing
    event = LossEvent(policy_id=policy_id, buyer_id=buyer_id, cause=cause, event_on=event_on)
    session.add(event)
    session.flush()
    return event


def take_out_of_cover(session: Session, shipment: Shipment, on: dt.date, reason: str) -> None:
    """Store that an invoice lost its cover from a date, and why (kept at the first loss)."""
    text = reason.strip()
    if not text:
        raise ValidationError("must not be blank", field="reason")
    if shipment.cover_lost_on is not None:
        return
    shipment.cover_lost_on = on
    shipment.cover_lost_reason = text[:MAX_REASON_LENGTH]
    session.flush()
    mark_stale(session, [shipment.policy_id])
