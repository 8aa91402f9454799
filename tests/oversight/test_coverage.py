"""Coverage by month: insured turnover with year-on-year and month-on-month growth, limits in force."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session
from tests.oversight.book import BASE, CURRENT, OversightBook, eur_cny, usd_cny

from tradecover.oversight.coverage import coverage, growth, insured_by_month, limits_in_force
from tradecover.oversight.period import Period
from tradecover.oversight.scope import Audience

DEC24, JAN25, FEB25 = dt.date(2024, 12, 1), dt.date(2025, 1, 1), dt.date(2025, 2, 1)
DEC25, JAN26, FEB26 = dt.date(2025, 12, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1)


def test_the_conversion_helpers_read_the_reference_rates() -> None:
    assert usd_cny("120000", DEC25) == Decimal("852804.00")  # 120,000 × 7.1067
    assert eur_cny("10000", DEC25) == Decimal("82799.72")  # 10,000 × 7.1067 ÷ 0.8583 = 82,799.720…
    assert usd_cny("80000", FEB26) == Decimal("567464.00")  # 80,000 × 7.0933


def test_growth_is_none_without_a_base_and_a_fraction_to_four_places() -> None:
    assert growth(Decimal(115), Decimal(100)) == Decimal("0.1500")
    assert growth(Decimal(0), Decimal(100)) == Decimal("-1.0000")
    assert growth(Decimal(5), Decimal(0)) is None
    assert growth(0, 0) is None
    assert growth(Decimal(2), Decimal(3)) == Decimal("-0.3333")


def test_insured_turnover_by_month_grows_across_the_year_boundary(db: Session, book: OversightBook) -> None:
    market = book.scope(Audience.REGULATOR)
    result = coverage(db, market, CURRENT, "CNY")
    # December 2025: USD 120,000 (P1b) + EUR 10,000 (P3) + CNY 300,000 (P4).
    dec = usd_cny("120000", DEC25) + eur_cny("10000", DEC25) + Decimal("300000")
    assert dec == Decimal("1235603.72")
    # February 2026: USD 80,000 (P1b; the uninsured USD 5,000 adds nothing) + CNY 1,000,000 (P2).
    feb = usd_cny("80000", FEB26) + Decimal("1000000")
    assert feb == Decimal("1567464.00")
    # A year earlier: USD 100,000 + CNY 200,000; USD 50,000 (of a 60,000 invoice); CNY 700,000.
    dec_base = usd_cny("100000", DEC24) + Decimal("200000")
    jan_base = usd_cny("50000", JAN25)
    assert (dec_base, jan_base) == (Decimal("920670.00"), Decimal("365000.00"))
    assert [(m.month, m.insured, m.year_earlier) for m in result.months] == [
        (DEC25, dec, dec_base),
        (JAN26, Decimal(0), jan_base),
        (FEB26, feb, Decimal("700000")),
    ]
    # 314,933.72 ÷ 920,670 = 0.34207…; January is empty: −100%; 867,464 ÷ 700,000 = 1.23923…
    assert [m.yoy for m in result.months] == [Decimal("0.3421"), Decimal("-1.0000"), Decimal("1.2392")]
    # Month on month: none for the first month; January −100%; February has no January base.
    assert [m.mom for m in result.months] == [None, Decimal("-1.0000"), None]
    assert result.insured == dec + feb
    assert result.insured_year_earlier == dec_base + jan_base + Decimal("700000")
    # (2,803,067.72 − 1,985,670.00) ÷ 1,985,670.00 = 0.41164…
    assert result.insured_yoy == Decimal("0.4116")


def test_limits_in_force_at_each_month_end_follow_the_history_and_the_policy(
    db: Session, book: OversightBook
) -> None:
    market = book.scope(Audience.REGULATOR)
    result = coverage(db, market, CURRENT, "CNY")
    # 31 Dec 2025: L1 is out (P1a ended 30 Nov), L1b USD 150,000, L2 CNY 2,000,000, L3 EUR 50,000,
    # L4 CNY 500,000 (its reduction from 1 March is later voided by the cancellation).
    dec = usd_cny("150000", DEC25) + Decimal("2500000") + eur_cny("50000", DEC25)
    # 31 Jan 2026: the same amounts at January's rates.
    jan = usd_cny("150000", JAN26) + Decimal("2500000") + eur_cny("50000", JAN26)
    # 28 Feb 2026: L1b reduced to USD 100,000 from 1 Feb, L2 cancelled from 15 Feb, L4 from 10 Feb.
    feb = usd_cny("100000", FEB26) + eur_cny("50000", FEB26)
    assert (dec, jan, feb) == (Decimal("3980003.60"), Decimal("3976832.95"), Decimal("1121347.89"))
    assert [m.limits for m in result.months] == [dec, jan, feb]
    assert result.limits == feb
    # 28 Feb 2025: L1 USD 200,000 (in force from the policy's start, 1 Dec), L2 CNY 2,000,000, L4 500,000.
    base = usd_cny("200000", FEB25) + Decimal("2500000")
    assert result.limits_year_earlier == base == Decimal("3958000.00")
    # (1,121,347.89 − 3,958,000) ÷ 3,958,000 = −0.71669…
    assert result.limits_yoy == Decimal("-0.7167")


def test_limits_before_the_policy_starts_are_not_in_force(db: Session, book: OversightBook) -> None:
    market = book.scope(Audience.REGULATOR)
    days = [dt.date(2024, 11, 30), dt.date(2024, 12, 31)]
    # L1 was approved on 20 Nov 2024, but its policy covers from 1 Dec; L4 is in force from 1 Dec.
    assert limits_in_force(db, market, days, "CNY") == {
        days[0]: Decimal(0),
        days[1]: usd_cny("200000", DEC24) + Decimal("500000"),
    }


def test_a_period_ending_mid_month_measures_its_last_month_to_its_last_day(
    db: Session, book: OversightBook
) -> None:
    market = book.scope(Audience.REGULATOR)
    period = Period(CURRENT.start, dt.date(2026, 2, 12))
    result = coverage(db, market, period, "CNY")
    # To 12 February: USD 80,000 shipped on the 10th; CNY 1,000,000 of the 20th is after the end.
    assert result.months[-1].insured == usd_cny("80000", FEB26)
    # Its base runs to 12 Feb 2025: P2's CNY 700,000 of 20 Feb 2025 is outside it.
    assert result.months[-1].year_earlier == Decimal(0)
    assert result.months[-1].yoy is None
    # On 12 Feb 2026: L1b USD 100,000, L2 CNY 2,000,000 (cancelled from the 15th), L3 EUR 50,000, L4 gone.
    assert result.limits == usd_cny("100000", FEB26) + Decimal("2000000") + eur_cny("50000", FEB26)


def test_an_empty_period_gives_zeros_and_no_growth(db: Session, book: OversightBook) -> None:
    market = book.scope(Audience.REGULATOR)
    period = Period(dt.date(2023, 3, 1), dt.date(2023, 4, 30))
    result = coverage(db, market, period, "CNY")
    assert [(m.month, m.insured, m.yoy, m.mom, m.limits) for m in result.months] == [
        (dt.date(2023, 3, 1), Decimal(0), None, None, Decimal(0)),
        (dt.date(2023, 4, 1), Decimal(0), None, None, Decimal(0)),
    ]
    assert (result.insured, result.insured_yoy, result.limits, result.limits_yoy) == (0, None, 0, None)


def test_an_insurer_sees_its_own_policies_and_its_pools(db: Session, book: OversightBook) -> None:
    alpha = book.scope(Audience.INSURER, book.alpha)
    # Alpha: P1b, P3 (its pool), P4; not Beta's P2.
    assert insured_by_month(db, alpha, CURRENT, "CNY") == {
        DEC25: usd_cny("120000", DEC25) + eur_cny("10000", DEC25) + Decimal("300000"),
        JAN26: Decimal(0),
        FEB26: usd_cny("80000", FEB26),
    }
    # Gamma is only a member of the pool: P3 alone.
    gamma = book.scope(Audience.INSURER, book.gamma)
    result = coverage(db, gamma, CURRENT, "CNY")
    assert result.insured == eur_cny("10000", DEC25)
    assert result.insured_year_earlier == Decimal(0)
    assert result.insured_yoy is None
    assert result.limits == eur_cny("50000", FEB26)
    beta = book.scope(Audience.INSURER, book.beta)
    assert insured_by_month(db, beta, BASE, "CNY") == {DEC24: 0, JAN25: 0, FEB25: Decimal("700000")}


def test_a_programme_sees_its_enrolled_firms_and_a_bank_its_assigned_policies(
    db: Session, book: OversightBook
) -> None:
    programme = book.scope(Audience.PROGRAMME, book.bureau)
    result = coverage(db, programme, CURRENT, "CNY")
    # H4 (P4) alone: CNY 300,000 in December 2025 against CNY 200,000 a year earlier.
    assert [m.insured for m in result.months] == [Decimal("300000"), 0, 0]
    assert result.insured_yoy == Decimal("0.5000")
    assert [m.limits for m in result.months] == [Decimal("500000"), Decimal("500000"), Decimal(0)]
    bank = book.scope(Audience.BANK, book.bank)
    result = coverage(db, bank, CURRENT, "CNY")
    # P1b alone: USD 120,000 and USD 80,000; its base policy P1a is not assigned to the bank.
    assert result.insured == usd_cny("120000", DEC25) + usd_cny("80000", FEB26)
    assert result.insured_year_earlier == Decimal(0)
    assert result.limits == usd_cny("100000", FEB26)


def test_the_reporting_currency_is_a_parameter(db: Session, book: OversightBook) -> None:
    bank = book.scope(Audience.BANK, book.bank)
    # In USD nothing is converted: USD 120,000 and USD 80,000.
    assert insured_by_month(db, bank, CURRENT, "USD") == {
        DEC25: Decimal("120000.00"),
        JAN26: Decimal(0),
        FEB26: Decimal("80000.00"),
    }


def test_a_period_longer_than_a_year_overlaps_its_base(db: Session, book: OversightBook) -> None:
    market = book.scope(Audience.REGULATOR)
    period = Period(dt.date(2024, 12, 1), dt.date(2026, 2, 28))
    result = coverage(db, market, period, "CNY")
    months = {m.month: m for m in result.months}
    assert len(months) == 15
    # December 2024 is both a month of the period and the base of December 2025.
    assert (months[DEC24].insured, months[DEC24].year_earlier, months[DEC24].yoy) == (
        Decimal("920670.00"),
        Decimal(0),
        None,
    )
    assert (months[DEC25].year_earlier, months[DEC25].yoy) == (Decimal("920670.00"), Decimal("0.3421"))
    # June 2025: USD 30,000 (P1a) and USD 10,000 (P5) at 7.1967.
    june = dt.date(2025, 6, 1)
    assert months[june].insured == (Decimal("40000") * Decimal("7.1967")).quantize(Decimal("0.01"))
    # The base runs from December 2023 to February 2025: what the book had then.
    assert result.insured_year_earlier == Decimal("920670.00") + Decimal("365000.00") + Decimal("700000")
