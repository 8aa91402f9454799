"""Claim arithmetic properties: the caps hold, splits add up exactly, recoveries stay within the indemnity."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tradecover.claims.rules.indemnity import (
    ClaimTerms,
    InvoiceFacts,
    ReceiptFacts,
    compute_indemnity,
    times_rate,
)
from tradecover.claims.rules.recoveries import split_recovery
from tradecover.claims.rules.settlement import bank_owed, payee_split, split_among_members
from tradecover.coinsurance.rules import MemberShare
from tradecover.money import Money

START = dt.date(2026, 1, 1)
amounts = st.integers(min_value=1, max_value=10**11)


@st.composite
def invoice_facts(draw: st.DrawFn, number: int) -> InvoiceFacts:
    amount = draw(amounts)
    shipped = START + dt.timedelta(days=draw(st.integers(0, 200)))
    return InvoiceFacts(
        invoice_number=f"INV-{number}",
        shipment_date=shipped,
        due_date=shipped + dt.timedelta(days=draw(st.integers(0, 180))),
        amount_minor=amount,
        insured_minor=draw(st.integers(0, amount)),
        limit_in_force_minor=draw(st.integers(0, 10**11)),
        claimed=draw(st.booleans()),
    )


@st.composite
def claims(draw: st.DrawFn) -> tuple[list[InvoiceFacts], list[ReceiptFacts], ClaimTerms]:
    count = draw(st.integers(1, 6))
    invoices = [draw(invoice_facts(i)) for i in range(count)]
    receipts = [
        ReceiptFacts(
            received_on=START + dt.timedelta(days=draw(st.integers(0, 400))),
            amount_minor=draw(st.integers(0, 10**11)),
            invoice_number=draw(st.one_of(st.none(), st.sampled_from([i.invoice_number for i in invoices]))),
        )
        for _ in range(draw(st.integers(0, 5)))
    ]
    terms = ClaimTerms(
        currency=draw(st.sampled_from(["USD", "CNY", "JPY", "KWD"])),
        indemnity_rate=draw(st.decimals(min_value=0, max_value=1, places=4)),
        non_qualifying_loss_minor=draw(st.integers(0, 10**9)),
        aggregate_first_loss_left_minor=draw(st.integers(-(10**6), 10**10)),
        maximum_liability_left_minor=draw(st.integers(-(10**6), 10**12)),
    )
    return invoices, receipts, terms


@given(claims())
def test_indemnity_within_every_cap(claim: tuple[list[InvoiceFacts], list[ReceiptFacts], ClaimTerms]) -> None:
    invoices, receipts, terms = claim
    result = compute_indemnity(invoices, receipts, terms)
    assert result.indemnity_minor >= 0
    # never above the insured loss × indemnity %, rounded half up to the minor unit
    assert result.indemnity_minor <= times_rate(result.insured_loss_minor, terms.indemnity_rate)
    assert result.indemnity_minor <= result.insured_loss_minor * Fraction(terms.indemnity_rate) + Fraction(
        1, 2
    )
    assert result.indemnity_minor <= max(terms.maximum_liability_left_minor, 0)
    assert result.insured_loss_minor <= result.unpaid_insured_minor
    assert result.insured_loss_minor <= result.limit_cap_minor
    assert 0 <= result.afl_used_minor <= max(terms.aggregate_first_loss_left_minor, 0)
    if result.insured_loss_minor < terms.non_qualifying_loss_minor:
        assert result.indemnity_minor == 0
        assert result.afl_used_minor == 0
    for line in result.lines:
        assert 0 <= line.unpaid_minor <= line.amount_minor
        assert 0 <= line.unpaid_insured_minor <= line.insured_minor
    # every receipt is applied or left over, never lost or created
    applied = sum(line.credited_minor + line.paid_minor for line in result.lines)
    assert applied + result.unapplied_receipts_minor == sum(r.amount_minor for r in receipts)


def members_from(weights: list[int]) -> list[MemberShare]:
    """Members whose exact decimal shares add up to 1 (the last takes the rest)."""
    total = sum(weights)
    shares = [(Decimal(w) / Decimal(total)).quantize(Decimal("0.000001")) for w in weights[:-1]]
    shares.append(Decimal(1) - sum(shares, Decimal(0)))
    return [MemberShare(uuid.uuid4(), share, position) for position, share in enumerate(shares)]


weights_st = st.lists(st.integers(1, 1000), min_size=1, max_size=6).filter(
    lambda ws: all(Decimal(w) / Decimal(sum(ws)) >= Decimal("0.000001") for w in ws[:-1])
)


@given(st.integers(0, 10**13), weights_st, st.one_of(st.none(), st.integers(-(10**6), 10**13)))
def test_member_and_payee_splits_add_up_exactly(
    indemnity: int, weights: list[int], outstanding: int | None
) -> None:
    members = members_from(weights)
    if any(m.share <= 0 for m in members):
        return
    total = Money.from_minor(indemnity, "USD")
    parts = split_among_members(total, members)
    assert sum(p.minor_units for p in parts) == indemnity
    assert all(p.minor_units >= 0 for p in parts)
    owed = bank_owed(total, None if outstanding is None else Money.from_minor(outstanding, "USD"))
    payees = payee_split(parts, owed)
    to_bank = sum(b.minor_units for b, _ in payees)
    assert to_bank == (0 if owed is None else owed.minor_units)
    assert to_bank <= indemnity
    for (bank, insured), part in zip(payees, parts, strict=True):
        assert bank.minor_units >= 0
        assert insured.minor_units >= 0
        assert bank + insured == part


@given(
    st.integers(0, 10**11),
    st.integers(0, 10**11),
    st.lists(st.tuples(st.integers(1, 10**11), st.integers(0, 10**10)), min_size=1, max_size=5),
    weights_st,
)
def test_recoveries_never_pay_the_insurers_more_than_the_indemnity(
    insured_loss: int, indemnity_seed: int, recoveries: list[tuple[int, int]], weights: list[int]
) -> None:
    members = members_from(weights)
    if any(m.share <= 0 for m in members):
        return
    indemnity = min(indemnity_seed, insured_loss)
    received = 0
    for amount, costs in recoveries:
        split = split_recovery(
            Money.from_minor(amount, "USD"),
            Money.from_minor(costs, "USD"),
            indemnity=Money.from_minor(indemnity, "USD"),
            insured_loss=Money.from_minor(insured_loss, "USD"),
            insurers_received_before=Money.from_minor(received, "USD"),
            members=members,
        )
        assert split.net.minor_units == max(amount - costs, 0)
        assert split.insurers + split.insured == split.net
        assert split.insured.minor_units >= 0
        assert sum(p.minor_units for p in split.member_parts) == split.insurers.minor_units
        received += split.insurers.minor_units
        assert received <= indemnity


def _reference(
    invoices: list[InvoiceFacts], receipts: list[ReceiptFacts], terms: ClaimTerms
) -> tuple[int, int, int]:
    """DESIGN §2 "Claim" written out plainly with fractions: (insured loss, AFL used, indemnity)."""
    unpaid = {i.invoice_number: i.amount_minor for i in invoices}
    pool = 0
    for r in receipts:
        if r.invoice_number is None:
            pool += r.amount_minor
        else:
            taken = min(r.amount_minor, unpaid[r.invoice_number])
            unpaid[r.invoice_number] -= taken
            pool += r.amount_minor - taken
    for i in sorted(invoices, key=lambda i: (i.shipment_date, i.due_date, i.invoice_number)):
        taken = min(pool, unpaid[i.invoice_number])
        unpaid[i.invoice_number] -= taken
        pool -= taken

    def half_up(x: Fraction) -> int:
        return int((x + Fraction(1, 2)).__floor__())

    owed = {
        i.invoice_number: half_up(Fraction(i.insured_minor * unpaid[i.invoice_number], i.amount_minor))
        for i in invoices
        if i.claimed
    }
    limits = [i.limit_in_force_minor for i in invoices if i.claimed and owed[i.invoice_number] > 0]
    loss = min(sum(owed.values()), max(limits, default=0))
    if loss == 0 or loss < terms.non_qualifying_loss_minor:
        return loss, 0, 0
    afl = min(loss, max(terms.aggregate_first_loss_left_minor, 0))
    paid = half_up((loss - afl) * Fraction(terms.indemnity_rate))
    return loss, afl, min(paid, max(terms.maximum_liability_left_minor, 0))


@given(claims(), st.randoms(use_true_random=False))
def test_the_computation_matches_a_plain_reference_in_any_input_order(
    claim: tuple[list[InvoiceFacts], list[ReceiptFacts], ClaimTerms], shuffler: Any
) -> None:
    invoices, receipts, terms = claim
    expected = _reference(invoices, receipts, terms)
    shuffled_invoices, shuffled_receipts = list(invoices), list(receipts)
    shuffler.shuffle(shuffled_invoices)
    shuffler.shuffle(shuffled_receipts)
    for facts in ((invoices, receipts), (shuffled_invoices, shuffled_receipts)):
        result = compute_indemnity(facts[0], facts[1], terms)
        assert (result.insured_loss_minor, result.afl_used_minor, result.indemnity_minor) == expected
