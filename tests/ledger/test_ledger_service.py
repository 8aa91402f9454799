"""Accounts, entries, reversals and balances through the ledger services, on both databases."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from tests.ledger.conftest import Books

from tradecover.errors import BusinessRuleViolation, Conflict, NotFound, ValidationError
from tradecover.ledger.model import Account, AccountType, JournalEntry, Posting
from tradecover.ledger.rules import PostingLine, credit, debit
from tradecover.ledger.service import (
    account_balance,
    balances_by_account,
    entries_for_document,
    get_or_open_account,
    open_account,
    post_entry,
    reverse_entry,
)
from tradecover.money import Money

MARCH = dt.date(2026, 3, 31)
APRIL = dt.date(2026, 4, 30)


def cny(amount: str) -> Money:
    return Money.of(amount, "CNY")


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def invoice_premium(db: Session, books: Books, amount: str = "1250.40", day: dt.date = MARCH) -> JournalEntry:
    return post_entry(
        db,
        effective_date=day,
        kind="premium.invoiced",
        description="Premium invoice PI-2026-0001",
        lines=[debit(books.receivable, cny(amount), "PI-2026-0001"), credit(books.income, cny(amount))],
        document_type="premium_invoice",
        document_id="PI-2026-0001",
    )


def row_counts(db: Session) -> tuple[int, int]:
    entries = db.scalar(select(func.count()).select_from(JournalEntry)) or 0
    postings = db.scalar(select(func.count()).select_from(Posting)) or 0
    return entries, postings


# accounts ----------------------------------------------------------------------------------------
def test_an_account_is_opened_per_organisation_code_and_currency(db: Session, books: Books) -> None:
    assert books.cash.code == books.usd_cash.code == "1000"
    assert (books.cash.currency, books.usd_cash.currency) == ("CNY", "USD")
    assert books.income.type is AccountType.INCOME
    assert account_balance(db, books.cash.id) == cny("0")


def test_opening_the_same_code_twice_in_one_currency_is_a_conflict(db: Session, books: Books) -> None:
    with pytest.raises(Conflict) as refused:
        open_account(
            db, organisation_id=books.insurer.id, code="1000", name="Bank", type="asset", currency="cny"
        )
    assert refused.value.field == "code"


def test_an_unknown_currency_or_account_type_is_refused(db: Session, books: Books) -> None:
    with pytest.raises(ValidationError) as currency:
        open_account(db, organisation_id=books.insurer.id, code="9", name="X", type="asset", currency="XXY")
    assert currency.value.field == "currency"
    with pytest.raises(ValidationError) as kind:
        open_account(db, organisation_id=books.insurer.id, code="9", name="X", type="revenue", currency="CNY")
    assert kind.value.field == "type"
    with pytest.raises(ValidationError) as code:
        open_account(db, organisation_id=books.insurer.id, code=" ", name="X", type="asset", currency="CNY")
    assert code.value.field == "code"


def test_an_account_for_an_organisation_that_does_not_exist_is_refused_and_leaves_no_row(
    db: Session, books: Books
) -> None:
    with pytest.raises(Conflict):
        open_account(db, organisation_id=uuid.uuid4(), code="1", name="X", type="asset", currency="CNY")
    assert db.scalar(select(func.count()).select_from(Account)) == 5


def test_get_or_open_account_opens_once_and_then_finds_the_same_account(db: Session, books: Books) -> None:
    kwargs = {
        "organisation_id": books.insurer.id,
        "code": "2300",
        "name": "Subsidy receivable",
        "type": AccountType.ASSET,
        "currency": "CNY",
    }
    first = get_or_open_account(db, **kwargs)  # type: ignore[arg-type]
    again = get_or_open_account(db, **kwargs)  # type: ignore[arg-type]
    assert first.id == again.id
    assert get_or_open_account(db, **{**kwargs, "name": "renamed"}).id == first.id  # type: ignore[arg-type]
    with pytest.raises(Conflict, match="is of type asset, not income"):
        get_or_open_account(db, **{**kwargs, "type": "income"})  # type: ignore[arg-type]


# entries -----------------------------------------------------------------------------------------
def test_a_balanced_entry_is_stored_in_minor_units_and_balances_derive_from_postings(
    db: Session, books: Books
) -> None:
    entry = invoice_premium(db, books)
    db.expire_all()
    stored = db.get(JournalEntry, entry.id)
    assert stored is not None
    assert [(p.account_id, p.amount_minor, p.currency, p.memo) for p in stored.postings] == [
        (books.receivable.id, 125040, "CNY", "PI-2026-0001"),
        (books.income.id, -125040, "CNY", None),
    ]
    assert account_balance(db, books.receivable.id) == cny("1250.40")
    assert account_balance(db, books.income.id) == cny("-1250.40")
    post_entry(
        db,
        effective_date=APRIL,
        kind="premium.paid",
        description="Premium received",
        lines=[(books.cash, cny("1000")), (books.receivable, cny("-1000"))],
    )
    assert account_balance(db, books.receivable.id) == cny("250.40")
    assert account_balance(db, books.receivable.id, as_of=MARCH) == cny("1250.40")
    assert account_balance(db, books.cash.id, as_of=MARCH - dt.timedelta(days=1)) == cny("0")


def test_balances_by_account_lists_every_account_of_the_organisation(db: Session, books: Books) -> None:
    invoice_premium(db, books, "10.00")
    balances = {
        (b.account.code, b.account.currency): b.balance for b in balances_by_account(db, books.insurer.id)
    }
    assert balances == {
        ("1000", "CNY"): cny("0"),
        ("1000", "USD"): usd("0"),
        ("1200", "CNY"): cny("10.00"),
        ("2100", "USD"): usd("0"),
        ("4000", "CNY"): cny("-10.00"),
    }
    before = balances_by_account(db, books.insurer.id, as_of=MARCH - dt.timedelta(days=1))
    assert all(b.balance.is_zero for b in before)


def test_an_entry_may_hold_two_currencies_when_each_balances_on_its_own(db: Session, books: Books) -> None:
    post_entry(
        db,
        effective_date=MARCH,
        kind="fx.exchange",
        description="Bought USD 100.00 for CNY 725.00",
        lines=[
            debit(books.usd_cash, usd("100")),
            credit(books.claims_payable, usd("100")),
            debit(books.receivable, cny("725")),
            credit(books.cash, cny("725")),
        ],
    )
    assert account_balance(db, books.usd_cash.id) == usd("100")


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("unbalanced", "must be equal in each currency"),
        ("single line", "at least two postings"),
        ("zero line", "posting of zero"),
        ("currencies netted", "must be equal in each currency"),
        ("currency differs from account", "USD posted to an account kept in CNY"),
        ("float amount", "must be Money"),
    ],
)
def test_an_entry_that_breaks_the_rules_is_refused_and_leaves_no_rows(
    db: Session, books: Books, case: str, message: str
) -> None:
    lines: dict[str, list[object]] = {
        "unbalanced": [debit(books.receivable, cny("100.00")), credit(books.income, cny("99.99"))],
        "single line": [debit(books.receivable, cny("100"))],
        "zero line": [
            debit(books.receivable, cny("1")),
            credit(books.income, cny("1")),
            (books.cash, cny("0")),
        ],
        "currencies netted": [debit(books.usd_cash, usd("5")), credit(books.cash, cny("5"))],
        "currency differs from account": [debit(books.receivable, usd("5")), credit(books.income, usd("5"))],
        "float amount": [(books.receivable, 5.0), (books.income, cny("-5"))],
    }
    before = row_counts(db)
    with pytest.raises(ValidationError, match=message) as refused:
        post_entry(
            db,
            effective_date=MARCH,
            kind="premium.invoiced",
            description="broken",
            lines=lines[case],  # type: ignore[arg-type]
        )
    assert refused.value.field == "lines"
    assert row_counts(db) == before


def test_an_entry_the_database_refuses_leaves_no_part_behind(db: Session, books: Books) -> None:
    invoice_premium(db, books)
    before = row_counts(db)
    with pytest.raises(IntegrityError):
        post_entry(
            db,
            effective_date=MARCH,
            kind="premium.invoiced",
            description="booked by a user who does not exist",
            lines=[debit(books.receivable, cny("1")), credit(books.income, cny("1"))],
            booked_by_user_id=uuid.uuid4(),
        )
    assert row_counts(db) == before
    assert account_balance(db, books.receivable.id) == cny("1250.40")


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("effective_date", {"effective_date": dt.datetime(2026, 3, 31, tzinfo=dt.UTC)}),
        ("kind", {"kind": ""}),
        ("description", {"description": "x" * 501}),
        ("document_id", {"document_type": "premium_invoice"}),
        ("memo", {}),
    ],
)
def test_an_entry_with_bad_particulars_is_refused_with_the_field(
    db: Session, books: Books, field: str, kwargs: dict[str, object]
) -> None:
    memo = "m" * 201 if field == "memo" else None
    arguments: dict[str, object] = {
        "effective_date": MARCH,
        "kind": "premium.invoiced",
        "description": "Premium",
        "lines": [PostingLine(books.receivable, cny("1"), memo), credit(books.income, cny("1"))],
        **kwargs,
    }
    before = row_counts(db)
    with pytest.raises(ValidationError) as refused:
        post_entry(db, **arguments)  # type: ignore[arg-type]
    assert refused.value.field == field
    assert row_counts(db) == before


def test_entries_for_a_document_are_listed_oldest_first(db: Session, books: Books) -> None:
    first = invoice_premium(db, books)
    other = post_entry(
        db,
        effective_date=MARCH,
        kind="premium.invoiced",
        description="Another invoice",
        lines=[debit(books.receivable, cny("1")), credit(books.income, cny("1"))],
        document_type="premium_invoice",
        document_id="PI-2026-0002",
    )
    reversal = reverse_entry(db, first.id, effective_date=APRIL, reason="issued in error")
    assert [e.id for e in entries_for_document(db, "premium_invoice", "PI-2026-0001")] == [
        first.id,
        reversal.id,
    ]
    assert [e.id for e in entries_for_document(db, "premium_invoice", "PI-2026-0002")] == [other.id]
    assert entries_for_document(db, "claim", "PI-2026-0001") == []


# reversals ---------------------------------------------------------------------------------------
def test_a_reversal_mirrors_the_original_and_nets_the_balances_to_zero(db: Session, books: Books) -> None:
    original = invoice_premium(db, books)
    user_org = books.insurer.id
    reversal = reverse_entry(
        db, original.id, effective_date=APRIL, reason="wrong rate", booked_by_organisation_id=user_org
    )
    assert reversal.reverses_id == original.id
    assert reversal.kind == original.kind
    assert reversal.description == f"Reversal of entry {original.id}: wrong rate"
    assert (reversal.document_type, reversal.document_id) == ("premium_invoice", "PI-2026-0001")
    assert reversal.booked_by_organisation_id == user_org
    assert [(p.account_id, p.amount_minor, p.memo) for p in reversal.postings] == [
        (p.account_id, -p.amount_minor, p.memo) for p in original.postings
    ]
    assert account_balance(db, books.receivable.id) == cny("0")
    assert account_balance(db, books.income.id) == cny("0")
    assert account_balance(db, books.receivable.id, as_of=MARCH) == cny("1250.40")


def test_an_entry_is_reversed_at_most_once(db: Session, books: Books) -> None:
    original = invoice_premium(db, books)
    reverse_entry(db, original.id, effective_date=APRIL, reason="wrong rate")
    before = row_counts(db)
    with pytest.raises(Conflict, match="already been reversed"):
        reverse_entry(db, original.id, effective_date=APRIL, reason="again")
    assert row_counts(db) == before


def test_the_database_refuses_a_second_reversal_that_slips_past_the_service(
    db: Session, books: Books
) -> None:
    original = invoice_premium(db, books)
    reverse_entry(db, original.id, effective_date=APRIL, reason="wrong rate")
    with db.begin_nested() as savepoint:
        twin = JournalEntry(
            effective_date=APRIL, kind="premium.invoiced", description="twin", reverses_id=original.id
        )
        db.add(twin)
        with pytest.raises(IntegrityError):
            db.flush()
        savepoint.rollback()


def test_a_reversal_is_not_itself_reversed(db: Session, books: Books) -> None:
    reversal = reverse_entry(db, invoice_premium(db, books).id, effective_date=APRIL, reason="wrong rate")
    with pytest.raises(BusinessRuleViolation, match="itself a reversal"):
        reverse_entry(db, reversal.id, effective_date=APRIL, reason="undo the undo")


def test_reversing_an_unknown_entry_is_not_found_and_a_reason_is_required(db: Session, books: Books) -> None:
    with pytest.raises(NotFound):
        reverse_entry(db, 987654321, effective_date=APRIL, reason="none")
    entry = invoice_premium(db, books)
    with pytest.raises(ValidationError) as refused:
        reverse_entry(db, entry.id, effective_date=APRIL, reason="  ")
    assert refused.value.field == "reason"


def test_the_balance_of_an_unknown_account_is_not_found(db: Session) -> None:
    with pytest.raises(NotFound):
        account_balance(db, uuid.uuid4())


def test_a_reversal_the_database_refuses_is_not_mistaken_for_a_double_reversal(
    db: Session, books: Books
) -> None:
    original = invoice_premium(db, books)
    before = row_counts(db)
    with pytest.raises(IntegrityError):
        reverse_entry(db, original.id, effective_date=APRIL, reason="wrong", booked_by_user_id=uuid.uuid4())
    assert row_counts(db) == before
    assert reverse_entry(db, original.id, effective_date=APRIL, reason="wrong").reverses_id == original.id
