"""Journal entries and postings are append-only: the database itself refuses to change or remove them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from tests.ledger.conftest import Books

from tradecover.ledger.model import JournalEntry, Posting
from tradecover.ledger.rules import credit, debit
from tradecover.ledger.service import post_entry
from tradecover.money import Money

REFUSED = "append-only"


def booked_entry(db: Session, books: Books) -> JournalEntry:
    return post_entry(
        db,
        effective_date=dt.date(2026, 3, 31),
        kind="premium.invoiced",
        description="Premium invoice PI-1",
        lines=[
            debit(books.receivable, Money.of("80.00", "CNY")),
            credit(books.income, Money.of("80.00", "CNY")),
        ],
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE journal_entries SET description = 'changed' WHERE id = {entry}",
        "UPDATE journal_entries SET effective_date = effective_date WHERE id = {entry}",
        "DELETE FROM journal_entries WHERE id = {entry}",
        "UPDATE postings SET amount_minor = amount_minor * 2 WHERE entry_id = {entry}",
        "UPDATE postings SET memo = 'changed' WHERE entry_id = {entry}",
        "DELETE FROM postings WHERE entry_id = {entry}",
    ],
)
def test_raw_sql_cannot_change_or_delete_booked_rows(db: Session, books: Books, statement: str) -> None:
    entry = booked_entry(db, books)
    with db.begin_nested() as savepoint:
        with pytest.raises(DBAPIError, match=REFUSED):
            db.connection().exec_driver_sql(statement.format(entry=int(entry.id)))
        savepoint.rollback()
    assert db.scalars(select(Posting.amount_minor).where(Posting.entry_id == entry.id)).all() == [8000, -8000]


def test_a_bound_update_through_text_is_refused_too(db: Session, books: Books) -> None:
    entry = booked_entry(db, books)
    with db.begin_nested() as savepoint:
        with pytest.raises(DBAPIError, match=REFUSED):
            db.execute(
                text("UPDATE postings SET amount_minor = :zero WHERE entry_id = :id"),
                {"zero": 0, "id": entry.id},
            )
        savepoint.rollback()


def test_changing_a_posting_through_the_orm_is_refused(db: Session, books: Books) -> None:
    entry = booked_entry(db, books)
    posting = entry.postings[0]
    with db.begin_nested() as savepoint:
        posting.amount_minor = 1
        with pytest.raises(DBAPIError, match=REFUSED):
            db.flush()
        savepoint.rollback()
    db.refresh(posting)
    assert posting.amount_minor == 8000


def test_deleting_an_entry_through_the_orm_is_refused(db: Session, books: Books) -> None:
    entry = booked_entry(db, books)
    with db.begin_nested() as savepoint:
        for posting in entry.postings:
            db.delete(posting)
        db.delete(entry)
        with pytest.raises(DBAPIError, match=REFUSED):
            db.flush()
        savepoint.rollback()
    assert db.get(JournalEntry, entry.id) is not None


@pytest.mark.parametrize("table", ["postings", "journal_entries"])
def test_postgresql_refuses_to_truncate_the_ledger(
    db: Session, books: Books, backend: str, table: str
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    entry = booked_entry(db, books)
    with db.begin_nested() as savepoint:
        with pytest.raises(DBAPIError, match=REFUSED):
            db.connection().exec_driver_sql(f"TRUNCATE {table} CASCADE")
        savepoint.rollback()
    assert db.get(JournalEntry, entry.id) is not None
