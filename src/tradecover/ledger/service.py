"""Ledger use cases: open accounts, post balanced entries, reverse them, derive balances.

These functions never commit; the entry point that called the use case owns the transaction. Every
lookup is an ordinary session query, so a session scoped to one organisation finds only its own
accounts, the entries that touch them and the postings on them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tradecover.errors import BusinessRuleViolation, Conflict, NotFound, ValidationError
from tradecover.ledger.model import Account, JournalEntry, Posting
from tradecover.ledger.rules import AccountType, PostingLine, check_balanced, reversal_of
from tradecover.money import Money, minor_unit_exponent

LineInput = tuple[Account, Money] | PostingLine[Account]


@dataclass(frozen=True, slots=True)
class AccountBalance:
    """An account and its balance (debit +, credit −) derived from its postings."""

    account: Account
    balance: Money


def _text(value: str, *, field: str, max_length: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("must not be empty", field=field)
    value = value.strip()
    if len(value) > max_length:
        raise ValidationError(f"must be at most {max_length} characters", field=field)
    return value


def _optional_text(value: object, *, field: str, max_length: int) -> str | None:
    if value is None:
        return None
    return _text(str(value), field=field, max_length=max_length)


def _date(value: object, *, field: str) -> dt.date:
    # A datetime is a date too; a ledger date must not carry a time of day.
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError("must be a date", field=field)
    return value


def _currency(currency: str) -> str:
    if not isinstance(currency, str):
        raise ValidationError("must be an ISO 4217 code", field="currency")
    code = currency.strip().upper()
    minor_unit_exponent(code)
    return code


def _account_type(value: AccountType | str) -> AccountType:
    try:
        return AccountType(value)
    except ValueError:
        kinds = ", ".join(kind.value for kind in AccountType)
        raise ValidationError(f"{value!r} is not one of {kinds}", field="type") from None


# accounts ----------------------------------------------------------------------------------------
def find_account(session: Session, *, organisation_id: uuid.UUID, code: str, currency: str) -> Account | None:
    """The organisation's account with this code in this currency, or None."""
    return session.scalars(
        select(Account).where(
            Account.organisation_id == organisation_id,
            Account.code == code.strip(),
            Account.currency == currency.strip().upper(),
        )
    ).one_or_none()


def get_account(session: Session, account_id: uuid.UUID) -> Account:
    """The account with this id, if the session may see it."""
    account = session.scalars(select(Account).where(Account.id == account_id)).one_or_none()
    if account is None:
        raise NotFound(f"no account {account_id}")
    return account


def open_account(
    session: Session,
    *,
    organisation_id: uuid.UUID,
    code: str,
    name: str,
    type: AccountType | str,
    currency: str,
) -> Account:
    """Open an account for an organisation in one currency; its code is unique per currency."""
    code = _text(code, field="code", max_length=64)
    name = _text(name, field="name", max_length=200)
    kind = _account_type(type)
    currency = _currency(currency)
    if find_account(session, organisation_id=organisation_id, code=code, currency=currency) is not None:
        raise Conflict(f"the organisation already has a {currency} account {code}", field="code")
    account = Account(organisation_id=organisation_id, code=code, name=name, type=kind, currency=currency)
    try:
        # A savepoint keeps a concurrent duplicate (or an account hidden from a scoped session) from
        # spoiling the caller's transaction.
        with session.begin_nested():
            session.add(account)
    except IntegrityError:
        raise Conflict(
            f"the organisation already has a {currency} account {code}, or does not exist", field="code"
        ) from None
    return account


