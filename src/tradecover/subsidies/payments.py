"""Money out of a programme: reimbursement applications, decisions and payments, and direct payments.

Every movement is a balanced journal entry on the standard accounts (`ledger.chart`), in the invoice
currency, tied to its document:

- reimbursement approved (document `subsidy_commitment`): programme Dr 5200 / Cr 2300; firm Dr 1210 /
  Cr 4200;
- reimbursement paid (document `subsidy_payment`): programme Dr 2300 / Cr 1000; firm Dr 1000 / Cr 1210;
- direct subsidy paid (document `subsidy_payment`, one per payee and currency): programme Dr 2300 /
  Cr 1000; the insurer Dr 1000 / Cr 1110 — for a pool policy each member its part,
  `coinsurance.rules.apportion` of each invoice's share, as the invoice booked it.

Approvals and payments take an optional idempotency key, kept unique per programme body on the
document: a retry with the same key returns the first result and books nothing again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.audit.service import record
from tradecover.coinsurance.rules import apportion
from tradecover.coinsurance.service import pool_terms_of
from tradecover.errors import BusinessRuleViolation, Conflict, NotFound, PermissionDenied, ValidationError
from tradecover.ledger.chart import Chart, account
from tradecover.ledger.model import Account
from tradecover.ledger.service import post_entry
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import Role
from tradecover.subsidies.budgets import give_back, lock_budget
from tradecover.subsidies.model import (
    CommitmentStatus,
    PaymentKind,
    SubsidyCommitment,
    SubsidyPayment,
    SubsidyPaymentLine,
)
from tradecover.subsidies.programmes import MAY_RUN_PROGRAMMES, get_programme
from tradecover.subsidies.reconciliation import COMMITMENT_DOCUMENT, PAYMENT_DOCUMENT
from tradecover.subsidies.rules import Mode

MAX_KEY = 200
MAX_REASON = 500


def ledger_account(session: Session, organisation_id: uuid.UUID, entry: Chart, currency: str) -> Account:
    """The organisation's standard account, found across tenants (an officer books to the firm's too)."""
    found = session.scalars(
        select(Account)
        .where(
            Account.organisation_id == organisation_id,
            Account.code == entry.code,
            Account.currency == currency,
        )
        # The entry moves money between two organisations; each sees only its own postings afterwards.
        .execution_options(tenant_exempt=True)
    ).one_or_none()
    return found if found is not None else account(session, organisation_id, entry, currency)


def _key(idempotency_key: str | None) -> str | None:
    if idempotency_key is None:
        return None
    key = idempotency_key.strip()
    if not key or len(key) > MAX_KEY:
        raise ValidationError(f"an idempotency key has 1 to {MAX_KEY} characters", field="Idempotency-Key")
    return key


def get_commitment(session: Session, commitment_id: uuid.UUID, *, lock: bool = False) -> SubsidyCommitment:
    """One commitment the session may see (sponsor, firm or insurer); NotFound otherwise."""
    query = select(SubsidyCommitment).where(SubsidyCommitment.id == commitment_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    commitment = session.scalar(query)
    if commitment is None:
        raise NotFound("no such subsidy commitment", field="commitment_id")
    return commitment


def _audit(
    session: Session, actor: Actor, action: str, commitment: SubsidyCommitment, **details: object
) -> None:
    for subject in (commitment.sponsor_id, commitment.policyholder_id):
        record(
            session,
            actor_user_id=actor.user_id,
            actor_organisation_id=actor.organisation_id,
            subject_organisation_id=subject,
            action=action,
            object_type="SubsidyCommitment",
            object_id=commitment.id,
            details=dict(details),
        )


def _officer_of(actor: Actor, sponsor_id: uuid.UUID) -> None:
    actor.require(*MAY_RUN_PROGRAMMES)
    if not actor.is_platform_admin and actor.organisation_id != sponsor_id:
        raise PermissionDenied("only the programme body's officers do this")


# reimbursement ----------------------------------------------------------------------------------
def apply_for_reimbursement(
    session: Session, actor: Actor, commitment_id: uuid.UUID, on: dt.date
) -> SubsidyCommitment:
    """The firm, having paid its invoice in full, applies for the programme's share."""
    commitment = get_commitment(session, commitment_id, lock=True)
    if not actor.is_platform_admin:
        actor.require(Role.POLICYHOLDER)
        if actor.organisation_id != commitment.policyholder_id:
            raise PermissionDenied("only the insured firm applies for its reimbursement")
    if commitment.mode is not Mode.REIMBURSEMENT:
        raise BusinessRuleViolation("the programme pays the insurer directly; there is nothing to apply for")
    if commitment.status is CommitmentStatus.COMMITTED:
        raise BusinessRuleViolation("pay the invoice in full first, then apply for the reimbursement")
    if commitment.status is not CommitmentStatus.OPEN:
        raise BusinessRuleViolation(
            f"this reimbursement is {commitment.status.value}; it cannot be applied for"
        )
    commitment.status = CommitmentStatus.APPLIED
    commitment.applied_on = on
    commitment.applied_by_user_id = actor.user_id
    session.flush()
    _audit(session, actor, "subsidy.applied", commitment, amount=str(commitment.amount))
    return commitment


