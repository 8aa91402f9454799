"""Reconciliation checks: budgets agree with commitments, and payments and approvals with the ledger.

Registered with `ledger.reconcile` on import (`subsidies.service` imports this module), so
`tradecover reconcile` and the tests' after-test check run them.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.ledger.chart import Chart
from tradecover.ledger.model import Account, JournalEntry, Posting
from tradecover.ledger.reconcile import Violation, register_check
from tradecover.subsidies.model import (
    TAKING_BUDGET,
    CommitmentStatus,
    ProgrammeBudget,
    SubsidyCommitment,
    SubsidyPayment,
    SubsidyPaymentLine,
)
from tradecover.subsidies.rules import Mode

CHECK = "subsidies"
COMMITMENT_DOCUMENT = "subsidy_commitment"
PAYMENT_DOCUMENT = "subsidy_payment"
# The premium invoice entry (booked by premiums) carries the direct shares: programme Dr 5200 / Cr 2300.
INVOICE_DOCUMENT = "premium_invoice"


@register_check
def budgets_agree_with_commitments(session: Session) -> list[Violation]:
    """Each budget's committed and paid amounts are the sums of its commitments."""
    sums: dict[tuple[uuid.UUID, int], list[int]] = defaultdict(lambda: [0, 0])
    rows = session.execute(
        select(
            SubsidyCommitment.programme_id,
            SubsidyCommitment.year,
            SubsidyCommitment.status,
            func.sum(SubsidyCommitment.amount_programme_minor),
        ).group_by(SubsidyCommitment.programme_id, SubsidyCommitment.year, SubsidyCommitment.status)
    ).all()
    for programme_id, year, status, total in rows:
        if status in TAKING_BUDGET:
            sums[programme_id, year][0] += int(total or 0)
        if status is CommitmentStatus.PAID:
            sums[programme_id, year][1] += int(total or 0)
    violations = []
    budgets = {(b.programme_id, b.year): b for b in session.scalars(select(ProgrammeBudget))}
    for key in sorted(set(budgets) | set(sums), key=lambda k: (str(k[0]), k[1])):
        committed, paid = sums.get(key, [0, 0])
        budget = budgets.get(key)
        subject = f"subsidy budget {key[1]} of programme {key[0]}"
        if budget is None:
            if committed or paid:
                violations.append(Violation(CHECK, subject, "commitments without a budget"))
            continue
        if budget.committed_minor != committed:
            violations.append(
                Violation(CHECK, subject, f"committed {budget.committed_minor} ≠ commitments {committed}")
            )
        if budget.paid_minor != paid:
            violations.append(
                Violation(CHECK, subject, f"paid {budget.paid_minor} ≠ paid commitments {paid}")
            )
    return violations


@register_check
def payments_agree_with_commitments(session: Session) -> list[Violation]:
    """A payment's lines add up to it, and a paid commitment's lines to its amount."""
    violations = []
    by_payment = dict(
        session.execute(
            select(SubsidyPaymentLine.payment_id, func.sum(SubsidyPaymentLine.amount_minor)).group_by(
                SubsidyPaymentLine.payment_id
            )
        ).all()
    )
    for payment_id, amount in session.execute(select(SubsidyPayment.id, SubsidyPayment.amount_minor)):
        if int(by_payment.get(payment_id, 0)) != amount:
            violations.append(Violation(CHECK, f"subsidy payment {payment_id}", "lines do not add up to it"))
    by_commitment = dict(
        session.execute(
            select(SubsidyPaymentLine.commitment_id, func.sum(SubsidyPaymentLine.amount_minor)).group_by(
                SubsidyPaymentLine.commitment_id
            )
        ).all()
    )
    for commitment_id, status, amount in session.execute(
        select(SubsidyCommitment.id, SubsidyCommitment.status, SubsidyCommitment.amount_minor)
    ):
        paid = int(by_commitment.get(commitment_id, 0))
        expected = amount if status is CommitmentStatus.PAID else 0
        if paid != expected:
            violations.append(
                Violation(
                    CHECK,
                    f"subsidy commitment {commitment_id}",
                    f"{status.value} but paid {paid} of {amount}",
                )
            )
    return violations


def _document_nets(session: Session, document_type: str) -> dict[tuple[str, uuid.UUID, str], int]:
    rows = session.execute(
        select(
            JournalEntry.document_id, Account.organisation_id, Account.code, func.sum(Posting.amount_minor)
        )
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .join(Account, Account.id == Posting.account_id)
        .where(JournalEntry.document_type == document_type)
        .group_by(JournalEntry.document_id, Account.organisation_id, Account.code)
    ).all()
    return {(str(doc), org, code): int(total or 0) for doc, org, code, total in rows}