def get_or_open_account(
    session: Session,
    *,
    organisation_id: uuid.UUID,
    code: str,
    name: str,
    type: AccountType | str,
    currency: str,
) -> Account:
    """The organisation's account with this code and currency, opened on first use."""
    kind = _account_type(type)
    existing = find_account(
        session,
        organisation_id=organisation_id,
        code=_text(code, field="code", max_length=64),
        currency=_currency(currency),
    )
    if existing is None:
        return open_account(
            session, organisation_id=organisation_id, code=code, name=name, type=kind, currency=currency
        )
    if existing.type != kind:
        raise Conflict(
            f"account {existing.code} ({existing.currency}) is of type {existing.type.value}, "
            f"not {kind.value}",
            field="type",
        )
    return existing


# entries -----------------------------------------------------------------------------------------
def _lines(lines: Sequence[LineInput]) -> list[PostingLine[Account]]:
    result: list[PostingLine[Account]] = []
    for number, line in enumerate(lines, start=1):
        if isinstance(line, PostingLine):
            result.append(line)
        elif isinstance(line, tuple) and len(line) == 2:
            result.append(PostingLine(line[0], line[1]))
        else:
            raise ValidationError(
                f"line {number}: expected (account, amount) or a PostingLine", field="lines"
            )
        if not isinstance(result[-1].account, Account):
            raise ValidationError(f"line {number}: the account must be an Account", field="lines")
        memo = result[-1].memo
        blank = memo is None or not str(memo).strip()
        result[-1] = replace(
            result[-1], memo=None if blank else _text(str(memo), field="memo", max_length=200)
        )
    return result


def post_entry(
    session: Session,
    *,
    effective_date: dt.date,
    kind: str,
    description: str,
    lines: Sequence[LineInput],
    document_type: str | None = None,
    document_id: object | None = None,
    booked_by_user_id: uuid.UUID | None = None,
    booked_by_organisation_id: uuid.UUID | None = None,
) -> JournalEntry:
    """Book a balanced journal entry; nothing is stored unless all of it is.

    Each line is `(account, amount)` or a `PostingLine` (debit +, credit −); each amount must be in its
    account's currency and, per currency, the amounts must add up to zero.
    """
    return _book(
        session,
        effective_date=effective_date,
        kind=kind,
        description=description,
        lines=lines,
        document_type=document_type,
        document_id=document_id,
        booked_by_user_id=booked_by_user_id,
        booked_by_organisation_id=booked_by_organisation_id,
        reverses_id=None,
    )


def _book(
    session: Session,
    *,
    effective_date: dt.date,
    kind: str,
    description: str,
    lines: Sequence[LineInput],
    document_type: str | None,
    document_id: object | None,
    booked_by_user_id: uuid.UUID | None,
    booked_by_organisation_id: uuid.UUID | None,
    reverses_id: int | None,
) -> JournalEntry:
    effective_date = _date(effective_date, field="effective_date")
    kind = _text(kind, field="kind", max_length=64)
    description = _text(description, field="description", max_length=500)
    document_type = _optional_text(document_type, field="document_type", max_length=64)
    document = _optional_text(document_id, field="document_id", max_length=64)
    if (document_type is None) != (document is None):
        raise ValidationError("a document needs both a type and an id", field="document_id")
    checked = _lines(lines)
    check_balanced(checked, account_currency=lambda account: account.currency)
    entry = JournalEntry(
        effective_date=effective_date,
        kind=kind,
        description=description,
        document_type=document_type,
        document_id=document,
        reverses_id=reverses_id,
        booked_by_user_id=booked_by_user_id,
        booked_by_organisation_id=booked_by_organisation_id,
        postings=[
            Posting(
                account=line.account,
                amount_minor=line.amount.minor_units,
                currency=line.amount.currency,
                memo=line.memo,
            )
            for line in checked
        ],
    )
    # One savepoint for the entry and all its postings: a refusal by the database leaves no part behind.
    with session.begin_nested():
        session.add(entry)
    return entry


def get_entry(session: Session, entry_id: int) -> JournalEntry:
    """The journal entry with this id, if the session may see it."""
    entry = session.scalars(select(JournalEntry).where(JournalEntry.id == entry_id)).one_or_none()
    if entry is None:
        raise NotFound(f"no journal entry {entry_id}")
    return entry


