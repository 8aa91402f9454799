"""Reconciliation: every ledger invariant, checked over the whole database, each breach listed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from tradecover.db.tenancy import get_tenant
from tradecover.errors import PermissionDenied
from tradecover.ledger.model import Account, JournalEntry, Posting


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken invariant: which check, on which object, and what is wrong."""

    check: str
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"{self.check}: {self.subject}: {self.detail}"


Check = Callable[[Session], list[Violation]]


def _entries_balance_per_currency(session: Session) -> list[Violation]:
    rows = session.execute(
        select(Posting.entry_id, Posting.currency, func.sum(Posting.amount_minor))
        .group_by(Posting.entry_id, Posting.currency)
        .having(func.sum(Posting.amount_minor) != 0)
    ).all()
    return [
        Violation("balanced", f"journal entry {entry_id}", f"{currency} postings sum to {total}")
        for entry_id, currency, total in rows
    ]


def _entries_have_two_postings(session: Session) -> list[Violation]:
    count = func.count(Posting.id)
    rows = session.execute(
        select(JournalEntry.id, count)
        .outerjoin(Posting, Posting.entry_id == JournalEntry.id)
        .group_by(JournalEntry.id)
        .having(count < 2)
    ).all()
    return [
        Violation("two postings", f"journal entry {entry_id}", f"has {n} posting(s)") for entry_id, n in rows
    ]


def _posting_currency_is_account_currency(session: Session) -> list[Violation]:
    rows = session.execute(
        select(Posting.id, Posting.currency, Account.currency)
        .join(Account, Account.id == Posting.account_id)
        .where(Posting.currency != Account.currency)
    ).all()
    return [
        Violation("currency", f"posting {pid}", f"in {pc} on an account kept in {ac}") for pid, pc, ac in rows
    ]


def _reversals_mirror_their_original(session: Session) -> list[Violation]:
    original = aliased(JournalEntry)
    violations: list[Violation] = []
    pairs = session.execute(
        select(JournalEntry.id, original.id).join(original, JournalEntry.reverses_id == original.id)
    ).all()
    for reversal_id, original_id in pairs:
        if reversal_id == original_id:
            violations.append(Violation("reversal", f"journal entry {reversal_id}", "reverses itself"))
            continue
        if _net_by_account(session, reversal_id) != _negated(_net_by_account(session, original_id)):
            violations.append(
                Violation(
                    "reversal",
                    f"journal entry {reversal_id}",
                    f"does not mirror the postings of entry {original_id}",
                )
            )
    return violations


def _net_by_account(session: Session, entry_id: int) -> dict[tuple[object, str], int]:
    rows = session.execute(
        select(Posting.account_id, Posting.currency, func.sum(Posting.amount_minor))
        .where(Posting.entry_id == entry_id)
        .group_by(Posting.account_id, Posting.currency)
    ).all()
    return {(account, currency): int(total) for account, currency, total in rows if total}


def _negated(net: dict[tuple[object, str], int]) -> dict[tuple[object, str], int]:
    return {key: -value for key, value in net.items()}


CHECKS: list[Check] = [
    _entries_balance_per_currency,
    _entries_have_two_postings,
    _posting_currency_is_account_currency,
    _reversals_mirror_their_original,
]


def register_check(check: Check) -> Check:
    """Add a check (documents vs ledger) that `find_violations` runs too; usable as a decorator."""
    CHECKS.append(check)
    return check


def find_violations(session: Session) -> list[Violation]:
    """Run every registered check over the whole database; an empty list means the books agree."""
    if not get_tenant(session).is_unrestricted:
        raise PermissionDenied("reconciliation reads the whole ledger and needs an unrestricted session")
    session.flush()
    violations: list[Violation] = []
    for check in CHECKS:
        violations.extend(check(session))
    return violations
