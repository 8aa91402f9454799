"""Declaring a payment received from a buyer: applied to its open invoices oldest first, freeing the limit."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tradecover.audit.service import record
from tradecover.buyers.service import get_buyer
from tradecover.clock import get_clock, utcnow
from tradecover.declarations.model import Payment, PaymentApplication, Shipment
from tradecover.declarations.rules import OpenInvoice, apply_payment, check_currency
from tradecover.declarations.service import policy_for_declaring
from tradecover.errors import ValidationError
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.policies.stale import mark_stale

MAX_REFERENCE_LENGTH = 64


@dataclass(frozen=True, slots=True)
class PaymentDeclaration:
    """A payment received from a buyer, as the insured declares it."""

    buyer_id: uuid.UUID
    amount: Money
    received_on: dt.date
    reference: str | None = None


def check_reference(reference: str | None) -> str | None:
    """An optional payment reference of at most 64 characters (blank is none)."""
    if reference is None or not reference.strip():
        return None
    text = reference.strip()
    if len(text) > MAX_REFERENCE_LENGTH or "\x00" in text:
        raise ValidationError(
            f"must be at most {MAX_REFERENCE_LENGTH} printable characters", field="reference"
        )
    return text


def declare_payment(
    session: Session, actor: Actor, policy_id: uuid.UUID, declaration: PaymentDeclaration
) -> Payment:
    """Declare a payment: it settles the buyer's open invoices shipped by then, oldest first."""
    policy = policy_for_declaring(session, actor, policy_id)
    buyer = get_buyer(session, declaration.buyer_id)
    currency = check_currency(declaration.amount.currency, policy.currency)
    if not declaration.amount.is_positive:
        raise ValidationError("must be more than zero", field="amount")
    if declaration.received_on > get_clock().today():
        raise ValidationError(f"{declaration.received_on.isoformat()} is in the future", field="received_on")
    if declaration.received_on < policy.period_start:
        raise ValidationError(
            f"{declaration.received_on.isoformat()} is before policy {policy.number} starts",
            field="received_on",
        )
    reference = check_reference(declaration.reference)
    open_rows = session.scalars(
        select(Shipment)
        .where(
            Shipment.policy_id == policy.id,
            Shipment.buyer_id == buyer.id,
            Shipment.paid_minor < Shipment.amount_minor,
            Shipment.shipment_date <= declaration.received_on,
        )
        .with_for_update()
    ).all()
    by_id = {row.id: row for row in open_rows}
    invoices = [
        OpenInvoice(
            row.id,
            row.shipment_date,
            row.due_date,
            row.invoice_number,
            row.amount_minor,
            row.paid_minor,
            row.insured_minor,
        )
        for row in open_rows
    ]
    applications, unapplied = apply_payment(declaration.amount.minor_units, invoices)
    payment = Payment(
        id=uuid.uuid4(),
        policy_id=policy.id,
        policyholder_id=policy.policyholder_id,
        insurer_id=policy.insurer_id,
        buyer_id=buyer.id,
        currency=currency,
        amount_minor=declaration.amount.minor_units,
        received_on=declaration.received_on,
        reference=reference,
        unapplied_minor=unapplied,
        declared_at=utcnow(),
        declared_by_user_id=actor.user_id,
    )
    session.add(payment)
    session.flush()
    mark_stale(session, [policy.id])  # payments move the exposure the oversight totals hold
    for application in applications:
        shipment = by_id[application.key]  # type: ignore[index]
        shipment.paid_minor += application.paid_minor
        if application.settles:
            shipment.settled_on = declaration.received_on
    if applications:
        session.execute(
            insert(PaymentApplication),
            [
                {
                    "payment_id": payment.id,
                    "shipment_id": application.key,
                    "policy_id": policy.id,
                    "buyer_id": buyer.id,
                    "received_on": declaration.received_on,
                    "paid_minor": application.paid_minor,
                    "insured_released_minor": application.insured_released_minor,
                }
                for application in applications
            ],
        )
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        subject_organisation_id=policy.policyholder_id,
        action="payment.declared",
        object_type="Payment",
        object_id=payment.id,
        details={
            "amount_minor": payment.amount_minor,
            "invoices": len(applications),
            "unapplied_minor": unapplied,
        },
    )
    return payment


def applications_of(session: Session, payment_id: uuid.UUID) -> list[tuple[PaymentApplication, str]]:
    """How a payment was applied: each application with its invoice number, oldest invoice first."""
    rows = session.execute(
        select(PaymentApplication, Shipment.invoice_number)
        .join(Shipment, Shipment.id == PaymentApplication.shipment_id)
        .where(PaymentApplication.payment_id == payment_id)
        .order_by(PaymentApplication.id)
    ).all()
    return [(application, number) for application, number in rows]
