"""Insured firms, new firms, and the enrolled firms' coverage against all other firms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session
from tests.oversight.book import BASE, CURRENT, OversightBook, eur_cny, usd_cny

from tradecover.oversight.firms import enrolled_vs_others, firms, insured_firms, new_firms
from tradecover.oversight.period import Period
from tradecover.oversight.scope import Audience

DEC24, JAN25 = dt.date(2024, 12, 1), dt.date(2025, 1, 1)
DEC25, JAN26, FEB26 = dt.date(2025, 12, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1)


def test_insured_and_new_firms_of_the_market(db: Session, book: OversightBook) -> None:
    market = book.scope(Audience.REGULATOR)
    result = firms(db, market, CURRENT)
    # Now: H1 (P1b), H2 (P2), H3 (P3), H4 (P4); H5's policy was cancelled from 15 Nov 2025.
    # A year earlier: H1 (P1a), H2 (P2 from 1 Jan 2025), H4 (P4).
    assert (result.insured, result.insured_year_earlier) == (4, 3)
    assert result.insured_yoy == Decimal("0.3333")
    # New now: H3 (first policy 1 Dec 2025); a year earlier H1 (1 Dec 2024) and H2 (1 Jan 2025).
    assert (result.new, result.new_year_earlier) == (1, 2)
    assert result.new_yoy == Decimal("-0.5000")


def test_a_cancelled_policy_counts_only_while_it_covered(db: Session, book: OversightBook) -> None:
    market = book.scope(Audience.REGULATOR)
    # H5's P5 ran from 1 June 2025 and was cancelled from 15 November 2025.
    assert insured_firms(db, market, Period(dt.date(2025, 11, 14), dt.date(2025, 11, 14))) == 4  # H1 H2 H4 H5
    assert insured_firms(db, market, Period(dt.date(2025, 11, 15), dt.date(2025, 11, 30))) == 3
    # H5 is new in June 2025 (its first policy), H1 is not new in December 2025 (its renewal).
    assert new_firms(db, market, Period(dt.date(2025, 6, 1), dt.date(2025, 6, 30))) == 1
    assert new_firms(db, market, Period(dt.date(2025, 12, 1), dt.date(2025, 12, 1))) == 1  # H3 only


def test_an_empty_period_has_no_firms_and_no_growth(db: Session, book: OversightBook) -> None:
    result = firms(db, book.scope(Audience.REGULATOR), Period(dt.date(2023, 1, 1), dt.date(2023, 3, 31)))
    assert (result.insured, result.insured_year_earlier, result.new, result.new_year_earlier) == (0, 0, 0, 0)
    assert (result.insured_yoy, result.new_yoy) == (None, None)


def test_firms_in_each_scope(db: Session, book: OversightBook) -> None:
    # Alpha: H1, H3 (the pool's), H4; H3 is new to its book in the period.
    alpha = firms(db, book.scope(Audience.INSURER, book.alpha), CURRENT)
    assert (alpha.insured, alpha.insured_year_earlier, alpha.new, alpha.new_year_earlier) == (3, 2, 1, 1)
    beta = firms(db, book.scope(Audience.INSURER, book.beta), CURRENT)
    assert (beta.insured, beta.insured_year_earlier, beta.new, beta.new_year_earlier) == (1, 1, 0, 1)
    programme = firms(db, book.scope(Audience.PROGRAMME, book.bureau), CURRENT)
    assert (programme.insured, programme.insured_year_earlier, programme.new) == (1, 1, 0)
    # The bank's P1b starts 1 Dec 2025: H1 is new to the bank's book.
    bank = firms(db, book.scope(Audience.BANK, book.bank), CURRENT)
    assert (bank.insured, bank.insured_year_earlier, bank.new, bank.new_year_earlier) == (1, 0, 1, 0)
    assert bank.insured_yoy is None


def test_enrolled_vs_others_sums_each_group(db: Session, book: OversightBook) -> None:
    result = enrolled_vs_others(db, book.scope(Audience.PROGRAMME, book.bureau), CURRENT, "CNY")
    # Enrolled: H4's P4. Others: everyone else in the market.
    dec_others = usd_cny("120000", DEC25) + eur_cny("10000", DEC25)
    feb_others = usd_cny("80000", FEB26) + Decimal("1000000")
    assert [
        (m.month, m.enrolled, m.enrolled_year_earlier, m.others, m.others_year_earlier) for m in result.months
    ] == [
        (DEC25, Decimal("300000"), Decimal("200000"), dec_others, usd_cny("100000", DEC24)),
        (JAN26, 0, 0, 0, usd_cny("50000", JAN25)),
        (FEB26, 0, 0, feb_others, Decimal("700000")),
    ]
    assert [(m.enrolled_yoy, m.others_yoy) for m in result.months] == [
        (Decimal("0.5000"), Decimal("0.2982")),  # 935,603.72 ÷ 720,670 − 1 = 0.29824…
        (None, Decimal("-1.0000")),
        (None, Decimal("1.2392")),
    ]
    assert (result.enrolled, result.enrolled_year_earlier) == (Decimal("300000"), Decimal("200000"))
    assert result.others == dec_others + feb_others
    assert result.others_year_earlier == usd_cny("100000", DEC24) + usd_cny("50000", JAN25) + 700000
    assert result.enrolled_yoy == Decimal("0.5000")
    # (2,503,067.72 − 1,785,670) ÷ 1,785,670 = 0.40175…
    assert result.others_yoy == Decimal("0.4018")


def test_outside_a_programme_scope_enrolled_means_enrolled_in_any_programme(
    db: Session, book: OversightBook
) -> None:
    result = enrolled_vs_others(db, book.scope(Audience.REGULATOR), BASE, "CNY")
    assert (result.enrolled, result.others) == (
        Decimal("200000"),
        usd_cny("100000", DEC24) + usd_cny("50000", JAN25) + Decimal("700000"),
    )
