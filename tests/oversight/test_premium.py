"""Premium written (invoices less credit notes), earned (priced shipments), subsidy and its share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session
from tests.oversight.book import BASE, CURRENT, OversightBook, eur_cny, usd_cny

from tradecover.oversight.period import Period
from tradecover.oversight.premium import PremiumTotals, premium, premium_by_month, premium_totals
from tradecover.oversight.scope import Audience

DEC24, JAN25 = dt.date(2024, 12, 1), dt.date(2025, 1, 1)
DEC25, JAN26, FEB26 = dt.date(2025, 12, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1)


def test_written_premium_nets_credit_notes_and_earned_follows_shipments(
    db: Session, book: OversightBook
) -> None:
    market = book.scope(Audience.REGULATOR)
    months = premium_by_month(db, market, CURRENT, "CNY")
    # Written in January 2026: P1b's USD 600 invoice, its credit note and the USD 600 issued again
    # (USD 1,200 − USD 600 at 7.1000), and P4's CNY 1,500, of which the programme pays CNY 1,200.
    written_jan = usd_cny("1200", JAN26) - usd_cny("600", JAN26) + Decimal("1500")
    assert written_jan == Decimal("5760.00")
    # Earned: December USD 600 (B-1), EUR 50 (D-1), CNY 1,500 (E-2); February USD 400 (B-2), CNY 5,000 (C-2).
    earned_dec = usd_cny("600", DEC25) + eur_cny("50", DEC25) + Decimal("1500")
    earned_feb = usd_cny("400", FEB26) + Decimal("5000")
    assert (earned_dec, earned_feb) == (Decimal("6178.02"), Decimal("7837.32"))
    assert [(m.month, m.written, m.earned, m.subsidy, m.subsidy_share) for m in months] == [
        (DEC25, 0, earned_dec, 0, None),
        (JAN26, written_jan, 0, Decimal("1200"), Decimal("0.2083")),  # 1,200 ÷ 5,760 = 0.20833…
        (FEB26, 0, earned_feb, 0, None),
    ]
    assert premium_totals(db, market, CURRENT, "CNY") == PremiumTotals(
        written=written_jan,
        earned=earned_dec + earned_feb,
        subsidy=Decimal("1200"),
        subsidy_share=Decimal("0.2083"),
    )


def test_premium_against_a_year_earlier(db: Session, book: OversightBook) -> None:
    result = premium(db, book.scope(Audience.REGULATOR), CURRENT, "CNY")
    # Written on 5 Jan 2025: P1a USD 500 at 7.3000 and P4 CNY 1,000 (the programme was not open yet).
    # Earned: Dec 2024 USD 500 + CNY 1,000; Jan 2025 USD 250; Feb 2025 CNY 3,500.
    earned = usd_cny("500", DEC24) + Decimal("1000") + usd_cny("250", JAN25) + Decimal("3500")
    assert result.year_earlier == PremiumTotals(
        written=usd_cny("500", JAN25) + Decimal("1000"),
        earned=earned,
        subsidy=Decimal(0),
        subsidy_share=Decimal("0.0000"),
    )
    assert result.year_earlier.written == Decimal("4650.00")
    assert earned == Decimal("9928.35")
    # (5,760 − 4,650) ÷ 4,650 = 0.23870…; (14,015.34 − 9,928.35) ÷ 9,928.35 = 0.41164…
    assert result.written_yoy == Decimal("0.2387")
    assert result.earned_yoy == Decimal("0.4116")
    assert premium_totals(db, book.scope(Audience.REGULATOR), BASE, "CNY") == result.year_earlier


def test_a_credit_note_and_its_replacement_on_one_day_write_nothing(db: Session, book: OversightBook) -> None:
    day = Period(dt.date(2026, 1, 20), dt.date(2026, 1, 20))
    totals = premium_totals(db, book.scope(Audience.REGULATOR), day, "CNY")
    assert totals == PremiumTotals(Decimal(0), Decimal(0), Decimal(0), None)


def test_an_empty_period_has_no_premium_and_no_share(db: Session, book: OversightBook) -> None:
    empty = Period(dt.date(2023, 1, 1), dt.date(2023, 6, 30))
    result = premium(db, book.scope(Audience.REGULATOR), empty, "CNY")
    assert result.totals == PremiumTotals(Decimal(0), Decimal(0), Decimal(0), None)
    assert (result.written_yoy, result.earned_yoy) == (None, None)
    assert all(m.written == m.earned == m.subsidy == 0 and m.subsidy_share is None for m in result.months)


def test_premium_in_each_scope(db: Session, book: OversightBook) -> None:
    programme = premium_totals(db, book.scope(Audience.PROGRAMME, book.bureau), CURRENT, "CNY")
    # P4 alone: CNY 1,500 written, 80% of it paid by the programme; CNY 1,500 earned in December.
    assert programme == PremiumTotals(Decimal("1500"), Decimal("1500"), Decimal("1200"), Decimal("0.8000"))
    beta = premium_totals(db, book.scope(Audience.INSURER, book.beta), CURRENT, "CNY")
    # P2 was never invoiced: nothing written, CNY 5,000 earned.
    assert beta == PremiumTotals(Decimal(0), Decimal("5000"), Decimal(0), None)
    gamma = premium_totals(db, book.scope(Audience.INSURER, book.gamma), CURRENT, "CNY")
    assert gamma == PremiumTotals(Decimal(0), eur_cny("50", DEC25), Decimal(0), None)
    bank = premium_totals(db, book.scope(Audience.BANK, book.bank), CURRENT, "CNY")
    assert bank == PremiumTotals(
        usd_cny("1200", JAN26) - usd_cny("600", JAN26),
        usd_cny("600", DEC25) + usd_cny("400", FEB26),
        Decimal(0),
        Decimal("0.0000"),
    )
    alpha = premium_totals(db, book.scope(Audience.INSURER, book.alpha), CURRENT, "CNY")
    assert alpha.written == Decimal("5760.00")
    assert alpha.earned == usd_cny("600", DEC25) + eur_cny("50", DEC25) + Decimal("1500") + usd_cny(
        "400", FEB26
    )
