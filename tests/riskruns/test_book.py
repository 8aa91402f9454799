"""The loader: the platform's limits in force become exposures, PDs, LGDs, factors and labels exactly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from sqlalchemy.orm import Session
from tests.riskruns.conftest import TODAY, RiskBook

from tradecover.declarations.payments import PaymentDeclaration, declare_payment
from tradecover.declarations.service import ShipmentDeclaration, declare_shipment
from tradecover.limits.changes import reduce_limit
from tradecover.money import Money
from tradecover.reference.fx import fx_rate
from tradecover.riskruns.book import ExposureBasis, Scope, load_book
from tradecover.riskruns.engine import ModelParameters, creditriskplus_model, gaussian_model
from tradecover.riskruns.model import ScopeKind


def _cny_in_usd_minor(amount: str, on: dt.date) -> int:
    return Money.rounded(Decimal(amount) * fx_rate("CNY", "USD", on), "USD").minor_units


def test_the_insurers_book_per_buyer_exposure_pd_lgd_and_pieces(db: Session, risk_book: RiskBook) -> None:
    book = load_book(db, Scope(ScopeKind.INSURER, risk_book.insurer_id), TODAY)
    order = {buyer_id: i for i, buyer_id in enumerate(book.buyer_ids.tolist())}
    us, de, cn = (order[str(b.id)] for b in (risk_book.us_buyer, risk_book.de_buyer, risk_book.cn_public))
    assert book.size == 3
    assert book.exposure_minor[us] == 16_000_000  # 100,000 + 60,000 USD
    assert book.exposure_minor[de] == 5_000_000
    assert book.exposure_minor[cn] == _cny_in_usd_minor("40000", TODAY)
    assert book.total_exposure_minor == 21_000_000 + _cny_in_usd_minor("40000", TODAY)
    # Grade 4 in the US (country grade 0): 0.5%; grade 2 in Germany: 0.08%; grade 3 in China (grade 2).
    assert book.pd[us] == pytest.approx(0.005, abs=0)
    assert book.pd[de] == pytest.approx(0.0008, abs=0)
    assert book.pd[cn] == float(1 - (1 - Decimal("0.0020")) * (1 - Decimal("0.0015")))
    # Insolvency indemnity 90%; the domestic policy pays 80% on public bodies.
    assert book.lgd[us] == pytest.approx(0.9, rel=1e-15)
    assert book.lgd[de] == pytest.approx(0.9, rel=1e-15)
    assert book.lgd[cn] == pytest.approx(0.8, rel=1e-15)
    assert list(book.countries[[us, de, cn]]) == ["US", "DE", "CN"]
    assert list(book.sectors[[us, de, cn]]) == ["electronics", "machinery", "construction"]
    # Pieces by policyholder: the US buyer's loss splits 100:60 between the two exporters.
    holder_a, holder_b = str(risk_book.policy_a.policyholder_id), str(risk_book.policy_b.policyholder_id)
    pieces = {
        (int(b), str(h)): (float(s), int(e))
        for b, h, s, e in zip(
            book.part_buyer,
            book.part_policyholder,
            book.part_loss_share,
            book.part_exposure_minor,
            strict=True,
        )
    }
    assert pieces[us, holder_a] == (pytest.approx(100 / 160), 10_000_000)
    assert pieces[us, holder_b] == (pytest.approx(60 / 160), 6_000_000)
    assert pieces[de, holder_a] == (1.0, 5_000_000)
    assert set(book.part_insurer.tolist()) == {str(risk_book.insurer_id)}
    assert book.organisation_names[str(risk_book.insurer_id)] == risk_book.insurer_name


def test_factor_models_load_sectors_for_creditriskplus_and_country_and_sector_for_the_copula(
    db: Session, risk_book: RiskBook
) -> None:
    book = load_book(db, Scope(ScopeKind.INSURER, risk_book.insurer_id), TODAY)
    portfolio, variances = creditriskplus_model(book, ModelParameters())
    assert portfolio.factor_names == ("construction", "electronics", "machinery")
    expected = np.zeros((3, 3))
    for i, sector in enumerate(book.sectors):
        expected[i, portfolio.factor_names.index(str(sector))] = 1.0
    np.testing.assert_array_equal(portfolio.weights, expected)
    np.testing.assert_array_equal(variances, [0.25, 0.25, 0.25])
    gaussian, copula = gaussian_model(book, ModelParameters())
    assert gaussian.factor_names == ("CN", "DE", "US", "construction", "electronics", "machinery")
    us = book.buyer_ids.tolist().index(str(risk_book.us_buyer.id))
    np.testing.assert_array_equal(copula.loadings[us], [0, 0, 0.4, 0, 0.3, 0])
    np.testing.assert_array_equal(copula.correlation, np.eye(6))


def test_the_amount_in_force_on_the_date_counts_not_the_one_after_notice(
    db: Session, risk_book: RiskBook
) -> None:
    # Cut the German limit to 20,000 with 30 days' notice: before then, 50,000 is in force.
    de_limit = risk_book.limits[1]
    reduce_limit(db, risk_book.underwriter, de_limit.id, Money.of("20000", "USD"), reason="review")
    scope = Scope(ScopeKind.INSURER, risk_book.insurer_id)
    for day, expected in ((TODAY, 5_000_000), (TODAY + dt.timedelta(days=30), 2_000_000)):
        book = load_book(db, scope, day)
        de = book.buyer_ids.tolist().index(str(risk_book.de_buyer.id))
        assert book.exposure_minor[de] == expected
    # After the policies' period nothing is in force.
    assert load_book(db, scope, dt.date(2027, 1, 15)).size == 0


def test_the_market_holds_every_insurer_and_another_insurers_scope_holds_none_of_this_book(
    db: Session, risk_book: RiskBook
) -> None:
    market = load_book(db, Scope(ScopeKind.MARKET), TODAY)
    assert {str(b.id) for b in (risk_book.us_buyer, risk_book.de_buyer, risk_book.cn_public)} <= set(
        market.buyer_ids.tolist()
    )
    assert risk_book.other_insurer.organisation_id is not None
    other = load_book(db, Scope(ScopeKind.INSURER, risk_book.other_insurer.organisation_id), TODAY)
    assert other.size == 0


def test_the_insured_outstanding_basis_counts_declared_shipments_less_payments(
    db: Session, risk_book: RiskBook
) -> None:
    shipped = declare_shipment(
        db,
        risk_book.exporter_a,
        risk_book.policy_a.id,
        ShipmentDeclaration(
            risk_book.us_buyer.id, "INV-1", Money.of("30000", "USD"), TODAY, TODAY + dt.timedelta(days=60),
        ),
    )  # fmt: skip
    assert shipped.insured_minor == 3_000_000, shipped.verdict
    declare_payment(
        db,
        risk_book.exporter_a,
        risk_book.policy_a.id,
        PaymentDeclaration(risk_book.us_buyer.id, Money.of("10000", "USD"), TODAY),
    )
    scope = Scope(ScopeKind.INSURER, risk_book.insurer_id)
    book = load_book(db, scope, TODAY, basis=ExposureBasis.OUTSTANDING)
    assert book.buyer_ids.tolist() == [str(risk_book.us_buyer.id)]
    assert book.exposure_minor.tolist() == [2_000_000]
    assert book.lgd[0] == pytest.approx(0.9, rel=1e-15)
    # The day before the shipment nothing was outstanding.
    assert load_book(db, scope, TODAY - dt.timedelta(days=1), basis=ExposureBasis.OUTSTANDING).size == 0