def _same_decision(session: Session, sponsor_id: uuid.UUID, key: str, commitment_id: uuid.UUID) -> bool:
    earlier = session.scalar(
        select(SubsidyCommitment.id).where(
            SubsidyCommitment.sponsor_id == sponsor_id, SubsidyCommitment.decision_key == key
        )
    )
    if earlier is None:
        return False
    if earlier != commitment_id:
        raise Conflict("this idempotency key was used for another decision", field="Idempotency-Key")
    return True


def decide_reimbursement(
    session: Session,
    actor: Actor,
    commitment_id: uuid.UUID,
    *,
    approve: bool,
    reason: str | None,
    on: dt.date,
    idempotency_key: str | None = None,
) -> SubsidyCommitment:
    """The officer approves (booking the subsidy) or rejects with a reason (giving the budget back)."""
    key = _key(idempotency_key)
    commitment = get_commitment(session, commitment_id, lock=True)
    _officer_of(actor, commitment.sponsor_id)
    if key is not None and _same_decision(session, commitment.sponsor_id, key, commitment.id):
        return commitment
    if commitment.status is not CommitmentStatus.APPLIED:
        raise BusinessRuleViolation(
            f"only an application is decided; this reimbursement is {commitment.status.value}"
        )
    text = " ".join((reason or "").split())
    if len(text) > MAX_REASON:
        raise ValidationError(f"at most {MAX_REASON} characters", field="reason")
    if not approve and not text:
        raise ValidationError("say why the application is rejected", field="reason")
    commitment.decided_on, commitment.decided_by_user_id = on, actor.user_id
    commitment.decision_reason, commitment.decision_key = text or None, key
    if approve:
        amount = commitment.amount
        post_entry(
            session,
            effective_date=on,
            kind="subsidy.reimbursement_approved",
            description=f"Subsidy reimbursement approved: {commitment.reference}",
            lines=[
                (
                    ledger_account(session, commitment.sponsor_id, Chart.SUBSIDY_EXPENSE, amount.currency),
                    amount,
                ),
                (
                    ledger_account(session, commitment.sponsor_id, Chart.SUBSIDY_PAYABLE, amount.currency),
                    -amount,
                ),
                (
                    ledger_account(
                        session, commitment.policyholder_id, Chart.REIMBURSEMENT_RECEIVABLE, amount.currency
                    ),
                    amount,
                ),
                (
                    ledger_account(
                        session, commitment.policyholder_id, Chart.SUBSIDY_INCOME, amount.currency
                    ),
                    -amount,
                ),
            ],
            document_type=COMMITMENT_DOCUMENT,
            document_id=commitment.id,
            booked_by_user_id=actor.user_id,
            booked_by_organisation_id=actor.organisation_id,
        )
        commitment.status = CommitmentStatus.APPROVED
    else:
        budget = lock_budget(session, commitment.programme_id, commitment.year)
        assert budget is not None  # the commitment took from it
        give_back(budget, commitment.amount_in_programme)
        commitment.status = CommitmentStatus.REJECTED
    session.flush()
    _audit(session, actor, f"subsidy.{commitment.status.value}", commitment, reason=text)
    return commitment


def _earlier_payments(session: Session, sponsor_id: uuid.UUID, key: str | None) -> list[SubsidyPayment]:
    if key is None:
        return []
    return list(
        session.scalars(
            select(SubsidyPayment)
            .where(SubsidyPayment.sponsor_id == sponsor_id, SubsidyPayment.idempotency_key == key)
            .order_by(SubsidyPayment.created_at, SubsidyPayment.id)
        )
    )


