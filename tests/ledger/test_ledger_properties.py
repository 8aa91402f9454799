"""Properties of the ledger over random balanced entries, on both databases."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.ledger.model import Account, Posting
from tradecover.ledger.rules import AccountType, PostingLine
from tradecover.ledger.service import account_balance, balances_by_account, open_account, post_entry
from tradecover.money import Money
from tradecover.parties.model import Organisation
from tradecover.parties.roles import OrganisationKind

CURRENCIES = ("CNY", "USD", "JPY", "KWD")
ACCOUNT_TYPES = (AccountType.ASSET, AccountType.LIABILITY, AccountType.INCOME)
START = dt.date(2026, 1, 1)

amounts = st.integers(min_value=-(10**12), max_value=10**12).filter(bool)
# One currency's part of an entry: lines on accounts 0..2, then a line on a balancing account.
currency_part = st.tuples(
    st.sampled_from(CURRENCIES),
    st.lists(st.tuples(st.integers(0, 2), amounts), min_size=1, max_size=4),
    st.integers(0, 2),
)
entries = st.lists(
    st.tuples(
        st.lists(currency_part, min_size=1, max_size=2, unique_by=lambda part: part[0]), st.integers(0, 90)
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(booked=entries, as_of_offset=st.integers(0, 90))
def test_balances_are_the_sums_of_postings_and_every_currency_nets_to_zero(
    db: Session, booked: list[tuple[list[tuple[str, list[tuple[int, int]], int]], int]], as_of_offset: int
) -> None:
    # Each example runs in its own savepoint so that examples do not see each other's books.
    with db.begin_nested() as savepoint:
        insurer = Organisation(name="Property Insurer", kind=OrganisationKind.INSURER, country="CN")
        db.add(insurer)
        db.flush()
        accounts = {
            (currency, i): open_account(
                db, organisation_id=insurer.id, code=f"{i}", name=f"Account {i}", type=kind, currency=currency
            )
            for currency in CURRENCIES
            for i, kind in enumerate(ACCOUNT_TYPES)
        }
        expected: dict[tuple[str, int], int] = defaultdict(int)
        expected_as_of: dict[tuple[str, int], int] = defaultdict(int)
        as_of = START + dt.timedelta(days=as_of_offset)
        for parts, day_offset in booked:
            effective_date = START + dt.timedelta(days=day_offset)
            lines: list[PostingLine[Account]] = []
            moves: list[tuple[tuple[str, int], int]] = []
            for currency, part_lines, balancing in parts:
                moves.extend(((currency, i), minor) for i, minor in part_lines)
                rest = -sum(minor for _, minor in part_lines)
                if rest:
                    moves.append(((currency, balancing), rest))
            for key, minor in moves:
                lines.append(PostingLine(accounts[key], Money.from_minor(minor, key[0])))
                expected[key] += minor
                if effective_date <= as_of:
                    expected_as_of[key] += minor
            post_entry(db, effective_date=effective_date, kind="property", description="random", lines=lines)

        for key, account in accounts.items():
            summed = db.scalar(
                select(func.coalesce(func.sum(Posting.amount_minor), 0)).where(
                    Posting.account_id == account.id
                )
            )
            assert int(summed or 0) == expected[key]
            assert account_balance(db, account.id) == Money.from_minor(expected[key], key[0])
            assert account_balance(db, account.id, as_of=as_of) == Money.from_minor(
                expected_as_of[key], key[0]
            )

        net: dict[str, Money] = {}
        for row in balances_by_account(db, insurer.id):
            currency = row.account.currency
            net[currency] = net.get(currency, Money.zero(currency)) + row.balance
        assert net == {currency: Money.zero(currency) for currency in CURRENCIES}
        savepoint.rollback()
