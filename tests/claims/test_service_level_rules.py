"""Claim service times: median, 90th percentile (nearest rank) and the share within the service level."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tradecover.claims.rules.service_levels import ClaimTimes, median, percentile, summarise

D = dt.date
FILED = D(2026, 3, 2)


def claim(
    documents: int | None = None,
    decided: int | None = None,
    decision_due: int | None = None,
    paid: int | None = None,
    payment_due: int | None = None,
) -> ClaimTimes:
    """A claim filed on FILED with its other dates given as days after filing."""

    def day(offset: int | None) -> dt.date | None:
        return None if offset is None else FILED + dt.timedelta(days=offset)

    return ClaimTimes(FILED, day(documents), day(decision_due), day(decided), day(payment_due), day(paid))


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], None), ([7], Decimal(7)), ([9, 1, 4], Decimal(4)), ([1, 2, 3, 10], Decimal("2.5"))],
)
def test_median(values: list[int], expected: Decimal | None) -> None:
    assert median(values) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], None), ([5], 5), (list(range(1, 11)), 9), (list(range(1, 12)), 10), ([3, 1, 2], 3)],
)
def test_nearest_rank_90th_percentile(values: list[int], expected: int | None) -> None:
    assert percentile(values, Decimal("0.9")) == expected


def test_summary_over_claims() -> None:
    claims = [
        claim(documents=3, decided=20, decision_due=33, paid=23, payment_due=27),
        claim(documents=5, decided=40, decision_due=35, paid=47, payment_due=44),
        claim(documents=10, decided=30, decision_due=40),
        claim(documents=2),
        claim(),
    ]
    summary = summarise(claims)
    assert summary.claims == 5
    assert (summary.to_documents.count, summary.to_documents.median_days) == (4, Decimal(4))
    assert summary.to_documents.within is None
    assert summary.to_documents.within_share is None
    decision = summary.to_decision
    assert (decision.count, decision.median_days, decision.p90_days, decision.within) == (
        3,
        Decimal(30),
        40,
        2,
    )
    assert decision.within_share == Decimal("0.6667")
    payment = summary.to_payment
    assert (payment.count, payment.median_days, payment.p90_days, payment.within) == (2, Decimal(35), 47, 1)
    assert payment.within_share == Decimal("0.5000")
    assert decision.breached_open is None
    assert summary.to_json()["to_payment"]["within_share"] == "0.5000"


def test_open_claims_past_their_deadline_count_as_breached() -> None:
    claims = [
        claim(documents=1, decision_due=31),
        claim(documents=1, decision_due=60),
        claim(documents=1, decided=10, decision_due=31, payment_due=15),
    ]
    summary = summarise(claims, as_of=FILED + dt.timedelta(days=40))
    assert summary.to_decision.breached_open == 1
    assert summary.to_payment.breached_open == 1
    assert summary.to_payment.count == 0
    assert summary.to_payment.within_share is None
