"""The double-entry rules, pure: what makes a set of posting lines a valid journal entry.

Sign convention: a debit is a positive amount, a credit a negative one, in every kind of account. An
entry balances when, per currency, its lines add up to exactly zero. An account's balance is the plain
sum of its postings, so an asset or expense account normally shows a positive (debit) balance and a
liability, equity or income account a negative (credit) one; `presented_balance` turns that into the
figure a statement shows.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from tradecover.errors import ValidationError
from tradecover.money import Money

AccountT = TypeVar("AccountT")


class AccountType(enum.StrEnum):
    """The five kinds of account; debits are positive, credits negative in every one."""

    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"

    @property
    def is_debit_normal(self) -> bool:
        """True for the kinds whose balance is normally a debit (assets and expenses)."""
        return self in (AccountType.ASSET, AccountType.EXPENSE)


@dataclass(frozen=True, slots=True)
class PostingLine(Generic[AccountT]):
    """One line of an entry before it is booked: an account, a signed amount (debit +, credit −), a memo."""

    account: AccountT
    amount: Money
    memo: str | None = None


def debit(account: AccountT, amount: Money, memo: str | None = None) -> PostingLine[AccountT]:
    """A debit line: `amount` (positive) is added to the account."""
    return PostingLine(account, abs(amount), memo)


def credit(account: AccountT, amount: Money, memo: str | None = None) -> PostingLine[AccountT]:
    """A credit line: `amount` (positive) is taken off the account."""
    return PostingLine(account, -abs(amount), memo)


def totals_by_currency(lines: Iterable[PostingLine[AccountT]]) -> dict[str, Money]:
    """The sum of the lines in each currency (all zero for a balanced entry)."""
    totals: dict[str, Money] = {}
    for line in lines:
        currency = line.amount.currency
        totals[currency] = totals.get(currency, Money.zero(currency)) + line.amount
    return totals


def check_balanced(
    lines: Sequence[PostingLine[AccountT]],
    *,
    account_currency: Callable[[AccountT], str] | None = None,
) -> None:
    """Raise ValidationError unless the lines form a balanced entry.

    A balanced entry has at least two lines, each an exact non-zero `Money`, and per currency its lines
    add up to exactly zero. Given `account_currency`, each line must also be in its account's currency.
    """
    if len(lines) < 2:
        raise ValidationError(f"a journal entry needs at least two postings, got {len(lines)}", field="lines")
    for number, line in enumerate(lines, start=1):
        if not isinstance(line.amount, Money):
            raise ValidationError(
                f"line {number}: the amount must be Money, got {type(line.amount).__name__}", field="lines"
            )
        if line.amount.is_zero:
            raise ValidationError(f"line {number}: a posting of zero moves nothing", field="lines")
        if account_currency is not None:
            kept_in = account_currency(line.account)
            if line.amount.currency != kept_in:
                raise ValidationError(
                    f"line {number}: {line.amount.currency} posted to an account kept in {kept_in}",
                    field="lines",
                )
    unbalanced = {
        currency: total for currency, total in totals_by_currency(lines).items() if not total.is_zero
    }
    if unbalanced:
        sums = ", ".join(str(total) for _, total in sorted(unbalanced.items()))
        raise ValidationError(
            f"debits and credits must be equal in each currency; the lines sum to {sums}", field="lines"
        )


def reversal_of(lines: Iterable[PostingLine[AccountT]]) -> list[PostingLine[AccountT]]:
    """The lines that undo `lines`: the same accounts and memos with every amount negated."""
    return [replace(line, amount=-line.amount) for line in lines]


def presented_balance(account_type: AccountType, balance: Money) -> Money:
    """A balance as a statement shows it: positive when the account holds its normal side."""
    return balance if account_type.is_debit_normal else -balance
