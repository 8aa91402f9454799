"""The indemnity computation of DESIGN §2 "Claim", rule by rule, against hand-computed amounts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from tradecover.claims.rules.indemnity import (
    STEP_LABELS,
    ClaimTerms,
    InvoiceFacts,
    ReceiptFacts,
    compute_indemnity,
    half_up,
    indemnity_rate,
    times_rate,
)
from tradecover.errors import ValidationError
from tradecover.money import Rate
from tradecover.policies.terms import CauseOfLoss, IndemnityPercentages

D = dt.date
JAN_10 = D(2026, 1, 10)


def usd(amount: str) -> int:
    """USD minor units from a decimal string ("1,234.56" → 123456)."""
    return int(Decimal(amount.replace(",", "")) * 100)


def invoice(
    number: str,
    amount: str,
    *,
    insured: str | None = None,
    limit: str = "1,000,000.00",
    shipped: dt.date = JAN_10,
    due: dt.date | None = None,
    claimed: bool = True,
) -> InvoiceFacts:
    """An invoice in USD, insured in full unless told, claimed unless told."""
    return InvoiceFacts(
        invoice_number=number,
        shipment_date=shipped,
        due_date=due or shipped + dt.timedelta(days=60),
        amount_minor=usd(amount),
        insured_minor=usd(insured if insured is not None else amount),
        limit_in_force_minor=usd(limit),
        claimed=claimed,
    )


def paid(on: dt.date, amount: str, invoice_number: str | None = None) -> ReceiptFacts:
    """A payment (or a credit note, tied to an invoice) in USD."""
    return ReceiptFacts(received_on=on, amount_minor=usd(amount), invoice_number=invoice_number)


def terms(
    *,
    rate: str = "0.9",
    nql: str = "0",
    afl_left: str = "0",
    ml_left: str = "10,000,000.00",
    currency: str = "USD",
) -> ClaimTerms:
    """Claim terms in USD."""
    return ClaimTerms(
        currency=currency,
        indemnity_rate=Decimal(rate),
        non_qualifying_loss_minor=usd(nql),
        aggregate_first_loss_left_minor=usd(afl_left),
        maximum_liability_left_minor=usd(ml_left),
    )


@dataclass(frozen=True)
class Case:
    """One hand-computed claim."""

    name: str
    invoices: list[InvoiceFacts]
    terms: ClaimTerms
    insured_loss: str
    afl_used: str
    indemnity: str
    receipts: list[ReceiptFacts] = field(default_factory=list)
    unpaid_insured: dict[str, str] = field(default_factory=dict)  # per invoice, where the case checks it


CASES = [
    Case(
        "one invoice, nothing binds: 100,000 × 90%",
        [invoice("A", "100,000.00")],
        terms(),
        insured_loss="100,000.00",
        afl_used="0",
        indemnity="90,000.00",
    ),
    Case(
        "the limit cap binds: two invoices above the largest limit",
        [
            invoice("A", "80,000.00", limit="100,000.00", shipped=D(2026, 1, 5)),
            invoice("B", "70,000.00", limit="120,000.00", shipped=D(2026, 2, 5)),
        ],
        terms(),
        insured_loss="120,000.00",
        afl_used="0",
        indemnity="108,000.00",
    ),
    Case(
        "the cap ignores the limit of a claimed invoice paid in full",
        [
            invoice("A", "30,000.00", limit="200,000.00", shipped=D(2026, 1, 5)),
            invoice("B", "80,000.00", limit="50,000.00", shipped=D(2026, 2, 5)),
        ],
        terms(rate="1"),
        receipts=[paid(D(2026, 3, 1), "30,000.00")],
        insured_loss="50,000.00",
        afl_used="0",
        indemnity="50,000.00",
        unpaid_insured={"A": "0", "B": "80,000.00"},
    ),
    Case(
        "the cap ignores an out-of-cover invoice's limit (insured 0)",
        [
            invoice("A", "30,000.00", insured="0", limit="200,000.00", shipped=D(2026, 1, 5)),
            invoice("B", "80,000.00", limit="50,000.00", shipped=D(2026, 2, 5)),
        ],
        terms(rate="1"),
        insured_loss="50,000.00",
        afl_used="0",
        indemnity="50,000.00",
        unpaid_insured={"A": "0", "B": "80,000.00"},
    ),
    Case(
        "strictly below the non-qualifying loss: nothing paid, no AFL used",
        [invoice("A", "999.99")],
        terms(nql="1,000.00", afl_left="500.00"),
        insured_loss="999.99",
        afl_used="0",
        indemnity="0",
    ),
    Case(
        "exactly at the non-qualifying loss: paid",
        [invoice("A", "1,000.00")],
        terms(nql="1,000.00", afl_left="500.00"),
        insured_loss="1,000.00",
        afl_used="500.00",
        indemnity="450.00",
    ),
    Case(
        "the aggregate first loss binds in part",
        [invoice("A", "100,000.00")],
        terms(afl_left="30,000.00"),
        insured_loss="100,000.00",
        afl_used="30,000.00",
        indemnity="63,000.00",
    ),
    Case(
        "the aggregate first loss swallows the whole insured loss",
        [invoice("A", "100,000.00")],
        terms(afl_left="150,000.00"),
        insured_loss="100,000.00",
        afl_used="100,000.00",
        indemnity="0",
    ),
    Case(
        "the maximum liability left binds",
        [invoice("A", "100,000.00")],
        terms(ml_left="50,000.00"),
        insured_loss="100,000.00",
        afl_used="0",
        indemnity="50,000.00",
    ),
    Case(
        "no maximum liability left: nothing paid, AFL still used",
        [invoice("A", "100,000.00")],
        terms(afl_left="10,000.00", ml_left="0"),
        insured_loss="100,000.00",
        afl_used="10,000.00",
        indemnity="0",
    ),
    Case(
        "payments settle the oldest invoice first",
        [
            invoice("NEW", "50,000.00", shipped=D(2026, 3, 1)),
            invoice("OLD", "40,000.00", shipped=D(2026, 1, 1)),
        ],
        terms(rate="1"),
        receipts=[paid(D(2026, 4, 1), "45,000.00")],
        insured_loss="45,000.00",
        afl_used="0",
        indemnity="45,000.00",
        unpaid_insured={"OLD": "0", "NEW": "45,000.00"},
    ),
    Case(
        "same shipment date: the earlier due date is older",
        [
            invoice("LATE-DUE", "10,000.00", shipped=D(2026, 1, 1), due=D(2026, 5, 1)),
            invoice("EARLY-DUE", "10,000.00", shipped=D(2026, 1, 1), due=D(2026, 3, 1)),
        ],
        terms(rate="1"),
        receipts=[paid(D(2026, 4, 1), "4,000.00")],
        insured_loss="16,000.00",
        afl_used="0",
        indemnity="16,000.00",
        unpaid_insured={"EARLY-DUE": "6,000.00", "LATE-DUE": "10,000.00"},
    ),
    Case(
        "a credit note goes to its own invoice, not the oldest",
        [
            invoice("A", "10,000.00", shipped=D(2026, 1, 1)),
            invoice("B", "10,000.00", shipped=D(2026, 2, 1)),
        ],
        terms(rate="1"),
        receipts=[paid(D(2026, 3, 1), "2,500.00", "B")],
        insured_loss="17,500.00",
        afl_used="0",
        indemnity="17,500.00",
        unpaid_insured={"A": "10,000.00", "B": "7,500.00"},
    ),
    Case(
        "a credit note above its invoice leaves a credit that settles the oldest invoice",
        [
            invoice("A", "10,000.00", shipped=D(2026, 1, 1)),
            invoice("B", "3,000.00", shipped=D(2026, 2, 1)),
        ],
        terms(rate="1"),
        receipts=[paid(D(2026, 3, 1), "4,000.00", "B")],
        insured_loss="9,000.00",
        afl_used="0",
        indemnity="9,000.00",
        unpaid_insured={"A": "9,000.00", "B": "0"},
    ),
    Case(
        "unclaimed invoices take payments first when older, and add nothing",
        [
            invoice("PAID-LATE", "20,000.00", shipped=D(2026, 1, 1), claimed=False),
            invoice("CLAIMED", "30,000.00", shipped=D(2026, 2, 1)),
        ],
        terms(rate="1"),
        receipts=[paid(D(2026, 3, 1), "25,000.00")],
        insured_loss="25,000.00",
        afl_used="0",
        indemnity="25,000.00",
        unpaid_insured={"PAID-LATE": "0", "CLAIMED": "25,000.00"},
    ),
    Case(
        "partly insured, partly paid: insured × unpaid ÷ amount, rounded half up",
        [invoice("A", "70,000.00", insured="60,000.00")],
        terms(rate="1"),
        receipts=[paid(D(2026, 3, 1), "10,000.00")],
        # 60,000 × 60,000 ÷ 70,000 = 51,428.571… → 51,428.57
        insured_loss="51,428.57",
        afl_used="0",
        indemnity="51,428.57",
        unpaid_insured={"A": "51,428.57"},
    ),
    Case(
        "a tie in the unpaid insured amount rounds up",
        # 1.01 × 1.00 ÷ 2.00 = 0.505 → 0.51
        [invoice("A", "2.00", insured="1.01")],
        terms(rate="1"),
        receipts=[paid(D(2026, 3, 1), "1.00")],
        insured_loss="0.51",
        afl_used="0",
        indemnity="0.51",
    ),
    Case(
        "a tie after the indemnity percentage rounds up",
        # 123.45 × 90% = 111.105 → 111.11
        [invoice("A", "123.45")],
        terms(),
        insured_loss="123.45",
        afl_used="0",
        indemnity="111.11",
    ),
    Case(
        "receipts beyond every invoice are left unapplied",
        [invoice("A", "1,000.00")],
        terms(),
        receipts=[paid(D(2026, 3, 1), "1,500.00")],
        insured_loss="0",
        afl_used="0",
        indemnity="0",
    ),
    Case(
        "several invoices, payments, a credit note, AFL and 80%",
        [
            invoice("A", "40,000.00", shipped=D(2026, 1, 10), claimed=False),
            invoice("B", "70,000.00", insured="60,000.00", limit="100,000.00", shipped=D(2026, 2, 3)),
            invoice("C", "33,333.33", limit="120,000.00", shipped=D(2026, 2, 20)),
        ],
        terms(rate="0.8", nql="1,000.00", afl_left="5,000.00", ml_left="500,000.00"),
        receipts=[paid(D(2026, 3, 5), "50,000.00"), paid(D(2026, 3, 15), "1,234.56", "C")],
        # B: 60,000 × 60,000 ÷ 70,000 = 51,428.57; C: 32,098.77; loss 83,527.34; − 5,000; × 80%
        insured_loss="83,527.34",
        afl_used="5,000.00",
        indemnity="62,821.87",
        unpaid_insured={"A": "0", "B": "51,428.57", "C": "32,098.77"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_indemnity_cases(case: Case) -> None:
    result = compute_indemnity(case.invoices, case.receipts, case.terms)
    assert result.insured_loss_minor == usd(case.insured_loss)
    assert result.afl_used_minor == usd(case.afl_used)
    assert result.indemnity_minor == usd(case.indemnity)
    lines = {line.invoice_number: line for line in result.lines}
    for number, unpaid_insured in case.unpaid_insured.items():
        assert lines[number].unpaid_insured_minor == usd(unpaid_insured), number


def test_steps_come_in_order_and_match_the_fields() -> None:
    result = compute_indemnity(
        [invoice("A", "100,000.00", limit="80,000.00")],
        [],
        terms(nql="500.00", afl_left="10,000.00", ml_left="60,000.00"),
    )
    steps = {step.key: step.amount_minor for step in result.steps}
    assert [step.key for step in result.steps] == list(STEP_LABELS)
    assert steps == {
        "unpaid_insured": usd("100,000.00"),
        "limit_cap": usd("80,000.00"),
        "insured_loss": usd("80,000.00"),
        "non_qualifying_loss": usd("500.00"),
        "aggregate_first_loss_used": usd("10,000.00"),
        "after_aggregate_first_loss": usd("70,000.00"),
        "after_indemnity_rate": usd("63,000.00"),
        "maximum_liability_left": usd("60,000.00"),
        "indemnity": usd("60,000.00"),
    }
    assert result.indemnity_minor == steps["indemnity"]
    limit_step = next(s for s in result.steps if s.key == "limit_cap")
    assert limit_step.note == "binds"


def test_applications_show_each_receipt_on_each_invoice() -> None:
    result = compute_indemnity(
        [
            invoice("A", "100.00", shipped=D(2026, 1, 1)),
            invoice("B", "100.00", shipped=D(2026, 1, 2)),
        ],
        [paid(D(2026, 3, 2), "150.00"), paid(D(2026, 3, 1), "20.00", "B")],
        terms(rate="1"),
    )
    a, b = result.lines
    assert [(x.amount_minor, x.credit_note) for x in a.applications] == [(10000, False)]
    assert [(x.amount_minor, x.credit_note) for x in b.applications] == [(2000, True), (5000, False)]
    assert (b.credited_minor, b.paid_minor, b.unpaid_minor) == (2000, 5000, 3000)
    assert result.unapplied_receipts_minor == 0


def test_json_form_is_complete_and_exact() -> None:
    result = compute_indemnity(
        [invoice("A", "123.45")], [paid(D(2026, 3, 1), "0.45")], terms(afl_left="10.00")
    )
    data = result.to_json()
    assert data["currency"] == "USD"
    assert data["insured_loss_minor"] == 12300
    assert data["insured_loss"] == "123.00"
    assert data["afl_used_minor"] == 1000
    assert data["afl_used"] == "10.00"
    # 113.00 × 90% = 101.70
    assert data["indemnity_minor"] == 10170
    assert data["indemnity"] == "101.70"
    assert data["indemnity_rate"] == "0.9"
    assert data["lines"][0]["unpaid_insured"] == "123.00"
    assert data["lines"][0]["applications"] == [
        {"received_on": "2026-03-01", "amount_minor": 45, "credit_note": False}
    ]
    assert [step["key"] for step in data["steps"]] == list(STEP_LABELS)


def test_a_currency_without_decimals() -> None:
    result = compute_indemnity(
        [
            InvoiceFacts("J-1", D(2026, 1, 1), D(2026, 3, 1), 1_000_001, 1_000_001, 5_000_000, True),
        ],
        [],
        ClaimTerms("JPY", Decimal("0.9"), 0, 0, 10**9),
    )
    # 1,000,001 × 90% = 900,000.9 → 900,001
    assert result.indemnity_minor == 900_001
    assert result.to_json()["indemnity"] == "900001"


@pytest.mark.parametrize(
    ("cause", "public_body", "expected"),
    [
        (CauseOfLoss.INSOLVENCY, False, "0.9"),
        (CauseOfLoss.REPUDIATION, False, "0.8"),
        (CauseOfLoss.INSOLVENCY, True, "0.7"),
        (CauseOfLoss.POLITICAL, True, "0.95"),
    ],
)
def test_indemnity_rate_by_cause_and_buyer(cause: CauseOfLoss, public_body: bool, expected: str) -> None:
    percentages = IndemnityPercentages(
        insolvency=Rate.of("0.9"),
        protracted_default=Rate.of("0.9"),
        repudiation=Rate.of("0.8"),
        political=Rate.of("0.95"),
        public_body=Rate.of("0.7"),
    )
    assert indemnity_rate(percentages, cause, public_body=public_body) == Decimal(expected)


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(5, 10, 1), (4, 10, 0), (15, 10, 2), (-5, 10, -1), (7, 3, 2), (0, 9, 0)],
)
def test_half_up(numerator: int, denominator: int, expected: int) -> None:
    assert half_up(numerator, denominator) == expected


def test_times_rate_is_exact_for_long_rates() -> None:
    # (10^17 + 1) × 0.333333333333333333333 = 33,333,333,333,333,333.666… → …334
    assert times_rate(10**17 + 1, Decimal("0.333333333333333333333")) == 33333333333333334
    assert times_rate(3, Decimal("0.5")) == 2


@pytest.mark.parametrize(
    ("invoices", "receipts", "claim_terms", "field_name"),
    [
        ([invoice("A", "1.00"), invoice("A", "2.00")], [], terms(), "invoices"),
        ([invoice("A", "1.00", insured="2.00")], [], terms(), "invoices"),
        ([invoice("A", "1.00")], [paid(D(2026, 1, 1), "1.00", "Z")], terms(), "receipts"),
        ([invoice("A", "1.00")], [paid(D(2026, 1, 1), "-1.00")], terms(), "receipts"),
        ([invoice("A", "1.00")], [], terms(rate="1.5"), "indemnity_rate"),
        ([invoice("A", "1.00")], [], terms(currency="XXX"), "currency"),
    ],
)
def test_bad_facts_are_refused(
    invoices: list[InvoiceFacts], receipts: list[ReceiptFacts], claim_terms: ClaimTerms, field_name: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        compute_indemnity(invoices, receipts, claim_terms)
    assert caught.value.field == field_name
