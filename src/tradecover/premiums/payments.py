"""Premium payments: full, partial and over; the firm's held credit; idempotent retries.

A payment settles what is open of the firm's share; anything more is held as the firm's credit (the
insurer's — a pool leader's — 2200 against the firm's 1200) and applied automatically to the firm's next
invoice of that policy. On a pool policy the applied amount is split across the members in proportion
to what each has open, so every member's receivable is settled exactly.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tradecover.audit.service import record
from tradecover.errors import BusinessRuleViolation, Conflict, NotFound, PermissionDenied, ValidationError
from tradecover.ledger.chart import Chart
from tradecover.ledger.service import post_entry
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import Role
from tradecover.policies.model import Policy
from tradecover.premiums.books import (
    PAYMENT_DOCUMENT,
    Lines,
    Underwriters,
    settle_lines,
    underwriters_of,
    whole_books,
)
from tradecover.premiums.dunning import refresh_arrears
from tradecover.premiums.model import (
    CreditNote,
    InvoiceStatus,
    PaymentSource,
    PremiumInvoice,
    PremiumPayment,
)
from tradecover.premiums.rules import allocate_to_open, split_payment
from tradecover.subsidies.service import premium_paid

MAY_PAY = (Role.POLICYHOLDER, Role.INSURER_ADMIN, Role.UNDERWRITER, Role.PLATFORM_ADMIN)
MAX_KEY_LENGTH = 128


def get_invoice(session: Session, invoice_id: uuid.UUID, *, lock: bool = False) -> PremiumInvoice:
    """An invoice the session's organisation sees; NotFound otherwise."""
    query = select(PremiumInvoice).where(PremiumInvoice.id == invoice_id)
    invoice = session.scalars(query.with_for_update() if lock else query).first()
    if invoice is None:
        raise NotFound(f"no such invoice: {invoice_id}", field="invoice_id")
    return invoice


def credit_balance(session: Session, policy_id: uuid.UUID, currency: str) -> Money:
    """The firm's held credit on a policy: overpayments and credited payments, less credit applied."""
    over = (
        select(func.coalesce(func.sum(PremiumPayment.over_minor), 0))
        .where(PremiumPayment.policy_id == policy_id)
        .scalar_subquery()
    )
    used = (
        select(func.coalesce(func.sum(PremiumPayment.amount_minor), 0))
        .where(PremiumPayment.policy_id == policy_id, PremiumPayment.source == PaymentSource.CREDIT)
        .scalar_subquery()
    )
    credited = (
        select(func.coalesce(func.sum(CreditNote.to_credit_minor), 0))
        .where(CreditNote.policy_id == policy_id)
        .scalar_subquery()
    )
    # One query; the firm's credit is the whole policy's, whoever asks (the caller checked the access).
    total = session.scalar(select(over + credited - used).execution_options(tenant_exempt=True))
    return Money.from_minor(int(total or 0), currency)


def _settle(
    session: Session, invoice: PremiumInvoice, applied: Money, on: dt.date
) -> list[tuple[uuid.UUID, Money]]:
    """Put an applied amount on the invoice and its members; the members' parts, leader first."""
    members = sorted(invoice.members, key=lambda m: m.position)
    opens = [m.money(m.firm_minor - m.paid_minor) for m in members]
    parts = allocate_to_open(applied, opens)
    for member, part in zip(members, parts, strict=True):
        member.paid_minor += part.minor_units
    invoice.paid_minor += applied.minor_units
    if invoice.paid_minor == invoice.firm_share_minor:
        invoice.status = InvoiceStatus.PAID
    elif invoice.paid_minor:
        invoice.status = InvoiceStatus.PARTLY_PAID
    if applied.is_positive and invoice.status is InvoiceStatus.PAID:
        premium_paid(session, invoice_id=invoice.id, on=on)
    return [(m.member_id, p) for m, p in zip(members, parts, strict=True)]


def _after(session: Session, invoice: PremiumInvoice) -> None:
    session.flush()
    policy = session.get_one(Policy, invoice.policy_id)
    refresh_arrears(session, policy)


def apply_held_credit(
    session: Session, actor: Actor, invoice: PremiumInvoice, who: Underwriters, *, on: dt.date
) -> PremiumPayment | None:
    """Apply the firm's held credit on the policy to what is open of an invoice (None when none is held)."""
    credit = credit_balance(session, invoice.policy_id, invoice.currency)
    amount = credit.min(invoice.open)
    if not amount.is_positive:
        return None
    payment_id = uuid.uuid4()
    lines = Lines(session, invoice.currency)
    lines.pair(invoice.policyholder_id, Chart.PREMIUM_PAYABLE, Chart.PREMIUM_PAID_IN_ADVANCE, amount)
    settle_lines(lines, who=who, member_amounts=_settle(session, invoice, amount, on), from_credit=True)
    entry = post_entry(
        session,
        effective_date=on,
        kind="premium.paid",
        description=f"Held credit applied to premium invoice {invoice.number}",
        lines=lines.lines,
        document_type=PAYMENT_DOCUMENT,
        document_id=payment_id,
        booked_by_user_id=actor.user_id,
        booked_by_organisation_id=actor.organisation_id,
    )
    payment = PremiumPayment(
        id=payment_id,
        invoice_id=invoice.id,
        policy_id=invoice.policy_id,
        policyholder_id=invoice.policyholder_id,
        insurer_id=invoice.insurer_id,
        source=PaymentSource.CREDIT,
        received_on=on,
        currency=invoice.currency,
        amount_minor=amount.minor_units,
        applied_minor=amount.minor_units,
        over_minor=0,
        recorded_by_user_id=actor.user_id,
        entry_id=entry.id,
    )
    session.add(payment)
    _after(session, invoice)
    return payment


