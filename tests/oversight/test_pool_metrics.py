"""Pool metrics: capacity and use per pool and member, and an insurer's part of each pool's business.

The book's Domestic Pool (CNY; Alpha 60% leading, Gamma 40%) gets capacities of CNY 6,000,000 and
4,000,000, and its limit L3 on P3 takes CNY 240,000 of Alpha and 160,000 of Gamma: 4% used. An Export
Pool (USD; Beta 50% leading, Gamma 50%, USD 1,000,000 each) takes nothing. With the claims of
`test_claims_metrics`, the pool's claim K4 (EUR 7,200) is paid by Alpha (4,320, 2026-02-05) and here by
Gamma (2,880, 2026-02-20). The pool's insured turnover in CURRENT is D-1, EUR 10,000.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import select
from tests.oversight.book import CURRENT, OversightBook
from tests.oversight.test_claims_metrics import add_claims, pay

from tradecover.coinsurance.model import PoolLimitTake, PoolMember
from tradecover.coinsurance.service import MemberPlan, create_pool
from tradecover.limits.model import CreditLimit
from tradecover.money import Money
from tradecover.oversight.pools import pool_report
from tradecover.oversight.scope import Audience
from tradecover.oversight.sections_book import pool_section
from tradecover.parties.actor import Actor
from tradecover.reference.fx import convert

D = dt.date


def add_pools(book: OversightBook) -> uuid.UUID:
    """Capacities, L3's takes, the Export Pool and Gamma's payment of K4; returns the Export Pool's id."""
    db = book.db
    for member in db.scalars(select(PoolMember).where(PoolMember.pool_id == book.pool)):
        member.total_capacity_minor = Money.of(
            6_000_000 if member.insurer_id == book.alpha else 4_000_000, "CNY"
        ).minor_units
    limit = db.scalars(select(CreditLimit).where(CreditLimit.policy_id == book.policies["P3"].id)).one()
    for insurer, amount in ((book.alpha, 240_000), (book.gamma, 160_000)):
        db.add(
            PoolLimitTake(
                limit_id=limit.id, pool_id=book.pool, insurer_id=insurer, buyer_id=limit.buyer_id,
                country="DE", currency="CNY", fx_rate=Decimal("7.8"),
                amount_minor=Money.of(amount, "CNY").minor_units,
            )
        )  # fmt: skip
    export = create_pool(
        db, Actor.system(), name=f"Export Pool {uuid.uuid4().hex[:6]}", country="CN", currency="USD",
        leader_id=book.beta, leader_commission=Decimal("0.05"),
        members=[
            MemberPlan(book.beta, Decimal("0.5"), total_capacity=Money.of(1_000_000, "USD")),
            MemberPlan(book.gamma, Decimal("0.5"), total_capacity=Money.of(1_000_000, "USD")),
        ],
    ).id  # fmt: skip
    claims = add_claims(book)
    pay(db, claims.by_name["K4"], book.gamma, D(2026, 2, 20))
    db.flush()
    return export


def _cny(amount: str, code: str, on: dt.date) -> Decimal:
    return convert(Money.of(amount, code), "CNY", on).amount


def test_the_market_sees_every_pool_its_capacity_and_use(book: OversightBook) -> None:
    export = add_pools(book)
    report = pool_report(book.db, book.scope(Audience.REGULATOR), CURRENT, "CNY")
    pools = {p.pool_id: p for p in report.pools}
    domestic = pools[book.pool]
    assert (domestic.members, domestic.capacity, domestic.used, domestic.use) == (
        2, Decimal(10_000_000), Decimal(400_000), Decimal("0.04"),
    )  # fmt: skip
    assert (domestic.own_share, domestic.own_turnover, domestic.own_claims_paid) == (None, None, None)
    assert pools[export].capacity == _cny("2000000", "USD", D(2026, 2, 1))
    assert (pools[export].used, pools[export].use) == (0, 0)
    members = [
        (m.member.split()[0], m.leader, m.share, m.used) for m in report.members if m.pool == domestic.name
    ]
    assert members == [
        ("Alpha", True, Decimal("0.60"), Decimal(240_000)),
        ("Gamma", False, Decimal("0.40"), Decimal(160_000)),
    ]


def test_an_insurer_sees_its_pools_and_its_part_of_their_business(book: OversightBook) -> None:
    export = add_pools(book)
    gamma = {
        p.pool_id: p
        for p in pool_report(book.db, book.scope(Audience.INSURER, book.gamma), CURRENT, "CNY").pools
    }
    assert set(gamma) == {book.pool, export}
    domestic = gamma[book.pool]
    assert domestic.own_share == Decimal("0.40")
    assert domestic.own_turnover == (_cny("10000", "EUR", D(2025, 12, 1)) * Decimal("0.40")).quantize(
        Decimal("0.01")
    )
    assert domestic.own_claims_paid == _cny("2880", "EUR", D(2026, 2, 1))
    assert (gamma[export].own_turnover, gamma[export].own_claims_paid) == (0, 0)
    alpha = pool_report(book.db, book.scope(Audience.INSURER, book.alpha), CURRENT, "CNY").pools
    assert [(p.pool_id, p.own_claims_paid) for p in alpha] == [
        (book.pool, _cny("4320", "EUR", D(2026, 2, 1)))
    ]
    assert pool_report(book.db, book.scope(Audience.BANK, book.bank), CURRENT, "CNY").pools == ()


def test_the_section_shows_the_insurers_columns_only_to_an_insurer(book: OversightBook) -> None:
    add_pools(book)
    market = pool_section(book.db, book.scope(Audience.REGULATOR), CURRENT, "CNY")
    assert [c.key for c in market.tables[0].columns] == ["pool", "members", "capacity", "used", "use"]
    own = pool_section(book.db, book.scope(Audience.INSURER, book.alpha), CURRENT, "CNY")
    assert own.tables[0].columns[-1].key == "own_claims_paid"
    figures = {f.key: f.value for f in own.figures}
    assert (figures["pool-capacity"], figures["pool-used"], figures["pool-use"]) == (
        Decimal(10_000_000), Decimal(400_000), Decimal("0.04"),
    )  # fmt: skip
    empty = pool_section(book.db, book.scope(Audience.PROGRAMME, book.bureau), CURRENT, "CNY")
    assert empty.note == "No coinsurance pool in this view."
    assert {f.key: f.value for f in empty.figures}["pool-use"] is None
