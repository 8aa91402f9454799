"""The borrowing base of a facility on any date, from the assigned policy's declared receivables."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.buyers.model import Buyer
from tradecover.claims.model import ClaimInvoice
from tradecover.claims.overdue_model import LIVE_STATUSES, Overdue
from tradecover.declarations.model import PaymentApplication, Shipment
from tradecover.declarations.rules import CoverSource
from tradecover.errors import BusinessRuleViolation, ValidationError
from tradecover.financing.facilities import get_facility
from tradecover.financing.model import Facility
from tradecover.financing.rules import BorrowingBase, Receivable, borrowing_base
from tradecover.limits.service import cover_on
from tradecover.parties.actor import Actor


def _paid_by_shipment(
    session: Session, policy_id: uuid.UUID, on: dt.date
) -> dict[uuid.UUID, tuple[int, int]]:
    rows = session.execute(
        select(
            PaymentApplication.shipment_id,
            func.sum(PaymentApplication.paid_minor),
            func.sum(PaymentApplication.insured_released_minor),
        )
        .where(PaymentApplication.policy_id == policy_id, PaymentApplication.received_on <= on)
        .group_by(PaymentApplication.shipment_id)
    ).all()
    return {shipment_id: (int(paid or 0), int(released or 0)) for shipment_id, paid, released in rows}


def _under_claim(session: Session, shipment_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    if not shipment_ids:
        return set()
    # Only whether a live claim holds the invoice is read, whoever's claim it is.
    found = session.scalars(
        select(ClaimInvoice.live_shipment_id)
        .where(ClaimInvoice.live_shipment_id.in_(shipment_ids))
        .execution_options(tenant_exempt=True)
    ).all()
    return {shipment_id for shipment_id in found if shipment_id is not None}


def _reported_overdue(session: Session, shipment_ids: Sequence[uuid.UUID], on: dt.date) -> set[uuid.UUID]:
    if not shipment_ids:
        return set()
    found = session.scalars(
        select(Overdue.shipment_id).where(
            Overdue.shipment_id.in_(shipment_ids),
            Overdue.status.in_(LIVE_STATUSES),
            Overdue.reported_on <= on,
        )
    ).all()
    return set(found)


def receivables_on(
    session: Session, policy_id: uuid.UUID, on: dt.date
) -> tuple[list[Receivable], dict[uuid.UUID, int]]:
    """The policy's invoices unpaid on a date as the rules see them, and the limit that applies per buyer."""
    shipments = session.scalars(
        select(Shipment).where(Shipment.policy_id == policy_id, Shipment.shipment_date <= on)
    ).all()
    paid = _paid_by_shipment(session, policy_id, on)
    ids = [shipment.id for shipment in shipments]
    claimed = _under_claim(session, ids)
    reported = _reported_overdue(session, ids, on)
    buyer_ids = sorted({shipment.buyer_id for shipment in shipments})
    names = {
        row.id: row.name
        for row in session.execute(select(Buyer.id, Buyer.name).where(Buyer.id.in_(buyer_ids)))
    }
    receivables: list[Receivable] = []
    dcl: dict[uuid.UUID, int] = {}
    for shipment in shipments:
        paid_minor, released_minor = paid.get(shipment.id, (0, 0))
        unpaid = shipment.amount_minor - paid_minor
        if unpaid <= 0:
            continue
        if shipment.cover_source is CoverSource.DCL:
            dcl[shipment.buyer_id] = max(dcl.get(shipment.buyer_id, 0), shipment.cover_minor)
        lost_on = shipment.cover_lost_on
        receivables.append(
            Receivable(
                shipment_id=shipment.id,
                invoice_number=shipment.invoice_number,
                buyer_id=shipment.buyer_id,
                buyer_name=names.get(shipment.buyer_id, str(shipment.buyer_id)),
                shipment_date=shipment.shipment_date,
                due_date=shipment.due_date,
                amount_minor=shipment.amount_minor,
                unpaid_minor=unpaid,
                insured_unpaid_minor=max(shipment.insured_minor - released_minor, 0),
                out_of_cover=lost_on is not None and lost_on <= on,
                reported_overdue=shipment.id in reported,
                under_claim=shipment.id in claimed,
            )
        )
    limits = {
        buyer_id: max(cover_on(session, policy_id, buyer_id, on=on).minor_units, dcl.get(buyer_id, 0))
        for buyer_id in sorted({r.buyer_id for r in receivables})
    }
    return receivables, limits


def base_of(session: Session, facility: Facility, on: dt.date) -> BorrowingBase:
    """The facility's borrowing base on a date (nothing before the policy is assigned to it)."""
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        raise ValidationError("must be a date", field="on")
    if facility.assigned_on is None:
        return borrowing_base([], {}, advance_rate=facility.advance_rate, on=on, currency=facility.currency)
    receivables, limits = receivables_on(session, facility.policy_id, on)
    return borrowing_base(
        receivables, limits, advance_rate=facility.advance_rate, on=on, currency=facility.currency
    )


def facility_borrowing_base(
    session: Session, actor: Actor, facility_id: uuid.UUID, *, on: dt.date
) -> BorrowingBase:
    """The borrowing base of a facility the actor's organisation is party to, on a date."""
    facility = get_facility(session, facility_id)
    if facility.assigned_on is None:
        raise BusinessRuleViolation(
            f"the policy is not assigned to facility {facility.reference} yet: no borrowing base",
            field="facility_id",
        )
    return base_of(session, facility, on)