def _book_payment(
    session: Session, actor: Actor, payment: SubsidyPayment, receivable: Chart, description: str
) -> None:
    amount = payment.amount
    post_entry(
        session,
        effective_date=payment.paid_on,
        kind=f"subsidy.{payment.kind.value}_paid",
        description=description,
        lines=[
            (ledger_account(session, payment.sponsor_id, Chart.SUBSIDY_PAYABLE, amount.currency), amount),
            (ledger_account(session, payment.sponsor_id, Chart.BANK, amount.currency), -amount),
            (ledger_account(session, payment.payee_id, Chart.BANK, amount.currency), amount),
            (ledger_account(session, payment.payee_id, receivable, amount.currency), -amount),
        ],
        document_type=PAYMENT_DOCUMENT,
        document_id=payment.id,
        booked_by_user_id=actor.user_id,
        booked_by_organisation_id=actor.organisation_id,
    )


def _mark_paid(session: Session, commitments: Sequence[SubsidyCommitment], on: dt.date) -> None:
    by_year: dict[tuple[uuid.UUID, int], int] = defaultdict(int)
    for commitment in commitments:
        commitment.status, commitment.paid_on = CommitmentStatus.PAID, on
        by_year[commitment.programme_id, commitment.year] += commitment.amount_programme_minor
    for (programme_id, year), minor in sorted(
        by_year.items(), key=lambda item: (str(item[0][0]), item[0][1])
    ):
        budget = lock_budget(session, programme_id, year)
        assert budget is not None
        budget.paid_minor += minor


def pay_reimbursement(
    session: Session,
    actor: Actor,
    commitment_id: uuid.UUID,
    on: dt.date,
    *,
    idempotency_key: str | None = None,
) -> SubsidyPayment:
    """Pay an approved reimbursement to the firm."""
    key = _key(idempotency_key)
    commitment = get_commitment(session, commitment_id, lock=True)
    _officer_of(actor, commitment.sponsor_id)
    earlier = _earlier_payments(session, commitment.sponsor_id, key)
    if earlier:
        if (
            earlier[0].payee_id != commitment.policyholder_id
            or earlier[0].kind is not PaymentKind.REIMBURSEMENT
        ):
            raise Conflict("this idempotency key was used for another payment", field="Idempotency-Key")
        return earlier[0]
    if commitment.status is not CommitmentStatus.APPROVED:
        raise BusinessRuleViolation(
            f"only an approved reimbursement is paid; this one is {commitment.status.value}"
        )
    payment = SubsidyPayment(
        programme_id=commitment.programme_id,
        sponsor_id=commitment.sponsor_id,
        payee_id=commitment.policyholder_id,
        kind=PaymentKind.REIMBURSEMENT,
        currency=commitment.currency,
        amount_minor=commitment.amount_minor,
        paid_on=on,
        paid_by_user_id=actor.user_id,
        idempotency_key=key,
    )
    session.add(payment)
    session.flush()
    session.add(
        SubsidyPaymentLine(
            payment_id=payment.id, commitment_id=commitment.id, amount_minor=payment.amount_minor
        )
    )
    _book_payment(
        session,
        actor,
        payment,
        Chart.REIMBURSEMENT_RECEIVABLE,
        f"Subsidy reimbursement paid: {commitment.reference}",
    )
    _mark_paid(session, [commitment], on)
    session.flush()
    _audit(session, actor, "subsidy.reimbursement_paid", commitment, amount=str(payment.amount))
    return payment


# direct -----------------------------------------------------------------------------------------
def _parts(session: Session, insurer_id: uuid.UUID, amount: Money) -> list[tuple[uuid.UUID, Money]]:
    """Who receives an invoice's direct share: the insurer, or each pool member its apportioned part."""
    terms = pool_terms_of(session, insurer_id)
    if terms is None:
        return [(insurer_id, amount)]
    parts = apportion(amount, terms.members)
    return [(member.insurer_id, part) for member, part in zip(terms.members, parts, strict=True)]


