"""How a recovery is shared between the insurers and the insured (DESIGN §2 "Claim", Recoveries)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from tradecover.claims.rules.recoveries import split_recovery
from tradecover.coinsurance.rules import MemberShare
from tradecover.errors import ValidationError
from tradecover.money import Money

SOLE = [MemberShare(uuid.uuid4(), Decimal(1), 0)]
POOL = [
    MemberShare(uuid.uuid4(), Decimal("0.4"), 0),
    MemberShare(uuid.uuid4(), Decimal("0.35"), 1),
    MemberShare(uuid.uuid4(), Decimal("0.25"), 2),
]


def usd(amount: str) -> Money:
    """USD from a decimal string."""
    return Money.of(amount.replace(",", ""), "USD")


@pytest.mark.parametrize(
    ("recovery", "costs", "indemnity", "insured_loss", "before", "insurers", "insured"),
    [
        # 9,000 × 90,000 ÷ 100,000 = 8,100; the insured keeps 900
        ("10,000.00", "1,000.00", "90,000.00", "100,000.00", "0", "8,100.00", "900.00"),
        # costs above the recovery: nothing to share
        ("1,000.00", "1,500.00", "90,000.00", "100,000.00", "0", "0", "0"),
        # rounded half up once: 100.01 × 200 ÷ 300 = 66.673… → 66.67; 0.03 × 1 ÷ 2 = 0.015 → 0.02
        ("100.01", "0", "200.00", "300.00", "0", "66.67", "33.34"),
        ("0.03", "0", "1.00", "2.00", "0", "0.02", "0.01"),
        # the insurers never receive more than the indemnity over all recoveries
        ("100,000.00", "0", "90,000.00", "100,000.00", "85,000.00", "5,000.00", "95,000.00"),
        ("100,000.00", "0", "90,000.00", "100,000.00", "90,000.00", "0", "100,000.00"),
        # a claim that paid nothing shares nothing with the insurers
        ("500.00", "0", "0", "0", "0", "0", "500.00"),
    ],
)
def test_split_recovery(
    recovery: str, costs: str, indemnity: str, insured_loss: str, before: str, insurers: str, insured: str
) -> None:
    split = split_recovery(
        usd(recovery),
        usd(costs),
        indemnity=usd(indemnity),
        insured_loss=usd(insured_loss),
        insurers_received_before=usd(before),
        members=SOLE,
    )
    assert split.insurers == usd(insurers)
    assert split.insured == usd(insured)
    assert split.insurers + split.insured == split.net
    assert split.member_parts == (usd(insurers),)


def test_the_insurers_part_is_split_by_share() -> None:
    # 8,500 × 70,674.61 ÷ 83,527.34 = 7,192.0665… → 7,192.07; by 40/35/25 = 2,876.828 / 2,517.2245 /
    # 1,798.0175: two cents left, to the largest remainders (the leader .8, then the third .75)
    split = split_recovery(
        usd("10,000.00"),
        usd("1,500.00"),
        indemnity=usd("70,674.61"),
        insured_loss=usd("83,527.34"),
        insurers_received_before=usd("0"),
        members=POOL,
    )
    assert split.net == usd("8,500.00")
    assert split.insurers == usd("7,192.07")
    assert split.member_parts == (usd("2,876.83"), usd("2,517.22"), usd("1,798.02"))
    assert split.insured == usd("1,307.93")
    data = split.to_json()
    assert data["insurers"] == "7192.07"
    assert data["member_parts_minor"] == [287683, 251722, 179802]


@pytest.mark.parametrize(
    ("recovery", "costs", "indemnity", "insured_loss"),
    [("-1.00", "0", "1.00", "1.00"), ("1.00", "-1.00", "1.00", "1.00"), ("1.00", "0", "2.00", "1.00")],
)
def test_bad_amounts_refused(recovery: str, costs: str, indemnity: str, insured_loss: str) -> None:
    with pytest.raises(ValidationError):
        split_recovery(
            usd(recovery),
            usd(costs),
            indemnity=usd(indemnity),
            insured_loss=usd(insured_loss),
            insurers_received_before=usd("0"),
            members=SOLE,
        )
