"""Reconciliation of claim payments and recoveries with the ledger (registered with `ledger.reconcile`).

For each decided claim: the members' parts add up to the indemnity; the claims payable its payment
entries settled is what the paid members owe; the insured's indemnity receivable they settled is the
same; the bank's loan accounts took exactly the paid parts' amounts to the bank. For each recovery: its
entry credits recovery income with the net recovery; its members' parts add up to the insurers' part;
and over a claim's recoveries the insurers never received more than the indemnity.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.claims.model import Claim, ClaimMemberShare, Recovery, RecoveryShare
from tradecover.claims.recoveries import RECOVERY_DOCUMENT
from tradecover.claims.settlement import PAYMENT_DOCUMENT
from tradecover.ledger.chart import Chart
from tradecover.ledger.model import Account, JournalEntry, Posting
from tradecover.ledger.reconcile import Violation, register_check

CHECK = "claim settlement"
LOANS_PREFIX = Chart.LOANS_RECEIVABLE.code + "-"


def _booked(session: Session, document_type: str) -> dict[tuple[str, str], int]:
    """Net postings per (document id, account code) over every entry of a document type."""
    rows = session.execute(
        select(JournalEntry.document_id, Account.code, func.sum(Posting.amount_minor))
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .join(Account, Account.id == Posting.account_id)
        .where(JournalEntry.document_type == document_type)
        .group_by(JournalEntry.document_id, Account.code)
    ).all()
    booked: dict[tuple[str, str], int] = defaultdict(int)
    for document_id, code, total in rows:
        # One loan account per facility: count them together.
        key = Chart.LOANS_RECEIVABLE.code if code.startswith(LOANS_PREFIX) else code
        booked[(str(document_id), key)] += int(total)
    return booked


@register_check
def _claim_payments_match_the_ledger(session: Session) -> list[Violation]:
    """Members' parts add up to the indemnity, and their payments' entries settled exactly the paid parts."""
    booked = _booked(session, PAYMENT_DOCUMENT)
    shares: dict[str, list[ClaimMemberShare]] = defaultdict(list)
    for share in session.scalars(select(ClaimMemberShare)):
        shares[str(share.claim_id)].append(share)
    violations: list[Violation] = []
    for claim in session.scalars(select(Claim).where(Claim.id.in_(select(ClaimMemberShare.claim_id)))):
        key = str(claim.id)
        parts = shares.get(key, [])
        total = sum(part.amount_minor for part in parts)
        if claim.indemnity_minor is not None and total != claim.indemnity_minor:
            violations.append(
                Violation(
                    CHECK,
                    f"claim {claim.number}",
                    f"members' parts {total} ≠ indemnity {claim.indemnity_minor}",
                )
            )
        paid = [part for part in parts if part.paid_on is not None]
        expected = {
            Chart.CLAIMS_PAYABLE.code: sum(part.amount_minor for part in paid),
            Chart.INDEMNITY_RECEIVABLE.code: -sum(part.amount_minor for part in paid),
            Chart.LOANS_RECEIVABLE.code: -sum(part.to_bank_minor for part in paid),
            Chart.LOANS_PAYABLE.code: sum(part.to_bank_minor for part in paid),
        }
        for code, amount in expected.items():
            found = booked.get((key, code), 0)
            if found != amount:
                violations.append(
                    Violation(
                        CHECK, f"claim {claim.number}", f"account {code}: expected {amount}, booked {found}"
                    )
                )
        for part in paid:
            if part.amount_minor > 0 and part.entry_id is None:
                violations.append(
                    Violation(
                        CHECK, f"claim {claim.number}", f"member {part.member_id} paid without an entry"
                    )
                )
    return violations


@register_check
def _recoveries_match_the_ledger(session: Session) -> list[Violation]:
    """Each recovery's entry credits recovery income with the net; parts add up; within the indemnity."""
    booked = _booked(session, RECOVERY_DOCUMENT)
    parts: dict[str, int] = defaultdict(int)
    for recovery_id, amount in session.execute(select(RecoveryShare.recovery_id, RecoveryShare.amount_minor)):
        parts[str(recovery_id)] += amount
    received: dict[str, int] = defaultdict(int)
    violations: list[Violation] = []
    for recovery in session.scalars(select(Recovery).order_by(Recovery.received_on)):
        key = str(recovery.id)
        received[str(recovery.claim_id)] += recovery.insurers_minor
        income = booked.get((key, Chart.RECOVERY_INCOME.code), 0)
        if income != -recovery.net_minor:
            violations.append(
                Violation(
                    CHECK, f"recovery {key}", f"recovery income booked {income}, net {recovery.net_minor}"
                )
            )
        if parts.get(key, 0) != recovery.insurers_minor:
            violations.append(
                Violation(
                    CHECK,
                    f"recovery {key}",
                    f"members' parts {parts.get(key, 0)} ≠ insurers' {recovery.insurers_minor}",
                )
            )
    if received:
        indemnities = dict(
            session.execute(
                select(Claim.id, Claim.indemnity_minor).where(Claim.id.in_(select(Recovery.claim_id)))
            ).all()
        )
        for claim_id, total in received.items():
            indemnity = next((v for k, v in indemnities.items() if str(k) == claim_id), None) or 0
            if total > indemnity:
                violations.append(
                    Violation(
                        CHECK,
                        f"claim {claim_id}",
                        f"insurers recovered {total}, above the indemnity {indemnity}",
                    )
                )
    return violations
