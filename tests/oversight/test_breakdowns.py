"""Insured turnover by product, insurer or pool, region, buyer country and sector, and firm size."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session
from tests.oversight.book import CURRENT, OversightBook, eur_cny, usd_cny

from tradecover.oversight.breakdowns import Dimension, breakdown
from tradecover.oversight.period import Period
from tradecover.oversight.scope import Audience
from tradecover.parties.model import Organisation

DEC24, JAN25 = dt.date(2024, 12, 1), dt.date(2025, 1, 1)
DEC25, FEB26 = dt.date(2025, 12, 1), dt.date(2026, 2, 1)

# The book's groups in the current period and a year earlier (CNY).
US = usd_cny("120000", DEC25) + usd_cny("80000", FEB26)  # P1b
US_BASE = usd_cny("100000", DEC24) + usd_cny("50000", JAN25)  # P1a
DE = eur_cny("10000", DEC25)  # P3, the pool's
CN, CN_BASE = Decimal("1000000"), Decimal("700000")  # P2, Beta's domestic policy
VN, VN_BASE = Decimal("300000"), Decimal("200000")  # P4, the enrolled firm's
TOTAL = US + DE + CN + VN


def _rows(result: object) -> list[tuple[str, Decimal, Decimal, Decimal | None, Decimal | None]]:
    return [(r.key, r.insured, r.year_earlier, r.yoy, r.share) for r in result.rows]  # type: ignore[attr-defined]


def test_by_buyer_country_largest_first_with_growth_and_share(db: Session, book: OversightBook) -> None:
    result = breakdown(db, book.scope(Audience.REGULATOR), CURRENT, "CNY", Dimension.COUNTRY)
    assert result.rows[0].insured == Decimal("1420268.00")  # 852,804 + 567,464
    assert result.rows[0].year_earlier == Decimal("1085670.00")  # 720,670 + 365,000
    assert result.total == Decimal("2803067.72")
    assert _rows(result) == [
        # 334,598 ÷ 1,085,670 = 0.30819…; 1,420,268 ÷ 2,803,067.72 = 0.50668…
        ("US", US, US_BASE, Decimal("0.3082"), Decimal("0.5067")),
        ("CN", CN, CN_BASE, Decimal("0.4286"), Decimal("0.3568")),
        ("VN", VN, VN_BASE, Decimal("0.5000"), Decimal("0.1070")),
        ("DE", DE, Decimal(0), None, Decimal("0.0295")),
    ]
    assert [r.label for r in result.rows] == ["United States", "China", "Viet Nam", "Germany"]
    assert result.total == TOTAL
    assert result.total_year_earlier == US_BASE + CN_BASE + VN_BASE


def test_by_sector_product_region_and_size(db: Session, book: OversightBook) -> None:
    market = book.scope(Audience.REGULATOR)
    sectors = breakdown(db, market, CURRENT, "CNY", Dimension.SECTOR)
    assert [(r.key, r.label, r.insured) for r in sectors.rows] == [
        ("electronics", "Electronics and electrical equipment", US),
        ("construction", "Construction and building materials", CN),
        ("textiles_apparel", "Textiles and apparel", VN),
        ("machinery", "Machinery and industrial equipment", DE),
    ]
    products = breakdown(db, market, CURRENT, "CNY", Dimension.PRODUCT)
    assert _rows(products) == [
        # (1,803,067.72 − 1,285,670) ÷ 1,285,670 = 0.40243…
        ("export_whole_turnover", US + VN + DE, US_BASE + VN_BASE, Decimal("0.4024"), Decimal("0.6432")),
        ("domestic_whole_turnover", CN, CN_BASE, Decimal("0.4286"), Decimal("0.3568")),
    ]
    assert [r.label for r in products.rows] == ["Export whole-turnover", "Domestic whole-turnover"]
    # H1 and H4 are in Yiwu and SMEs, H2 in Shenzhen and large, H3 has neither fact.
    regions = breakdown(db, market, CURRENT, "CNY", Dimension.REGION)
    assert [(r.label, r.insured, r.year_earlier) for r in regions.rows] == [
        ("Yiwu", US + VN, US_BASE + VN_BASE),
        ("Shenzhen", CN, CN_BASE),
        ("unknown", DE, Decimal(0)),
    ]
    sizes = breakdown(db, market, CURRENT, "CNY", Dimension.SIZE)
    assert [(r.key, r.label, r.insured) for r in sizes.rows] == [
        ("sme", "SME", US + VN),
        ("large", "Large", CN),
        ("unknown", "Unknown", DE),
    ]


def test_by_insurer_names_insurers_and_the_pool(db: Session, book: OversightBook) -> None:
    result = breakdown(db, book.scope(Audience.REGULATOR), CURRENT, "CNY", Dimension.INSURER)
    names = {i: db.get_one(Organisation, i).name for i in (book.alpha, book.beta, book.pool)}
    assert [(r.label, r.insured, r.year_earlier, r.yoy) for r in result.rows] == [
        # (1,720,268 − 1,285,670) ÷ 1,285,670 = 0.33803…
        (names[book.alpha], US + VN, US_BASE + VN_BASE, Decimal("0.3380")),
        (names[book.beta], CN, CN_BASE, Decimal("0.4286")),
        (names[book.pool], DE, Decimal(0), None),
    ]


def test_a_group_seen_only_a_year_earlier_is_kept_and_an_empty_period_has_no_shares(
    db: Session, book: OversightBook
) -> None:
    january = Period(dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    result = breakdown(db, book.scope(Audience.REGULATOR), january, "CNY", Dimension.COUNTRY)
    # January 2026 is empty; January 2025 had USD 50,000 on the US buyer.
    assert _rows(result) == [("US", Decimal(0), usd_cny("50000", JAN25), Decimal("-1.0000"), None)]
    assert result.total == 0
    empty = Period(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert breakdown(db, book.scope(Audience.REGULATOR), empty, "CNY", Dimension.PRODUCT).rows == ()


def test_each_scope_breaks_down_only_its_own_book(db: Session, book: OversightBook) -> None:
    programme = book.scope(Audience.PROGRAMME, book.bureau)
    assert _rows(breakdown(db, programme, CURRENT, "CNY", Dimension.COUNTRY)) == [
        ("VN", VN, VN_BASE, Decimal("0.5000"), Decimal("1.0000"))
    ]
    gamma = book.scope(Audience.INSURER, book.gamma)
    assert [(r.key, r.insured) for r in breakdown(db, gamma, CURRENT, "CNY", Dimension.SECTOR).rows] == [
        ("machinery", DE)
    ]
    alpha = book.scope(Audience.INSURER, book.alpha)
    assert [(r.key, r.insured) for r in breakdown(db, alpha, CURRENT, "CNY", Dimension.PRODUCT).rows] == [
        ("export_whole_turnover", US + VN + DE)
    ]
    bank = book.scope(Audience.BANK, book.bank)
    assert [
        (r.key, r.insured, r.year_earlier) for r in breakdown(db, bank, CURRENT, "CNY", Dimension.REGION).rows
    ] == [("Yiwu", US, Decimal(0))]
