"""Reconciliation lists every broken ledger invariant; entries planted past the services are found."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, insert
from sqlalchemy.orm import Session
from tests.ledger.conftest import Books

from tradecover.clock import utcnow
from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.errors import PermissionDenied
from tradecover.ledger.model import JournalEntry, Posting
from tradecover.ledger.reconcile import CHECKS, Violation, find_violations, register_check
from tradecover.ledger.rules import credit, debit
from tradecover.ledger.service import post_entry, reverse_entry
from tradecover.money import Money

DAY = dt.date(2026, 3, 31)


def plant(db: Session, postings: list[tuple[uuid.UUID, int, str]], reverses_id: int | None = None) -> int:
    """Insert an entry and its postings with plain INSERTs, past every check of the services."""
    entry_id: int = db.execute(
        insert(JournalEntry)
        .values(
            booked_at=utcnow(),
            effective_date=DAY,
            kind="planted",
            description="planted",
            reverses_id=reverses_id,
        )
        .returning(JournalEntry.id)
    ).scalar_one()
    for account_id, minor, currency in postings:
        db.execute(
            insert(Posting).values(
                entry_id=entry_id, account_id=account_id, amount_minor=minor, currency=currency
            )
        )
    return entry_id


@pytest.fixture
def planted(db: Session) -> Iterator[Session]:
    """The test's session inside a savepoint that is rolled back, so the planted rows never outlive it."""
    savepoint = db.begin_nested()
    yield db
    savepoint.rollback()


def book(db: Session, books: Books, amount: str = "100.00") -> JournalEntry:
    return post_entry(
        db,
        effective_date=DAY,
        kind="premium.invoiced",
        description="Premium",
        lines=[
            debit(books.receivable, Money.of(amount, "CNY")),
            credit(books.income, Money.of(amount, "CNY")),
        ],
    )


def test_a_ledger_booked_through_the_services_reconciles(db: Session, books: Books) -> None:
    entry = book(db, books)
    reverse_entry(db, entry.id, effective_date=DAY, reason="wrong amount")
    book(db, books, "99.00")
    assert find_violations(db) == []


def test_an_unbalanced_entry_planted_with_sql_is_listed(planted: Session, books: Books) -> None:
    entry_id = plant(planted, [(books.receivable.id, 10000, "CNY"), (books.income.id, -9999, "CNY")])
    violations = find_violations(planted)
    assert Violation("balanced", f"journal entry {entry_id}", "CNY postings sum to 1") in violations
    assert {v.check for v in violations} == {"balanced", "trial balance"}


def test_an_entry_with_one_posting_is_listed(planted: Session, books: Books) -> None:
    entry_id = plant(planted, [(books.receivable.id, 500, "CNY")])
    assert Violation("two postings", f"journal entry {entry_id}", "has 1 posting(s)") in find_violations(
        planted
    )


def test_an_entry_with_no_postings_is_listed(planted: Session, books: Books) -> None:
    entry_id = plant(planted, [])
    assert find_violations(planted) == [
        Violation("two postings", f"journal entry {entry_id}", "has 0 posting(s)")
    ]


def test_a_zero_posting_is_listed(planted: Session, books: Books) -> None:
    entry_id = plant(
        planted,
        [(books.receivable.id, 500, "CNY"), (books.income.id, -500, "CNY"), (books.cash.id, 0, "CNY")],
    )
    violations = find_violations(planted)
    assert [v.check for v in violations] == ["non-zero"]
    assert f"of journal entry {entry_id}" in violations[0].detail


def test_a_posting_in_another_currency_than_its_account_is_listed_and_unbalances_the_trial_balance(
    planted: Session, books: Books
) -> None:
    plant(planted, [(books.usd_cash.id, 700, "USD"), (books.cash.id, -700, "USD")])
    violations = find_violations(planted)
    assert [v.check for v in violations if v.check == "currency"] == ["currency"]
    trial = {v.subject: v.detail for v in violations if v.check == "trial balance"}
    assert trial == {
        "CNY accounts": "balances sum to -700 minor units, not zero",
        "USD accounts": "balances sum to 700 minor units, not zero",
    }


def test_a_reversal_that_does_not_mirror_its_original_is_listed(planted: Session, books: Books) -> None:
    original = book(planted, books)
    reversal_id = plant(
        planted,
        [(books.receivable.id, -5000, "CNY"), (books.income.id, 5000, "CNY")],
        reverses_id=original.id,
    )
    assert find_violations(planted) == [
        Violation(
            "reversal", f"journal entry {reversal_id}", f"does not mirror the postings of entry {original.id}"
        )
    ]


def test_a_reversal_of_a_reversal_is_listed(planted: Session, books: Books) -> None:
    original = book(planted, books)
    reversal = reverse_entry(planted, original.id, effective_date=DAY, reason="wrong")
    again = plant(
        planted, [(books.receivable.id, 10000, "CNY"), (books.income.id, -10000, "CNY")], reversal.id
    )
    assert find_violations(planted) == [
        Violation("reversal", f"journal entry {again}", f"reverses entry {reversal.id}, itself a reversal")
    ]


def test_a_registered_check_runs_with_the_others(db: Session, books: Books) -> None:
    def every_account_is_named(session: Session) -> list[Violation]:
        return [Violation("named", "ledger", "checked")]

    register_check(every_account_is_named)
    register_check(every_account_is_named)
    try:
        assert find_violations(db) == [Violation("named", "ledger", "checked")]
    finally:
        CHECKS.remove(every_account_is_named)
    assert every_account_is_named not in CHECKS


def test_reconciliation_needs_an_unrestricted_session(
    connection: Connection, db: Session, books: Books
) -> None:
    scoped = Session(bind=connection)
    set_tenant(scoped, Tenant.of(books.insurer.id))
    with pytest.raises(PermissionDenied):
        find_violations(scoped)
    scoped.close()
