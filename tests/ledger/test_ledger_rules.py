"""The pure double-entry rules: balance per currency, at least two lines, no zero, no float, reversal."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.errors import ValidationError
from tradecover.ledger.rules import (
    AccountType,
    PostingLine,
    check_balanced,
    credit,
    debit,
    presented_balance,
    reversal_of,
    totals_by_currency,
)
from tradecover.money import Money


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def test_a_debit_and_an_equal_credit_balance() -> None:
    check_balanced([debit("cash", usd("100.00")), credit("premium income", usd("100.00"))])


def test_debits_are_positive_and_credits_negative() -> None:
    assert debit("cash", usd("-5")).amount == usd("5")
    assert credit("cash", usd("5")).amount == usd("-5")


def test_an_entry_whose_lines_do_not_sum_to_zero_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"USD -0\.01") as refused:
        check_balanced([debit("cash", usd("99.99")), credit("income", usd("100.00"))])
    assert refused.value.field == "lines"


def test_a_single_line_entry_is_refused_even_for_zero() -> None:
    with pytest.raises(ValidationError, match="at least two postings"):
        check_balanced([PostingLine("cash", usd("0"))])
    with pytest.raises(ValidationError, match="at least two postings"):
        check_balanced([])


def test_a_zero_line_is_refused() -> None:
    with pytest.raises(ValidationError, match="line 3: a posting of zero"):
        check_balanced([debit("a", usd("1")), credit("b", usd("1")), PostingLine("c", usd("0"))])


def test_an_amount_that_is_not_money_is_refused() -> None:
    lines = [PostingLine("a", Decimal("1")), credit("b", usd("1"))]  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="line 1: the amount must be Money, got Decimal"):
        check_balanced(lines)


def test_two_currencies_balance_only_each_on_its_own() -> None:
    balanced = [
        debit("cash usd", usd("10")),
        credit("fx usd", usd("10")),
        debit("fx cny", Money.of("72.50", "CNY")),
        credit("cash cny", Money.of("72.50", "CNY")),
    ]
    check_balanced(balanced)
    netting_across_currencies = [debit("cash usd", usd("10")), credit("cash cny", Money.of("10", "CNY"))]
    with pytest.raises(ValidationError, match=r"CNY -10\.00, USD 10\.00"):
        check_balanced(netting_across_currencies)


def test_a_line_in_another_currency_than_its_account_is_refused() -> None:
    kept_in = {"cash": "USD", "income": "CNY"}
    with pytest.raises(ValidationError, match="line 2: USD posted to an account kept in CNY"):
        check_balanced(
            [debit("cash", usd("1")), credit("income", usd("1"))], account_currency=kept_in.__getitem__
        )


def test_a_reversal_negates_every_line_and_keeps_accounts_and_memos() -> None:
    lines = [debit("cash", usd("3.10"), "received"), credit("income", usd("3.10"), "earned")]
    assert reversal_of(lines) == [
        PostingLine("cash", usd("-3.10"), "received"),
        PostingLine("income", usd("3.10"), "earned"),
    ]


def test_a_statement_shows_income_and_liabilities_with_their_credit_sign_turned() -> None:
    assert presented_balance(AccountType.ASSET, usd("5")) == usd("5")
    assert presented_balance(AccountType.EXPENSE, usd("5")) == usd("5")
    assert presented_balance(AccountType.INCOME, usd("-5")) == usd("5")
    assert presented_balance(AccountType.LIABILITY, usd("-5")) == usd("5")
    assert presented_balance(AccountType.EQUITY, usd("-5")) == usd("5")


minor = st.integers(min_value=-(10**12), max_value=10**12).filter(bool)


@given(st.lists(minor, min_size=1, max_size=8), st.sampled_from(["USD", "JPY", "KWD", "CNY"]))
def test_any_lines_with_their_balancing_line_balance_and_so_does_their_reversal(
    amounts: list[int], currency: str
) -> None:
    lines = [PostingLine(i, Money.from_minor(a, currency)) for i, a in enumerate(amounts)]
    rest = -sum(amounts)
    if rest:
        lines.append(PostingLine(-1, Money.from_minor(rest, currency)))
    check_balanced(lines)
    check_balanced(reversal_of(lines))
    assert totals_by_currency(lines + reversal_of(lines)) == {currency: Money.zero(currency)}
