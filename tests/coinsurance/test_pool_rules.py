"""Pure coinsurance rules: shares, exact apportionment, the premium split and the capacity fit."""

from __future__ import annotations

import uuid
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradecover.coinsurance.rules import (
    MemberCapacityLeft,
    MemberScope,
    MemberShare,
    PoolTerms,
    apportion,
    check_commission,
    check_shares,
    fit_by_share,
    split_premium,
)
from tradecover.errors import ValidationError
from tradecover.money import Money

CURRENCIES = ["JPY", "CNY", "USD", "KWD"]


@st.composite
def shares(draw: st.DrawFn) -> list[Decimal]:
    """Exact shares above zero summing to exactly 1 (1 to 8 members, up to 6 decimal places)."""
    count = draw(st.integers(min_value=1, max_value=8))
    places = draw(st.integers(min_value=0, max_value=6))
    units = 10**places
    count = min(count, units)
    if count == 1:
        return [Decimal(1)]
    cuts = sorted(draw(st.sets(st.integers(1, units - 1), min_size=count - 1, max_size=count - 1)))
    bounds = [0, *cuts, units]
    return [Decimal(bounds[i + 1] - bounds[i]).scaleb(-places) for i in range(count)]


def members_of(values: list[Decimal]) -> list[MemberShare]:
    return [MemberShare(uuid.uuid4(), share, position) for position, share in enumerate(values)]


amounts = st.builds(
    Money.from_minor,
    st.integers(min_value=-(10**14), max_value=10**14),
    st.sampled_from(CURRENCIES),
)
commissions = st.decimals(min_value=0, max_value=Decimal("0.9999"), places=4)


# shares ---------------------------------------------------------------------------------------------
def test_shares_not_adding_up_to_100_percent_are_refused_with_the_sum() -> None:
    with pytest.raises(ValidationError) as refused:
        check_shares([Decimal("0.4"), Decimal("0.35"), Decimal("0.245")])
    assert refused.value.field == "shares"
    assert refused.value.message == "shares must add up to exactly 100%; they add up to 99.5%"


@pytest.mark.parametrize("bad", [[Decimal("0"), Decimal("1")], [Decimal("-0.1"), Decimal("1.1")]])
def test_a_share_of_zero_or_below_is_refused(bad: list[Decimal]) -> None:
    with pytest.raises(ValidationError, match="above 0%"):
        check_shares(bad)


@given(shares())
def test_generated_shares_pass_the_check(values: list[Decimal]) -> None:
    check_shares(values)


@pytest.mark.parametrize("rate", [Decimal("-0.01"), Decimal("1"), Decimal("1.5")])
def test_a_commission_outside_0_to_below_100_percent_is_refused(rate: Decimal) -> None:
    with pytest.raises(ValidationError) as refused:
        check_commission(rate)
    assert refused.value.field == "leader_commission"


# apportionment --------------------------------------------------------------------------------------
@settings(max_examples=300)
@given(shares(), amounts)
def test_parts_add_up_exactly_to_the_whole_for_any_shares_and_amounts(
    values: list[Decimal], total: Money
) -> None:
    parts = apportion(total, members_of(values))
    assert sum((p.amount for p in parts), Decimal(0)) == total.amount
    assert all(p.currency == total.currency for p in parts)
    # Each part is within one minor unit of its exact quota, on the side of the whole's sign.
    for part, share in zip(parts, values, strict=True):
        quota = Fraction(total.minor_units) * Fraction(share)
        assert abs(Fraction(part.minor_units) - quota) < 1


@given(
    st.sampled_from([1, 2, 4, 5, 8, 10]),
    st.integers(min_value=0, max_value=10**9),
    st.sampled_from(CURRENCIES),
)
def test_equal_remainders_go_to_the_leader_first_then_in_the_pools_order(
    count: int, units: int, currency: str
) -> None:
    # Equal shares give every member the same remainder: the odd minor units go to the first members.
    members = [MemberShare(uuid.uuid4(), Decimal(1) / Decimal(count), i) for i in range(count)]
    check_shares([m.share for m in members])
    parts = [p.minor_units for p in apportion(Money.from_minor(units, currency), members)]
    assert parts == sorted(parts, reverse=True)
    assert max(parts) - min(parts) <= 1
    assert sum(parts) == units


def test_a_tie_is_broken_for_the_leader() -> None:
    members = members_of([Decimal("0.5"), Decimal("0.5")])
    assert [p.amount for p in apportion(Money.of("0.01", "CNY"), members)] == [Decimal("0.01"), Decimal(0)]
    assert [p.amount for p in apportion(Money.of("-0.03", "CNY"), members)] == [
        Decimal("-0.02"),
        Decimal("-0.01"),
    ]