def payable_direct(
    session: Session, programme_id: uuid.UUID, up_to: dt.date, *, lock: bool = False
) -> list[SubsidyCommitment]:
    """The programme's direct shares committed on or before `up_to` and not yet paid, oldest first."""
    query = (
        select(SubsidyCommitment)
        .where(
            SubsidyCommitment.programme_id == programme_id,
            SubsidyCommitment.mode == Mode.DIRECT,
            SubsidyCommitment.status == CommitmentStatus.COMMITTED,
            SubsidyCommitment.amount_minor > 0,
            SubsidyCommitment.committed_on <= up_to,
        )
        .order_by(SubsidyCommitment.committed_on, SubsidyCommitment.created_at, SubsidyCommitment.id)
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return list(session.scalars(query))


def pay_direct_subsidies(
    session: Session,
    actor: Actor,
    programme_id: uuid.UUID,
    up_to: dt.date,
    *,
    on: dt.date | None = None,
    idempotency_key: str | None = None,
) -> list[SubsidyPayment]:
    """Pay the insurers (each pool member its part) every direct share committed up to a date."""
    key = _key(idempotency_key)
    programme = get_programme(session, actor, programme_id)
    _officer_of(actor, programme.sponsor_id)
    earlier = _earlier_payments(session, programme.sponsor_id, key)
    if earlier:
        if any(p.programme_id != programme.id or p.kind is not PaymentKind.DIRECT for p in earlier):
            raise Conflict("this idempotency key was used for another payment", field="Idempotency-Key")
        return earlier
    if programme.mode is not Mode.DIRECT:
        raise BusinessRuleViolation("the programme reimburses firms; it pays insurers nothing directly")
    paid_on = on or up_to
    commitments = payable_direct(session, programme.id, up_to, lock=True)
    totals: dict[tuple[uuid.UUID, str], int] = defaultdict(int)
    lines: dict[tuple[uuid.UUID, str], list[tuple[uuid.UUID, int]]] = defaultdict(list)
    for commitment in commitments:
        for payee_id, part in _parts(session, commitment.insurer_id, commitment.amount):
            if part.is_zero:
                continue
            totals[payee_id, part.currency] += part.minor_units
            lines[payee_id, part.currency].append((commitment.id, part.minor_units))
    payments = []
    for (payee_id, currency), minor in sorted(totals.items(), key=lambda item: (str(item[0][0]), item[0][1])):
        payment = SubsidyPayment(
            programme_id=programme.id,
            sponsor_id=programme.sponsor_id,
            payee_id=payee_id,
            kind=PaymentKind.DIRECT,
            currency=currency,
            amount_minor=minor,
            paid_on=paid_on,
            paid_by_user_id=actor.user_id,
            idempotency_key=key,
        )
        session.add(payment)
        session.flush()
        for commitment_id, part_minor in lines[payee_id, currency]:
            session.add(
                SubsidyPaymentLine(
                    payment_id=payment.id, commitment_id=commitment_id, amount_minor=part_minor
                )
            )
        _book_payment(
            session,
            actor,
            payment,
            Chart.SUBSIDY_RECEIVABLE,
            f"Direct subsidy paid: {programme.name} up to {up_to}",
        )
        payments.append(payment)
    _mark_paid(session, commitments, paid_on)
    session.flush()
    if payments:
        record(
            session,
            actor_user_id=actor.user_id,
            actor_organisation_id=actor.organisation_id,
            subject_organisation_id=programme.sponsor_id,
            action="subsidy.direct_paid",
            object_type="SubsidyProgramme",
            object_id=programme.id,
            details={"up_to": up_to.isoformat(), "payments": len(payments), "commitments": len(commitments)},
        )
    return payments


def list_payments(session: Session, programme_id: uuid.UUID | None = None) -> Sequence[SubsidyPayment]:
    """The payments the session may see (a programme's, when given), newest first."""
    query = select(SubsidyPayment)
    if programme_id is not None:
        query = query.where(SubsidyPayment.programme_id == programme_id)
    return session.scalars(
        query.order_by(SubsidyPayment.paid_on.desc(), SubsidyPayment.created_at.desc())
    ).all()


def get_payment(session: Session, payment_id: uuid.UUID) -> SubsidyPayment:
    """One payment the session may see."""
    payment = session.scalar(select(SubsidyPayment).where(SubsidyPayment.id == payment_id))
    if payment is None:
        raise NotFound("no such subsidy payment", field="payment_id")
    return payment
