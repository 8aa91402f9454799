"""Exposure metrics: live insured exposure by buyer country as of a day, and the latest risk run's stress.

On the book's shipments (none paid) this test records: USD 40,000 paid on A-1 on 2025-03-01 (releasing
40,000 insured); A-2 settled in full on 2025-03-15; A-3 out of cover from 2025-10-01; a claim on B-1 paid
on 2026-01-14. So on 2026-02-28 US buyers owe insured A-1 60,000 + B-2 80,000 + F-1 10,000 = USD 150,000
(B-3 is not insured); on 2025-12-31 A-1 60,000 + B-1 120,000 + F-1 10,000 = USD 190,000. Elsewhere: CN
CNY 1,700,000 (C-1, C-2), VN CNY 500,000 (E-1, E-2), DE EUR 10,000 (D-1).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.oversight.book import CURRENT, OversightBook
from tests.oversight.test_claims_metrics import add_claim

from tradecover.claims.model import ClaimOutcome
from tradecover.declarations.model import Payment, PaymentApplication, Shipment
from tradecover.money import Money
from tradecover.oversight.exposure import exposure_by_country, stress_results
from tradecover.oversight.scope import Audience
from tradecover.oversight.sections_book import exposure_section
from tradecover.reference.fx import convert
from tradecover.riskruns.model import (
    Dimension,
    RiskContribution,
    RiskMeasure,
    RiskMethod,
    RiskRun,
    RunStatus,
    ScopeKind,
)

D = dt.date
END = CURRENT.end


def _shipment(db: Session, book: OversightBook, invoice: str) -> Shipment:
    return db.scalars(select(Shipment).where(Shipment.invoice_number == invoice)).one()


def _payment(db: Session, book: OversightBook, shipment: Shipment, amount: int, on: dt.date) -> None:
    minor = Money.of(amount, shipment.currency).minor_units
    policy = book.policies["P1a"]
    payment = Payment(
        policy_id=policy.id, policyholder_id=policy.policyholder_id, insurer_id=policy.insurer_id,
        buyer_id=shipment.buyer_id, currency=shipment.currency, amount_minor=minor, received_on=on,
        unapplied_minor=0, declared_at=dt.datetime.combine(on, dt.time(12), tzinfo=dt.UTC),
    )  # fmt: skip
    db.add(payment)
    db.flush()
    db.add(
        PaymentApplication(
            payment_id=payment.id, shipment_id=shipment.id, policy_id=policy.id, buyer_id=shipment.buyer_id,
            received_on=on, paid_minor=minor, insured_released_minor=min(minor, shipment.insured_minor),
        )
    )  # fmt: skip
    shipment.paid_minor += minor
    if shipment.paid_minor == shipment.amount_minor:
        shipment.settled_on = on


def add_exposure_facts(book: OversightBook) -> None:
    """The payments, the lost cover and the paid claim of the module docstring."""
    db = book.db
    _payment(db, book, _shipment(db, book, "A-1"), 40_000, D(2025, 3, 1))
    _payment(db, book, _shipment(db, book, "A-2"), 60_000, D(2025, 3, 15))
    _shipment(db, book, "A-3").cover_lost_on = D(2025, 10, 1)
    claim = add_claim(
        db, book, "P1b", "B-1", filed=D(2025, 12, 20), documents=D(2025, 12, 22), decided=D(2026, 1, 10),
        outcome=ClaimOutcome.APPROVED, indemnity="90000", insured_loss="100000",
    )  # fmt: skip
    claim.paid_on = D(2026, 1, 14)
    db.flush()


def _usd(amount: int, code: str) -> Decimal:
    return convert(Money.of(amount, code), "USD", D(2026, 2, 1)).amount


def test_live_exposure_by_country_as_of_the_period_end(book: OversightBook) -> None:
    add_exposure_facts(book)
    rows = exposure_by_country(book.db, book.scope(Audience.REGULATOR), END, "USD")
    found = {row.country: row.exposure for row in rows}
    expected = {
        "US": Decimal(150_000),
        "CN": _usd(1_700_000, "CNY"),
        "VN": _usd(500_000, "CNY"),
        "DE": _usd(10_000, "EUR"),
    }
    assert found == expected
    total = sum(expected.values(), Decimal(0))
    us = next(row for row in rows if row.country == "US")
    assert us.share == (Decimal(150_000) / total).quantize(Decimal("0.0001"))
    assert us.name == "United States"
    assert [row.exposure for row in rows] == sorted(found.values(), reverse=True)
    earlier = exposure_by_country(book.db, book.scope(Audience.REGULATOR), D(2025, 12, 31), "USD")
    assert next(row.exposure for row in earlier if row.country == "US") == Decimal(190_000)


def test_each_viewer_sees_the_exposure_of_its_policies(book: OversightBook) -> None:
    add_exposure_facts(book)
    bank = exposure_by_country(book.db, book.scope(Audience.BANK, book.bank), END, "USD")
    assert [(row.country, row.exposure, row.share) for row in bank] == [("US", Decimal(80_000), Decimal(1))]
    alpha = {
        row.country
        for row in exposure_by_country(book.db, book.scope(Audience.INSURER, book.alpha), END, "USD")
    }
    assert alpha == {"US", "VN", "DE"}  # P1a, P1b, P4, P5 and the pool's P3; not Beta's P2
    assert exposure_by_country(book.db, book.scope(Audience.REGULATOR), D(2020, 1, 31), "USD") == ()


def _run(
    db: Session, *, scope: ScopeKind, organisation: object, as_of: dt.date, status: RunStatus, es_us: int
) -> RiskRun:
    run = RiskRun(
        organisation_id=organisation, scope=scope, scope_label=f"{scope.value} book",
        method=RiskMethod.CREDITRISKPLUS, scenario="all", as_of=as_of, currency="USD", parameters_json={},
        chart_json=[], status=status, obligors=4, exposure_minor=100_000_00, duration_ms=5,
    )  # fmt: skip
    db.add(run)
    db.flush()
    for scenario, el, var, es in (("", 1_000, 50_000, 70_000), ("us_tariff_shock", 3_000, 120_000, 150_000)):
        for measure, level, amount in (
            ("expected_loss", "", el), ("std", "", 9), ("var", "0.99", 1), ("var", "0.995", var),
            ("es", "0.99", 2), ("es", "0.995", es),
        ):  # fmt: skip
            db.add(
                RiskMeasure(
                    run_id=run.id, scenario=scenario, measure=measure, level=level, amount_minor=amount * 100
                )
            )
    for scenario, part in (("", es_us), ("us_tariff_shock", 90_000)):
        db.add(
            RiskContribution(
                run_id=run.id, scenario=scenario, dimension=Dimension.COUNTRY, key="US", label="USA",
                basis="es 0.995", rank=1, amount_minor=part * 100, exposure_minor=0,
            )
        )  # fmt: skip
    db.flush()
    return run


def test_the_latest_completed_run_gives_the_stress_results(book: OversightBook) -> None:
    db = book.db
    market = _run(
        db,
        scope=ScopeKind.MARKET,
        organisation=None,
        as_of=D(2026, 2, 1),
        status=RunStatus.SUCCEEDED,
        es_us=28_000,
    )
    _run(
        db,
        scope=ScopeKind.MARKET,
        organisation=None,
        as_of=D(2025, 6, 1),
        status=RunStatus.SUCCEEDED,
        es_us=1,
    )
    _run(db, scope=ScopeKind.MARKET, organisation=None, as_of=D(2026, 3, 1), status=RunStatus.FAILED, es_us=2)
    _run(
        db,
        scope=ScopeKind.INSURER,
        organisation=book.alpha,
        as_of=D(2026, 2, 20),
        status=RunStatus.SUCCEEDED,
        es_us=35_000,
    )
    run = stress_results(db, book.scope(Audience.REGULATOR), "USD")
    assert run is not None
    assert run.reference == market.reference
    assert [
        (r.scenario, r.expected_loss, r.var, r.es, r.focus_contribution, r.focus_share) for r in run.results
    ] == [
        ("Base", Decimal(1_000), Decimal(50_000), Decimal(70_000), Decimal(28_000), Decimal("0.4")),
        (
            "us_tariff_shock",
            Decimal(3_000),
            Decimal(120_000),
            Decimal(150_000),
            Decimal(90_000),
            Decimal("0.6"),
        ),
    ]
    alpha = stress_results(db, book.scope(Audience.INSURER, book.alpha), "USD")
    assert alpha is not None
    assert alpha.results[0].focus_contribution == Decimal(35_000)
    assert stress_results(db, book.scope(Audience.INSURER, book.beta), "USD") is None
    assert stress_results(db, book.scope(Audience.BANK, book.bank), "USD") is None


def test_the_section_ranks_countries_and_says_when_there_is_no_run(book: OversightBook) -> None:
    add_exposure_facts(book)
    section = exposure_section(book.db, book.scope(Audience.BANK, book.bank), CURRENT, "USD")
    assert section.note == "No risk run yet."
    figures = {f.key: f.value for f in section.figures}
    assert (figures["exposure-total"], figures["exposure-us"], figures["exposure-us-share"]) == (
        Decimal(80_000), Decimal(80_000), Decimal(1),
    )  # fmt: skip
    assert section.charts[0].key == "exposure-by-country"
    assert section.tables[0].rows == ((1, "US", "United States", Decimal(80_000), Decimal(1)),)
    _run(
        book.db,
        scope=ScopeKind.MARKET,
        organisation=None,
        as_of=D(2026, 2, 1),
        status=RunStatus.SUCCEEDED,
        es_us=28_000,
    )
    market = exposure_section(book.db, book.scope(Audience.REGULATOR), CURRENT, "USD")
    assert [t.key for t in market.tables] == ["exposure-by-country", "stress-results"]
