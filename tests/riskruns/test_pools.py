"""Pool books: each member holds its share of a pool limit; members run their share, outsiders find none."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session
from tests.coinsurance.conftest import SHARES, open_pool

from tradecover.clock import get_clock
from tradecover.errors import NotFound
from tradecover.limits.decisions import request_limit
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.reference.fx import fx_rate
from tradecover.riskruns.book import Scope, load_book
from tradecover.riskruns.model import Dimension, ScopeKind
from tradecover.riskruns.service import RunRequest, start_risk_run


def test_members_hold_their_shares_of_a_pool_limit_and_run_their_share(db: Session) -> None:
    book = open_pool(db)
    limit = request_limit(db, book.exporter, book.policy.id, book.buyer.id, Money.of("1000000", "CNY"))
    assert limit.amount_minor == 100_000_000, limit.reason
    today = get_clock().today()
    rate = fx_rate("CNY", "USD", today)
    expected = [Money.rounded(Decimal(1_000_000) * share * rate, "USD").minor_units for share in SHARES]
    for insurer, minor in zip(book.members, expected, strict=True):
        own = load_book(db, Scope(ScopeKind.INSURER, insurer.id), today)
        assert own.total_exposure_minor == minor
        assert own.part_insurer.tolist() == [str(insurer.id)]
    whole = load_book(db, Scope(ScopeKind.POOL, book.pool.id), today)
    assert whole.total_exposure_minor == sum(expected)
    assert sorted(whole.part_insurer.tolist()) == sorted(str(i.id) for i in book.members)
    run = start_risk_run(db, book.members[1].underwriter, RunRequest(Scope(ScopeKind.POOL, book.pool.id)))
    assert run.exposure_minor == expected[1]
    assert run.scope_label.endswith("(our share)")
    insurers = [c for c in run.contributions if c.dimension is Dimension.INSURER]
    assert [c.key for c in insurers] == [str(book.members[1].id)]
    whole_run = start_risk_run(db, Actor.system(), RunRequest(Scope(ScopeKind.POOL, book.pool.id)))
    assert whole_run.exposure_minor == sum(expected)
    with pytest.raises(NotFound):
        start_risk_run(db, book.outsider.underwriter, RunRequest(Scope(ScopeKind.POOL, book.pool.id)))