def reversal_for(session: Session, entry_id: int) -> JournalEntry | None:
    """The entry that reverses entry `entry_id`, or None while it stands."""
    return session.scalars(select(JournalEntry).where(JournalEntry.reverses_id == entry_id)).one_or_none()


def posting_lines(entry: JournalEntry) -> list[PostingLine[Account]]:
    """An entry's postings as lines of Money."""
    return [
        PostingLine(posting.account, Money.from_minor(posting.amount_minor, posting.currency), posting.memo)
        for posting in entry.postings
    ]


def reverse_entry(
    session: Session,
    entry_id: int,
    *,
    effective_date: dt.date,
    reason: str,
    booked_by_user_id: uuid.UUID | None = None,
    booked_by_organisation_id: uuid.UUID | None = None,
) -> JournalEntry:
    """Undo an entry by booking its mirror image; an entry is reversed at most once."""
    reason = _text(reason, field="reason", max_length=400)
    original = get_entry(session, entry_id)
    if original.reverses_id is not None:
        raise BusinessRuleViolation(
            f"entry {original.id} is itself a reversal (of entry {original.reverses_id}); "
            "post the original again instead of reversing the reversal",
            field="entry_id",
        )
    if reversal_for(session, original.id) is not None:
        raise Conflict(f"entry {original.id} has already been reversed", field="entry_id")
    try:
        return _book(
            session,
            effective_date=effective_date,
            kind=original.kind,
            description=f"Reversal of entry {original.id}: {reason}",
            lines=reversal_of(posting_lines(original)),
            document_type=original.document_type,
            document_id=original.document_id,
            booked_by_user_id=booked_by_user_id,
            booked_by_organisation_id=booked_by_organisation_id,
            reverses_id=original.id,
        )
    except IntegrityError:
        # Another transaction reversed it first: the unique constraint on reverses_id decided.
        if reversal_for(session, original.id) is not None:
            raise Conflict(f"entry {original.id} has already been reversed", field="entry_id") from None
        raise


def entries_for_document(session: Session, document_type: str, document_id: object) -> list[JournalEntry]:
    """The entries booked for one document (an invoice, a claim, a subsidy payment), oldest first."""
    return list(
        session.scalars(
            select(JournalEntry)
            .where(JournalEntry.document_type == document_type, JournalEntry.document_id == str(document_id))
            .order_by(JournalEntry.id)
        )
    )


# balances ----------------------------------------------------------------------------------------
def account_balance(session: Session, account_id: uuid.UUID, *, as_of: dt.date | None = None) -> Money:
    """The sum of the account's postings (debit +, credit −), up to and including `as_of` if given."""
    account = get_account(session, account_id)
    query = (
        select(func.coalesce(func.sum(Posting.amount_minor), 0))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(Posting.account_id == account.id)
    )
    if as_of is not None:
        query = query.where(JournalEntry.effective_date <= _date(as_of, field="as_of"))
    return Money.from_minor(int(session.scalar(query) or 0), account.currency)


def balances_by_account(
    session: Session, organisation_id: uuid.UUID, *, as_of: dt.date | None = None
) -> list[AccountBalance]:
    """Every account of the organisation with its balance, by code and currency (a trial balance)."""
    totals = (
        select(Posting.account_id, func.sum(Posting.amount_minor).label("total"))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .group_by(Posting.account_id)
    )
    if as_of is not None:
        totals = totals.where(JournalEntry.effective_date <= _date(as_of, field="as_of"))
    subquery = totals.subquery()
    rows = session.execute(
        select(Account, func.coalesce(subquery.c.total, 0))
        .outerjoin(subquery, subquery.c.account_id == Account.id)
        .where(Account.organisation_id == organisation_id)
        .order_by(Account.code, Account.currency)
    ).all()
    return [
        AccountBalance(account, Money.from_minor(int(total), account.currency)) for account, total in rows
    ]
