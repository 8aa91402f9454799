"""The member split and the payee split of an indemnity (DESIGN §2 "Claim", "Coinsurance pool")."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from tradecover.claims.rules.settlement import bank_owed, payee_split, settle, split_among_members
from tradecover.coinsurance.rules import MemberShare
from tradecover.errors import ValidationError
from tradecover.money import Money


def usd(amount: str) -> Money:
    """USD from a decimal string."""
    return Money.of(amount.replace(",", ""), "USD")


def pool(*shares: str) -> list[MemberShare]:
    """Members in pool order, the leader first."""
    return [MemberShare(uuid.uuid4(), Decimal(share), position) for position, share in enumerate(shares)]


@pytest.mark.parametrize(
    ("indemnity", "shares", "expected"),
    [
        ("90,000.00", ("1",), ["90,000.00"]),
        # 70,674.61 × 40/35/25 = 28,269.844 / 24,736.1135 / 17,668.6525 (in cents: remainders .4, .35, .25):
        # one cent left, the largest remainder (the leader's .4) takes it
        ("70,674.61", ("0.4", "0.35", "0.25"), ["28,269.85", "24,736.11", "17,668.65"]),
        # remainders .6666, .6666, .6668: the last member first, then the tie goes to the leader
        ("0.02", ("0.3333", "0.3333", "0.3334"), ["0.01", "0.00", "0.01"]),
        ("0.01", ("0.5", "0.5"), ["0.01", "0.00"]),
        ("100.00", ("0.5", "0.5"), ["50.00", "50.00"]),
        ("0.00", ("0.6", "0.4"), ["0.00", "0.00"]),
    ],
)
def test_split_among_members(indemnity: str, shares: tuple[str, ...], expected: list[str]) -> None:
    parts = split_among_members(usd(indemnity), pool(*shares))
    assert parts == [usd(x) for x in expected]
    assert sum((p.amount for p in parts), Decimal(0)) == usd(indemnity).amount


def test_equal_remainders_follow_pool_position_not_the_order_given() -> None:
    members = pool("0.5", "0.5")
    assert split_among_members(usd("0.01"), list(reversed(members))) == [usd("0.00"), usd("0.01")]


def test_no_members_refused() -> None:
    with pytest.raises(ValidationError):
        split_among_members(usd("1.00"), [])


@pytest.mark.parametrize(
    ("indemnity", "outstanding", "expected"),
    [
        ("100.00", None, None),
        ("100.00", "30.00", "30.00"),
        ("100.00", "300.00", "100.00"),
        ("100.00", "-5.00", "0.00"),
    ],
)
def test_bank_owed(indemnity: str, outstanding: str | None, expected: str | None) -> None:
    owed = bank_owed(usd(indemnity), None if outstanding is None else usd(outstanding))
    assert owed == (None if expected is None else usd(expected))


@pytest.mark.parametrize(
    ("parts", "owed", "expected"),
    [
        # no bank: all to the insured
        (["60.00", "40.00"], None, [("0", "60.00"), ("0", "40.00")]),
        # the bank is paid by the leader first, then the next member
        (
            ["28,269.85", "24,736.11", "17,668.65"],
            "30,000.00",
            [("28,269.85", "0"), ("1,730.15", "23,005.96"), ("0", "17,668.65")],
        ),
        # the bank owed the whole indemnity
        (["60.00", "40.00"], "100.00", [("60.00", "0"), ("40.00", "0")]),
        # owed nothing
        (["60.00", "40.00"], "0.00", [("0", "60.00"), ("0", "40.00")]),
    ],
)
def test_payee_split(parts: list[str], owed: str | None, expected: list[tuple[str, str]]) -> None:
    result = payee_split([usd(p) for p in parts], None if owed is None else usd(owed))
    assert result == [(usd(b), usd(i)) for b, i in expected]
    for (to_bank, to_insured), part in zip(result, parts, strict=True):
        assert to_bank + to_insured == usd(part)


def test_settle_combines_both_splits_in_pool_order() -> None:
    members = pool("0.4", "0.35", "0.25")
    result = settle(usd("70,674.61"), list(reversed(members)), usd("30,000.00"))
    assert [s.member for s in result] == members
    assert [(s.amount, s.to_bank, s.to_insured) for s in result] == [
        (usd("28,269.85"), usd("28,269.85"), usd("0")),
        (usd("24,736.11"), usd("1,730.15"), usd("23,005.96")),
        (usd("17,668.65"), usd("0"), usd("17,668.65")),
    ]
    assert result[1].to_json()["to_bank"] == "1730.15"