def _checked_key(key: str | None) -> str | None:
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationError(f"must be 1 to {MAX_KEY_LENGTH} characters", field="idempotency_key")
    return key


def _earlier(session: Session, policyholder_id: uuid.UUID, key: str) -> PremiumPayment | None:
    return session.scalars(
        select(PremiumPayment)
        .where(PremiumPayment.policyholder_id == policyholder_id, PremiumPayment.idempotency_key == key)
        .execution_options(tenant_exempt=True)
    ).first()


def _same_or_conflict(earlier: PremiumPayment, invoice: PremiumInvoice, amount: Money) -> PremiumPayment:
    if earlier.invoice_id != invoice.id or earlier.amount != amount:
        raise Conflict(
            "this Idempotency-Key was used for another payment; use a new key for a new payment",
            field="idempotency_key",
        )
    return earlier


def _check_may_pay(actor: Actor, invoice: PremiumInvoice, who: Underwriters) -> None:
    actor.require(*MAY_PAY)
    if actor.is_platform_admin:
        return
    if actor.has(Role.POLICYHOLDER) and actor.organisation_id == invoice.policyholder_id:
        return
    if actor.has(Role.INSURER_ADMIN, Role.UNDERWRITER) and actor.organisation_id in (
        invoice.insurer_id,
        who.leader_id,
    ):
        return
    raise PermissionDenied(f"only the insured or the insurer records payments of invoice {invoice.number}")


def record_premium_payment(
    session: Session,
    actor: Actor,
    invoice_id: uuid.UUID,
    amount: Money,
    received_on: dt.date,
    idempotency_key: str | None = None,
) -> PremiumPayment:
    """Record money from the firm for an invoice; a retry with the same key returns the first payment."""
    key = _checked_key(idempotency_key)
    invoice = get_invoice(session, invoice_id, lock=True)
    if key is not None and (earlier := _earlier(session, invoice.policyholder_id, key)) is not None:
        return _same_or_conflict(earlier, invoice, amount)
    who = underwriters_of(session, invoice.insurer_id)
    _check_may_pay(actor, invoice, who)
    if not isinstance(received_on, dt.date):
        raise ValidationError("must be a date", field="received_on")
    if received_on < invoice.issued_on:
        raise ValidationError(f"must not be before the invoice date {invoice.issued_on}", field="received_on")
    if invoice.status is InvoiceStatus.CREDITED:
        raise BusinessRuleViolation(f"invoice {invoice.number} was credited; pay the corrected invoice")
    if not isinstance(amount, Money):
        raise ValidationError("must be an amount of money", field="amount")
    split = split_payment(amount, invoice.open)
    payment_id = uuid.uuid4()
    try:
        with session.begin_nested(), whole_books(session):
            lines = Lines(session, invoice.currency)
            lines.add(invoice.policyholder_id, Chart.PREMIUM_PAYABLE, split.applied)
            lines.add(invoice.policyholder_id, Chart.PREMIUM_PAID_IN_ADVANCE, split.over)
            lines.add(invoice.policyholder_id, Chart.BANK, -amount)
            lines.pair(who.holder_id, Chart.BANK, Chart.POLICYHOLDER_CREDIT, split.over)
            parts = _settle(session, invoice, split.applied, received_on)
            settle_lines(lines, who=who, member_amounts=parts, from_credit=False)
            entry = post_entry(
                session,
                effective_date=received_on,
                kind="premium.paid",
                description=f"Payment of premium invoice {invoice.number}",
                lines=lines.lines,
                document_type=PAYMENT_DOCUMENT,
                document_id=payment_id,
                booked_by_user_id=actor.user_id,
                booked_by_organisation_id=actor.organisation_id,
            )
            payment = PremiumPayment(
                id=payment_id,
                invoice_id=invoice.id,
                policy_id=invoice.policy_id,
                policyholder_id=invoice.policyholder_id,
                insurer_id=invoice.insurer_id,
                source=PaymentSource.RECEIVED,
                received_on=received_on,
                currency=invoice.currency,
                amount_minor=amount.minor_units,
                applied_minor=split.applied.minor_units,
                over_minor=split.over.minor_units,
                idempotency_key=key,
                recorded_by_user_id=actor.user_id,
                entry_id=entry.id,
            )
            session.add(payment)
            session.flush()
            _after(session, invoice)
    except IntegrityError:
        # A concurrent retry with the same key won: answer with its payment.
        session.expire(invoice)
        if key is not None and (earlier := _earlier(session, invoice.policyholder_id, key)) is not None:
            return _same_or_conflict(earlier, invoice, amount)
        raise
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        action="premium.paid",
        object_type="premium_invoice",
        object_id=invoice.id,
        subject_organisation_id=invoice.policyholder_id,
        details={"number": invoice.number, "amount": str(amount), "over": str(split.over)},
    )
    return payment


def payments_of(session: Session, invoice_id: uuid.UUID) -> list[PremiumPayment]:
    """An invoice's payments, oldest first."""
    return list(
        session.scalars(
            select(PremiumPayment)
            .where(PremiumPayment.invoice_id == invoice_id)
            .order_by(PremiumPayment.received_on, PremiumPayment.created_at)
        )
    )
