"""The worked example of docs/claims.md, number by number."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from tradecover.claims.rules.indemnity import (
    ClaimTerms,
    IndemnityBreakdown,
    InvoiceFacts,
    ReceiptFacts,
    compute_indemnity,
)
from tradecover.claims.rules.recoveries import split_recovery
from tradecover.claims.rules.settlement import settle
from tradecover.coinsurance.rules import MemberShare
from tradecover.money import Money

D = dt.date
LEADER, B, C = (MemberShare(uuid.uuid4(), Decimal(s), i) for i, s in enumerate(("0.4", "0.35", "0.25")))


def usd(amount: str) -> Money:
    """USD from a decimal string."""
    return Money.of(amount.replace(",", ""), "USD")


def cents(amount: str) -> int:
    """USD minor units from a decimal string."""
    return usd(amount).minor_units


def breakdown() -> IndemnityBreakdown:
    """The example's claim computed."""
    invoices = [
        InvoiceFacts(
            "INV-101",
            D(2026, 1, 10),
            D(2026, 3, 10),
            cents("40,000.00"),
            cents("40,000.00"),
            cents("100,000.00"),
            claimed=False,
        ),
        InvoiceFacts(
            "INV-102",
            D(2026, 2, 3),
            D(2026, 4, 3),
            cents("70,000.00"),
            cents("60,000.00"),
            cents("100,000.00"),
            claimed=True,
        ),
        InvoiceFacts(
            "INV-103",
            D(2026, 2, 20),
            D(2026, 4, 20),
            cents("33,333.33"),
            cents("33,333.33"),
            cents("120,000.00"),
            claimed=True,
        ),
    ]
    receipts = [
        ReceiptFacts(D(2026, 3, 5), cents("50,000.00")),
        ReceiptFacts(D(2026, 3, 15), cents("1,234.56"), "INV-103"),
    ]
    terms = ClaimTerms("USD", Decimal("0.9"), cents("1,000.00"), cents("5,000.00"), cents("500,000.00"))
    return compute_indemnity(invoices, receipts, terms)


def test_the_indemnity_steps() -> None:
    result = breakdown()
    lines = {line.invoice_number: line for line in result.lines}
    assert lines["INV-101"].paid_minor == cents("40,000.00")
    assert lines["INV-102"].paid_minor == cents("10,000.00")
    assert lines["INV-102"].unpaid_insured_minor == cents("51,428.57")
    assert lines["INV-103"].credited_minor == cents("1,234.56")
    assert lines["INV-103"].unpaid_insured_minor == cents("32,098.77")
    steps = {step.key: step.amount_minor for step in result.steps}
    assert steps["unpaid_insured"] == cents("83,527.34")
    assert steps["limit_cap"] == cents("120,000.00")
    assert steps["insured_loss"] == cents("83,527.34")
    assert steps["aggregate_first_loss_used"] == cents("5,000.00")
    assert steps["after_aggregate_first_loss"] == cents("78,527.34")
    assert steps["after_indemnity_rate"] == cents("70,674.61")
    assert steps["indemnity"] == cents("70,674.61")


def test_the_pool_and_payee_splits() -> None:
    settlement = settle(breakdown().indemnity, [LEADER, B, C], usd("30,000.00"))
    assert [(s.amount, s.to_bank, s.to_insured) for s in settlement] == [
        (usd("28,269.85"), usd("28,269.85"), usd("0")),
        (usd("24,736.11"), usd("1,730.15"), usd("23,005.96")),
        (usd("17,668.65"), usd("0"), usd("17,668.65")),
    ]
    assert sum((s.to_insured for s in settlement), usd("0")) == usd("40,674.61")


def test_the_recoveries() -> None:
    result = breakdown()
    first = split_recovery(
        usd("10,000.00"),
        usd("1,500.00"),
        indemnity=result.indemnity,
        insured_loss=result.insured_loss,
        insurers_received_before=usd("0"),
        members=[LEADER, B, C],
    )
    assert first.insurers == usd("7,192.07")
    assert first.member_parts == (usd("2,876.83"), usd("2,517.22"), usd("1,798.02"))
    assert first.insured == usd("1,307.93")
    second = split_recovery(
        usd("100,000.00"),
        usd("0"),
        indemnity=result.indemnity,
        insured_loss=result.insured_loss,
        insurers_received_before=first.insurers,
        members=[LEADER, B, C],
    )
    assert second.insurers_proportional == usd("84,612.55")
    assert second.insurers == usd("63,482.54")
    assert second.member_parts == (usd("25,393.02"), usd("22,218.89"), usd("15,870.63"))
    assert second.insured == usd("36,517.46")
