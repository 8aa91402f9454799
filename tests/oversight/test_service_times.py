"""Claim service times on the claims of `test_claims_metrics` (K1 … K5).

Filed in CURRENT: K1 (documents after 2 days, decided after 21, paid after 25, both within the service
levels), K2 (nothing yet), K3 (documents at filing, decided after 32 days: 2 days late), K4 (documents
after 8, decided after 35 within its deadline, paid only in part). Days to documents [0, 2, 8], to the
decision [21, 32, 35], to payment [25]. Wholly paid in CURRENT: K1 after 25 days and K5 after 81.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.oversight.book import CURRENT, OversightBook
from tests.oversight.test_claims_metrics import add_claims

from tradecover.oversight.period import Period
from tradecover.oversight.scope import Audience
from tradecover.oversight.sections_claims import service_times_section
from tradecover.oversight.service_times import BUCKETS, bucket_of, payment_days, service_times


def test_median_percentile_and_share_within_the_service_level(book: OversightBook) -> None:
    add_claims(book)
    rows = service_times(book.db, book.scope(Audience.REGULATOR), CURRENT)
    everyone = rows[0].summary
    assert rows[0].insurer_name == "All insurers"
    assert everyone.claims == 4
    assert (everyone.to_documents.count, everyone.to_documents.median_days) == (3, Decimal(2))
    assert (everyone.to_decision.median_days, everyone.to_decision.p90_days) == (Decimal(32), 35)
    assert everyone.to_decision.within_share == Decimal("0.6667")
    assert (everyone.to_payment.median_days, everyone.to_payment.p90_days) == (Decimal(25), 25)
    assert everyone.to_payment.within_share == Decimal(1)
    by_insurer = {row.insurer_id: row.summary for row in rows[1:]}
    assert set(by_insurer) == {book.alpha, book.beta, book.pool}
    assert by_insurer[book.alpha].claims == 2
    assert by_insurer[book.beta].to_decision.within_share == Decimal(0)
    assert by_insurer[book.pool].to_decision.median_days == Decimal(35)


def test_days_to_payment_fall_in_their_buckets(book: OversightBook) -> None:
    add_claims(book)
    histogram = payment_days(book.db, book.scope(Audience.REGULATOR), CURRENT)
    assert histogram == (("0–10", 0), ("11–20", 0), ("21–30", 1), ("31–40", 0), ("41–60", 0), (">60", 1))
    assert [bucket_of(days) for days in (0, 10, 11, 30, 31, 60, 61, 400)] == [
        "0–10", "0–10", "11–20", "21–30", "31–40", "41–60", ">60", ">60",
    ]  # fmt: skip
    assert len(BUCKETS) == 6


def test_an_insurer_measures_its_own_claims_and_an_empty_period_measures_nothing(book: OversightBook) -> None:
    add_claims(book)
    beta = service_times(book.db, book.scope(Audience.INSURER, book.beta), CURRENT)
    assert [row.insurer_id for row in beta] == [None, book.beta]
    assert beta[0].summary.to_decision.median_days == Decimal(32)
    bank = payment_days(book.db, book.scope(Audience.BANK, book.bank), CURRENT)
    assert dict(bank)["21–30"] == 1
    assert sum(count for _, count in bank) == 1  # K5 is on P1a, not assigned to the bank
    empty = Period(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    rows = service_times(book.db, book.scope(Audience.REGULATOR), empty)
    assert len(rows) == 1
    assert rows[0].summary.claims == 0
    assert rows[0].summary.to_decision.median_days is None
    assert rows[0].summary.to_payment.within_share is None


def test_the_section_has_the_table_and_the_histogram(book: OversightBook) -> None:
    add_claims(book)
    section = service_times_section(book.db, book.scope(Audience.REGULATOR), CURRENT, "USD")
    table = section.tables[0]
    assert table.key == "service-times"
    assert table.as_dicts()[0]["decision_within"] == Decimal("0.6667")
    chart = section.charts[0]
    assert (chart.key, chart.kind.value) == ("payment-days", "histogram")
    assert chart.series[0].points[2] == ("21–30", 1)
