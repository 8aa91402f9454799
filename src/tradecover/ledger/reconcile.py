"""Reconciliation: every ledger invariant, checked over the whole database, each breach listed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, or_, select
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


def _postings_are_not_zero(session: Session) -> list[Violation]:
    rows = session.execute(select(Posting.id, Posting.entry_id).where(Posting.amount_minor == 0)).all()
    return [
        Violation("non-zero", f"posting {pid}", f"of journal entry {entry_id} moves nothing")
        for pid, entry_id in rows
    ]


def _reversals_mirror_their_original(session: Session) -> list[Violation]:
    pairs = session.execute(
        select(JournalEntry.id, JournalEntry.reverses_id).where(JournalEntry.reverses_id.is_not(None))
    ).all()
    if not pairs:
        return []
    reversed_ids = select(JournalEntry.reverses_id).where(JournalEntry.reverses_id.is_not(None))
    rows = session.execute(
        select(Posting.entry_id, Posting.account_id, Posting.currency, func.sum(Posting.amount_minor))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(or_(JournalEntry.reverses_id.is_not(None), JournalEntry.id.in_(reversed_ids)))
        .group_by(Posting.entry_id, Posting.account_id, Posting.currency)
    ).all()
    nets: dict[int, dict[tuple[object, str], int]] = defaultdict(dict)
    for entry_id, account_id, currency, total in rows:
        if total:
            nets[entry_id][(account_id, currency)] = int(total)
    violations: list[Violation] = []
    for reversal_id, original_id in pairs:
        if original_id is None:
            continue
        if reversal_id == original_id:
            violations.append(Violation("reversal", f"journal entry {reversal_id}", "reverses itself"))
        elif nets[reversal_id] != {key: -value for key, value in nets[original_id].items()}:
            violations.append(
                Violation(
                    "reversal",
                    f"journal entry {reversal_id}",
                    f"does not mirror the postings of entry {original_id}",
                )
            )
    return violations


def _reversals_are_not_reversed(session: Session) -> list[Violation]:
    reversal = aliased(JournalEntry)
    rows = session.execute(
        select(JournalEntry.id, reversal.id)
        .join(reversal, JournalEntry.reverses_id == reversal.id)
        .where(reversal.reverses_id.is_not(None), JournalEntry.id != reversal.id)
    ).all()
    return [
        Violation("reversal", f"journal entry {entry_id}", f"reverses entry {reversed_id}, itself a reversal")
        for entry_id, reversed_id in rows
    ]


def _accounts_sum_to_zero_per_currency(session: Session) -> list[Violation]:
    # The trial balance counted through the accounts (in each account's currency) must come to zero,
    # a second derivation beside the per-entry check above, which counts in each posting's currency.
    rows = session.execute(
        select(Account.currency, func.sum(Posting.amount_minor))
        .join(Posting, Posting.account_id == Account.id)
        .group_by(Account.currency)
        .having(func.sum(Posting.amount_minor) != 0)
    ).all()
    return [
        Violation("trial balance", f"{currency} accounts", f"balances sum to {total} minor units, not zero")
        for currency, total in rows
    ]


CHECKS: list[Check] = [
    _entries_balance_per_currency,
    _entries_have_two_postings,
    _postings_are_not_zero,
    _posting_currency_is_account_currency,
    _reversals_mirror_their_original,
    _reversals_are_not_reversed,
    _accounts_sum_to_zero_per_currency,
]


def register_check(check: Check) -> Check:
    """Add a check (documents vs ledger) that `find_violations` runs too; usable as a decorator."""
    if check not in CHECKS:
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