# premium split --------------------------------------------------------------------------------------
@settings(max_examples=300)
@given(shares(), amounts, commissions)
def test_the_premium_split_adds_up_and_no_commission_exceeds_its_part(
    values: list[Decimal], premium: Money, rate: Decimal
) -> None:
    members = members_of(values)
    terms = PoolTerms(uuid.uuid4(), members[0].insurer_id, rate, tuple(members))
    split = split_premium(premium, terms)
    assert sum((s.premium.amount for s in split), Decimal(0)) == premium.amount
    assert split[0].commission.is_zero
    for line in split:
        assert abs(line.commission) <= abs(line.premium)
        assert line.commission.amount * line.premium.amount >= 0
        assert line.commission == line.premium * rate or line.insurer_id == terms.leader_id


def test_the_demo_pool_splits_a_premium_40_35_25_with_5_percent_to_the_leader() -> None:
    members = members_of([Decimal("0.40"), Decimal("0.35"), Decimal("0.25")])
    terms = PoolTerms(uuid.uuid4(), members[0].insurer_id, Decimal("0.05"), tuple(members))
    split = split_premium(Money.of("10000.01", "CNY"), terms)
    assert [s.premium.amount for s in split] == [Decimal("4000.01"), Decimal("3500.00"), Decimal("2500.00")]
    assert [s.commission.amount for s in split] == [Decimal(0), Decimal("175.00"), Decimal("125.00")]


# capacity ------------------------------------------------------------------------------------------
NAMES = ["PICC", "Ping An", "CPIC"]


def capacity(
    values: list[Decimal], lefts: list[int], buyer_lefts: list[int | None] | None = None
) -> list[MemberCapacityLeft]:
    members = members_of(values)
    buyer_lefts = buyer_lefts or [None] * len(values)
    return [
        MemberCapacityLeft(
            member,
            NAMES[i % 3],
            Money.of(left, "CNY"),
            None if buyer_left is None else Money.of(buyer_left, "CNY"),
        )
        for i, (member, left, buyer_left) in enumerate(zip(members, lefts, buyer_lefts, strict=True))
    ]


def test_a_request_that_fits_every_member_fits_whole() -> None:
    fit = fit_by_share(
        Money.of(1_000_000, "CNY"), capacity([Decimal("0.4"), Decimal("0.35"), Decimal("0.25")], [10**9] * 3)
    )
    assert fit.fits_whole
    assert [p.amount for p in fit.parts] == [400_000, 350_000, 250_000]


def test_the_member_short_of_buyer_capacity_bounds_the_amount_and_is_named() -> None:
    members = capacity(
        [Decimal("0.4"), Decimal("0.35"), Decimal("0.25")], [10**9] * 3, [None, 1_200_000, None]
    )
    fit = fit_by_share(Money.of(5_000_000, "CNY"), members)
    # Ping An (35%) has CNY 1,200,000 left on the buyer: 1,200,000 / 0.35 = 3,428,571.43 rounded, and
    # 0.02 more still gives Ping An a part of 1,200,000.00 (the odd fen go to the others' remainders).
    assert fit.amount == Money.of("3428571.44", "CNY")
    assert fit.parts[1] == Money.of(1_200_000, "CNY")
    assert [(b.name, b.scope) for b in fit.bottlenecks] == [("Ping An", MemberScope.BUYER)]
    assert fit.why("Acme", "CN") == "Ping An's share of the pool has CNY 1,200,000 left for buyer Acme"


def test_a_member_with_nothing_left_stops_the_request() -> None:
    fit = fit_by_share(Money.of(100, "CNY"), capacity([Decimal("0.5"), Decimal("0.5")], [1000, 0]))
    assert fit.amount.is_zero
    assert fit.bottlenecks[0].name == "Ping An"


@settings(max_examples=300)
@given(
    shares(),
    st.integers(min_value=1, max_value=10**9),
    st.lists(st.integers(min_value=-1000, max_value=10**9), min_size=8, max_size=8),
)
def test_the_fit_is_the_largest_amount_whose_parts_fit_every_member(
    values: list[Decimal], requested_units: int, left_units: list[int]
) -> None:
    members = [
        MemberCapacityLeft(member, f"M{i}", Money.from_minor(left_units[i], "CNY"))
        for i, member in enumerate(members_of(values))
    ]
    requested = Money.from_minor(requested_units, "CNY")
    fit = fit_by_share(requested, members)
    parts = apportion(fit.amount, [m.member for m in members])
    assert list(fit.parts) == parts
    assert fit.amount <= requested
    assert not fit.amount.is_negative
    if fit.amount.is_positive:
        assert all(p <= m.total_left for p, m in zip(parts, members, strict=True))
    if not fit.fits_whole:
        assert fit.bottlenecks
        # No larger amount up to the request fits, as far as the search bound reaches.
        bigger = Money.from_minor(fit.amount.minor_units + 1, "CNY")
        if bigger <= requested and all(m.total_left.is_positive for m in members):
            more = apportion(bigger, [m.member for m in members])
            assert any(p > m.total_left for p, m in zip(more, members, strict=True))