@register_check
def ledger_agrees_with_subsidy_documents(session: Session) -> list[Violation]:
    """Each payment and each approved reimbursement is booked once, for its amount, to the right parties."""
    violations = []
    payment_nets = _document_nets(session, PAYMENT_DOCUMENT)
    seen = set()
    for payment in session.scalars(select(SubsidyPayment)):
        doc = str(payment.id)
        seen.add(doc)
        receivable = (
            Chart.SUBSIDY_RECEIVABLE if payment.kind.value == "direct" else Chart.REIMBURSEMENT_RECEIVABLE
        )
        expected = {
            (doc, payment.sponsor_id, Chart.SUBSIDY_PAYABLE.code): payment.amount_minor,
            (doc, payment.sponsor_id, Chart.BANK.code): -payment.amount_minor,
            (doc, payment.payee_id, Chart.BANK.code): payment.amount_minor,
            (doc, payment.payee_id, receivable.code): -payment.amount_minor,
        }
        for key, amount in expected.items():
            if payment_nets.get(key, 0) != amount:
                violations.append(
                    Violation(
                        CHECK,
                        f"subsidy payment {payment.id}",
                        f"account {key[2]} of {key[1]} holds {payment_nets.get(key, 0)}, not {amount}",
                    )
                )
    for doc, _, _ in payment_nets:
        if doc not in seen:
            violations.append(
                Violation(CHECK, f"journal entries of {PAYMENT_DOCUMENT} {doc}", "no such payment")
            )
            seen.add(doc)
    approval_nets = _document_nets(session, COMMITMENT_DOCUMENT)
    booked = {(doc, org, code): total for (doc, org, code), total in approval_nets.items() if total}
    for commitment in session.scalars(
        select(SubsidyCommitment).where(
            SubsidyCommitment.mode == Mode.REIMBURSEMENT,
            SubsidyCommitment.status.in_((CommitmentStatus.APPROVED, CommitmentStatus.PAID)),
        )
    ):
        doc = str(commitment.id)
        expected = {
            (doc, commitment.sponsor_id, Chart.SUBSIDY_EXPENSE.code): commitment.amount_minor,
            (doc, commitment.sponsor_id, Chart.SUBSIDY_PAYABLE.code): -commitment.amount_minor,
            (doc, commitment.policyholder_id, Chart.REIMBURSEMENT_RECEIVABLE.code): commitment.amount_minor,
            (doc, commitment.policyholder_id, Chart.SUBSIDY_INCOME.code): -commitment.amount_minor,
        }
        for key, amount in expected.items():
            if booked.pop(key, 0) != amount:
                violations.append(
                    Violation(
                        CHECK,
                        f"subsidy commitment {commitment.id}",
                        f"approval not booked as {amount} on {key[2]}",
                    )
                )
    for doc, org, code in booked:
        violations.append(
            Violation(
                CHECK, f"subsidy commitment {doc}", f"account {code} of {org} booked without an approval"
            )
        )
    return violations


@register_check
def invoices_book_the_direct_commitments(session: Session) -> list[Violation]:
    """Each booked invoice charges each programme's expense (5200) with its live direct shares, no more."""
    nets = _document_nets(session, INVOICE_DOCUMENT)
    booked = {
        (doc, org): total for (doc, org, code), total in nets.items() if code == Chart.SUBSIDY_EXPENSE.code
    }
    invoices = {doc for doc, _, _ in nets}
    expected: dict[tuple[str, uuid.UUID], int] = defaultdict(int)
    for invoice_id, sponsor_id, status, amount in session.execute(
        select(
            SubsidyCommitment.invoice_id,
            SubsidyCommitment.sponsor_id,
            SubsidyCommitment.status,
            SubsidyCommitment.amount_minor,
        ).where(SubsidyCommitment.mode == Mode.DIRECT)
    ):
        if str(invoice_id) in invoices and status in TAKING_BUDGET:
            expected[str(invoice_id), sponsor_id] += amount
    violations = []
    for key in sorted(set(expected) | set(booked), key=lambda k: (k[0], str(k[1]))):
        if expected.get(key, 0) != booked.get(key, 0):
            violations.append(
                Violation(
                    CHECK,
                    f"premium invoice {key[0]}",
                    f"programme {key[1]} booked {booked.get(key, 0)} of subsidy, its direct shares are "
                    f"{expected.get(key, 0)}",
                )
            )
    return violations
