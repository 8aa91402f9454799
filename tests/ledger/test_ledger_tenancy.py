"""A session scoped to one organisation finds only its own accounts, entries and postings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session
from tests.ledger.conftest import Books

from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.errors import NotFound
from tradecover.ledger.model import Account, JournalEntry, Posting
from tradecover.ledger.rules import credit, debit
from tradecover.ledger.service import (
    account_balance,
    balances_by_account,
    entries_for_document,
    get_entry,
    post_entry,
    reverse_entry,
)
from tradecover.money import Money

DAY = dt.date(2026, 3, 31)


def invoice(db: Session, books: Books, number: str, amount: str) -> JournalEntry:
    return post_entry(
        db,
        effective_date=DAY,
        kind="premium.invoiced",
        description=f"Premium invoice {number}",
        lines=[
            debit(books.receivable, Money.of(amount, "CNY")),
            credit(books.income, Money.of(amount, "CNY")),
        ],
        document_type="premium_invoice",
        document_id=number,
    )


@pytest.fixture
def two_insurers(db: Session, make_books: Callable[[str], Books]) -> tuple[Books, Books]:
    return make_books("Insurer A"), make_books("Insurer B")


@pytest.fixture
def seen_by_b(connection: Connection, db: Session, two_insurers: tuple[Books, Books]) -> Iterator[Session]:
    """A session on the test's connection that sees through insurer B's eyes."""
    db.flush()
    scoped = Session(bind=connection)
    set_tenant(scoped, Tenant.of(two_insurers[1].insurer.id))
    yield scoped
    scoped.close()


def test_another_organisations_accounts_are_not_found(
    db: Session, two_insurers: tuple[Books, Books], seen_by_b: Session
) -> None:
    a, b = two_insurers
    invoice(db, a, "A-1", "100.00")
    assert set(seen_by_b.scalars(select(Account.organisation_id))) == {b.insurer.id}
    with pytest.raises(NotFound):
        account_balance(seen_by_b, a.receivable.id)
    assert balances_by_account(seen_by_b, a.insurer.id) == []
    assert account_balance(seen_by_b, b.receivable.id) == Money.of("0", "CNY")


def test_another_organisations_entries_and_postings_are_not_found(
    db: Session, two_insurers: tuple[Books, Books], seen_by_b: Session
) -> None:
    a, b = two_insurers
    theirs = invoice(db, a, "A-1", "100.00")
    mine = invoice(db, b, "B-1", "7.00")
    assert seen_by_b.scalars(select(JournalEntry.id)).all() == [mine.id]
    assert set(seen_by_b.scalars(select(Posting.account_id))) == {b.receivable.id, b.income.id}
    assert entries_for_document(seen_by_b, "premium_invoice", "A-1") == []
    assert [e.id for e in entries_for_document(seen_by_b, "premium_invoice", "B-1")] == [mine.id]
    with pytest.raises(NotFound):
        get_entry(seen_by_b, theirs.id)
    with pytest.raises(NotFound):
        reverse_entry(seen_by_b, theirs.id, effective_date=DAY, reason="not mine")


def test_balances_seen_by_an_organisation_match_the_whole_ledger(
    db: Session, two_insurers: tuple[Books, Books], seen_by_b: Session
) -> None:
    a, b = two_insurers
    invoice(db, a, "A-1", "100.00")
    invoice(db, b, "B-1", "7.00")
    invoice(db, b, "B-2", "3.50")
    scoped = [(x.account.id, x.balance) for x in balances_by_account(seen_by_b, b.insurer.id)]
    whole = [(x.account.id, x.balance) for x in balances_by_account(db, b.insurer.id)]
    assert scoped == whole
    assert dict(scoped)[b.receivable.id] == Money.of("10.50", "CNY")


def test_an_entry_between_two_organisations_shows_each_only_its_own_postings(
    db: Session, two_insurers: tuple[Books, Books], seen_by_b: Session
) -> None:
    a, b = two_insurers
    settlement = post_entry(
        db,
        effective_date=DAY,
        kind="coinsurance.settled",
        description="Pool share settled from A to B",
        lines=[debit(b.cash, Money.of("40", "CNY")), credit(a.cash, Money.of("40", "CNY"))],
    )
    seen = get_entry(seen_by_b, settlement.id)
    assert [p.account_id for p in seen.postings] == [b.cash.id]
    assert set(seen_by_b.scalars(select(Posting.account_id))) == {b.cash.id}
