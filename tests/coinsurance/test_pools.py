"""Pools as data, capacity by share on pool limits, members' visibility and the leader's administration."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.coinsurance.conftest import SHARES, PoolBook, cny, new_insurer, open_pool
from tests.limits.conftest import member

from tradecover.alerts.model import Alert
from tradecover.audit.model import AuditEvent
from tradecover.coinsurance.capacity import capacity_use
from tradecover.coinsurance.model import Pool, PoolLimitTake, PoolMember
from tradecover.coinsurance.rules import apportion
from tradecover.coinsurance.service import (
    MemberPlan,
    administers,
    create_pool,
    get_pool,
    list_pools,
    pool_terms_of,
    set_member_capacity,
)
from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.declarations.model import Shipment
from tradecover.declarations.service import ShipmentDeclaration, declare_shipment
from tradecover.errors import NotFound, PermissionDenied, ValidationError
from tradecover.limits.changes import cancel_limit, cancel_limit_by_policyholder, reduce_limit
from tradecover.limits.decisions import approve_referral, get_policy, request_limit, underwriter_queue
from tradecover.limits.model import CreditLimit, LimitEvent, LimitStatus
from tradecover.limits.rules import DecidingRule
from tradecover.limits.service import regrade_buyer
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation
from tradecover.policies.model import Product
from tradecover.policies.products import update_product_terms
from tradecover.policies.service import issue_policy
from tradecover.policies.terms import terms_in_currency
from tradecover.reference.fx import fx_rate


def takes(db: Session, limit: CreditLimit) -> list[int]:
    """What the limit takes of each member, leader first (minor units)."""
    rows = db.scalars(select(PoolLimitTake).where(PoolLimitTake.limit_id == limit.id)).all()
    positions = {
        m.insurer_id: m.position
        for m in db.scalars(select(PoolMember).where(PoolMember.pool_id == limit.insurer_id))
    }
    return [row.amount_minor for row in sorted(rows, key=lambda r: positions[r.insurer_id])]


def pool_count(db: Session) -> int:
    return int(
        db.scalar(
            select(func.count()).select_from(Organisation).where(Organisation.kind == OrganisationKind.POOL)
        )
        or 0
    )


# pools as data ------------------------------------------------------------------------------------
def test_shares_not_adding_up_to_100_percent_are_refused_and_nothing_is_created(db: Session) -> None:
    a, b = new_insurer(db, "A"), new_insurer(db, "B")
    before = pool_count(db), db.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(ValidationError) as refused:
        create_pool(
            db,
            Actor.system(),
            name="Short Pool",
            country="CN",
            currency="CNY",
            leader_id=a.id,
            leader_commission=Decimal("0.05"),
            members=[MemberPlan(a.id, Decimal("0.6")), MemberPlan(b.id, Decimal("0.395"))],
        )
    assert refused.value.field == "shares"
    assert refused.value.message == "shares must add up to exactly 100%; they add up to 99.5%"
    assert (pool_count(db), db.scalar(select(func.count()).select_from(AuditEvent))) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"leader_commission": Decimal("1")}, "leader_commission"),
        ({"leader_commission": Decimal("-0.01")}, "leader_commission"),
        ({"currency": "XYZ"}, "currency"),
        ({"leader": "outsider"}, "leader_id"),
        ({"capacity": cny(-1)}, "total_capacity"),
        ({"duplicate": True}, "members"),
    ],
)
def test_bad_pool_terms_are_refused_naming_the_field(
    db: Session, change: dict[str, object], field: str
) -> None:
    a, b, c = new_insurer(db, "A"), new_insurer(db, "B"), new_insurer(db, "C")
    members = [MemberPlan(a.id, Decimal("0.5"), change.get("capacity")), MemberPlan(b.id, Decimal("0.5"))]  # type: ignore[arg-type]
    if change.get("duplicate"):
        members = [MemberPlan(a.id, Decimal("0.5")), MemberPlan(a.id, Decimal("0.5"))]
    before = pool_count(db)
    with pytest.raises(ValidationError) as refused:
        create_pool(
            db,
            Actor.system(),
            name="Bad Pool",
            country="CN",
            currency=str(change.get("currency", "CNY")),
            leader_id=c.id if change.get("leader") else a.id,
            leader_commission=change.get("leader_commission", Decimal("0.05")),  # type: ignore[arg-type]
            members=members,
        )
    assert refused.value.field == field
    assert pool_count(db) == before


def test_a_policyholder_cannot_be_a_member_and_only_the_operator_creates_pools(
    db: Session, pool_book: PoolBook
) -> None:
    exporter_id = pool_book.exporter.organisation_id
    assert exporter_id is not None
    with pytest.raises(ValidationError, match="not an insurer"):
        create_pool(
            db,
            Actor.system(),
            name="Odd Pool",
            country="CN",
            currency="CNY",
            leader_id=pool_book.leader.id,
            leader_commission=Decimal("0.05"),
            members=[
                MemberPlan(pool_book.leader.id, Decimal("0.5")),
                MemberPlan(exporter_id, Decimal("0.5")),
            ],
        )
    with pytest.raises(PermissionDenied):
        create_pool(
            db,
            pool_book.leader.admin,
            name="Own Pool",
            country="CN",
            currency="CNY",
            leader_id=pool_book.leader.id,
            leader_commission=Decimal("0.05"),
            members=[MemberPlan(pool_book.leader.id, Decimal("1"))],
        )


def test_the_pools_terms_list_the_leader_first_then_the_pools_order(db: Session, pool_book: PoolBook) -> None:
    terms = pool_terms_of(db, pool_book.pool.id)
    assert terms is not None
    assert terms.leader_id == pool_book.leader.id
    assert terms.leader_commission == Decimal("0.05")
    assert [(m.insurer_id, m.share, m.position) for m in terms.members] == [
        (i.id, s, n) for n, (i, s) in enumerate(zip(pool_book.members, SHARES, strict=True))
    ]
    assert pool_terms_of(db, pool_book.leader.id) is None
    assert (
        "pool.created"
        in db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(pool_book.pool.id))).all()
    )


def test_pool_terms_are_read_in_a_policyholders_session(db: Session, pool_book: PoolBook) -> None:
    set_tenant(db, pool_book.exporter.tenant)
    try:
        terms = pool_terms_of(db, pool_book.pool.id)
    finally:
        set_tenant(db, Tenant.unrestricted())
    assert terms is not None
    assert len(terms.members) == 3


def test_a_member_sets_its_own_capacity_and_no_other(db: Session, pool_book: PoolBook) -> None:
    ping_an = pool_book.members[1]
    row = set_member_capacity(
        db, ping_an.admin, pool_book.pool.id, ping_an.id, total=cny(5_000_000), per_buyer=cny(400_000)
    )
    assert row.total_capacity == cny(5_000_000)
    assert row.per_buyer_capacity == cny(400_000)
    with pytest.raises(PermissionDenied):
        set_member_capacity(db, pool_book.leader.admin, pool_book.pool.id, ping_an.id, total=cny(1))
    with pytest.raises(ValidationError) as refused:
        set_member_capacity(db, ping_an.admin, pool_book.pool.id, ping_an.id, total=cny(-1))
    assert refused.value.field == "total"
    with pytest.raises(ValidationError) as refused:
        set_member_capacity(db, ping_an.admin, pool_book.pool.id, ping_an.id, total=Money.of(1, "USD"))
    assert refused.value.field == "total"


# capacity by share --------------------------------------------------------------------------------
def test_a_limit_on_a_pool_policy_takes_each_members_capacity_by_share(
    db: Session, pool_book: PoolBook
) -> None:
    limit = request_limit(db, pool_book.exporter, pool_book.policy.id, pool_book.buyer.id, cny("1000000.01"))
    assert limit.status is LimitStatus.APPROVED
    assert takes(db, limit) == [40_000_001, 35_000_000, 25_000_000]
    used = capacity_use(db, pool_book.pool.id)
    assert [u.used for u in used] == [cny("400000.01"), cny(350_000), cny(250_000)]
    assert used[0].left == cny("99600000") - cny("0.01")


def test_a_member_short_of_buyer_capacity_partly_approves_and_is_named(db: Session) -> None:
    book = open_pool(db, per_buyer=(None, cny(350_000), None))
    limit = request_limit(db, book.exporter, book.policy.id, book.buyer.id, cny(2_000_000))
    assert limit.status is LimitStatus.PARTLY_APPROVED
    # 1,000,000.01 × 35% = 350,000.0035: Ping An's part is 350,000.00 (the odd fen goes to the leader).
    assert limit.amount == cny("1000000.01")
    assert limit.rule is DecidingRule.CAPACITY
    ping_an = book.members[1].name
    assert limit.reason == (
        f"partly approved: CNY 1,000,000.01 of 2,000,000 — {ping_an}'s share of the pool has "
        f"CNY 350,000 left for buyer {book.buyer.name}"
    )
    assert takes(db, limit) == [40_000_001, 35_000_000, 25_000_000]


def test_a_member_with_no_capacity_left_declines_the_request_naming_it(db: Session) -> None:
    book = open_pool(db, total=cny(1_000_000))
    cpic = book.members[2]
    set_member_capacity(db, cpic.admin, book.pool.id, cpic.id, total=cny(0))
    limit = request_limit(db, book.exporter, book.policy.id, book.buyer.id, cny(100_000))
    assert limit.status is LimitStatus.DECLINED
    assert limit.rule is DecidingRule.CAPACITY_EXHAUSTED
    assert limit.reason == f"declined: {cpic.name}'s share of the pool has CNY 0 left in total"
    assert takes(db, limit) == []


def test_reducing_and_cancelling_give_back_exactly_what_was_taken(db: Session, pool_book: PoolBook) -> None:
    limit = request_limit(db, pool_book.exporter, pool_book.policy.id, pool_book.buyer.id, cny(1_000_000))
    reduce_limit(db, pool_book.leader.underwriter, limit.id, cny("600000.03"), reason="buyer slowing")
    assert takes(db, limit) == [24_000_001, 21_000_001, 15_000_001]
    cancel_limit(db, pool_book.leader.underwriter, limit.id, reason="buyer stopped")
    assert takes(db, limit) == [0, 0, 0]
    assert all(u.used.is_zero for u in capacity_use(db, pool_book.pool.id))


def test_the_policyholder_giving_up_a_limit_frees_the_members_capacity(
    db: Session, pool_book: PoolBook
) -> None:
    limit = request_limit(db, pool_book.exporter, pool_book.policy.id, pool_book.buyer.id, cny(500_000))
    cancel_limit_by_policyholder(db, pool_book.exporter, limit.id)
    assert sum(takes(db, limit)) == 0


def test_an_approved_referral_takes_the_members_capacity_too(db: Session) -> None:
    book = open_pool(db, per_buyer=(cny(1_000_000), None, None))
    # Above the instant band (USD 500,000): referred, then the leader's underwriter approves.
    limit = request_limit(db, book.exporter, book.policy.id, book.buyer.id, cny(5_000_000))
    assert limit.status is LimitStatus.REFERRED
    assert limit in underwriter_queue(db, book.leader.underwriter)
    with pytest.raises(PermissionDenied):
        approve_referral(db, book.members[1].underwriter, limit.id)
    approve_referral(db, book.leader.underwriter, limit.id)
    assert limit.status is LimitStatus.PARTLY_APPROVED
    assert limit.amount == cny(2_500_000)
    assert "for buyer" in (limit.reason or "")
    assert book.leader.name in (limit.reason or "")
    assert takes(db, limit) == [100_000_000, 87_500_000, 62_500_000]


# visibility and administration ---------------------------------------------------------------------
def test_members_see_the_pool_policy_and_limits_and_outsiders_see_nothing(
    db: Session, pool_book: PoolBook
) -> None:
    limit = request_limit(db, pool_book.exporter, pool_book.policy.id, pool_book.buyer.id, cny(100_000))
    today = dt.date(2026, 6, 15)
    shipment = declare_shipment(
        db,
        pool_book.exporter,
        pool_book.policy.id,
        ShipmentDeclaration(pool_book.buyer.id, "INV-1", cny(50_000), today, today + dt.timedelta(days=60)),
    )
    db.expunge_all()
    for insurer in pool_book.members:
        set_tenant(db, insurer.underwriter.tenant)
        assert get_policy(db, pool_book.policy.id).id == pool_book.policy.id
        assert db.scalar(select(CreditLimit.id).where(CreditLimit.id == limit.id)) == limit.id
        assert db.scalar(select(Product.id).where(Product.insurer_id == pool_book.pool.id)) is not None
        assert db.scalar(select(Shipment.id).where(Shipment.id == shipment.id)) == shipment.id
        assert db.scalar(select(LimitEvent.id).where(LimitEvent.limit_id == limit.id)) is not None
        assert get_pool(db, insurer.underwriter, pool_book.pool.id).name == pool_book.pool.name
        assert [p.id for p in list_pools(db, insurer.underwriter)] == [pool_book.pool.id]
        db.expunge_all()
    set_tenant(db, pool_book.outsider.underwriter.tenant)
    try:
        with pytest.raises(NotFound):
            get_policy(db, pool_book.policy.id)
        with pytest.raises(NotFound):
            get_pool(db, pool_book.outsider.underwriter, pool_book.pool.id)
        assert db.scalar(select(CreditLimit.id).where(CreditLimit.id == limit.id)) is None
        assert db.scalar(select(Shipment.id).where(Shipment.id == shipment.id)) is None
        assert db.scalar(select(PoolMember.id).where(PoolMember.pool_id == pool_book.pool.id)) is None
        assert db.scalar(select(Pool.id)) is None
        assert list_pools(db, pool_book.outsider.underwriter) == []
    finally:
        set_tenant(db, Tenant.unrestricted())


def test_only_the_leader_administers_the_pools_limits_and_products(db: Session, pool_book: PoolBook) -> None:
    limit = request_limit(db, pool_book.exporter, pool_book.policy.id, pool_book.buyer.id, cny(100_000))
    follower = pool_book.members[2]
    assert administers(db, pool_book.leader.id, pool_book.pool.id)
    assert not administers(db, follower.id, pool_book.pool.id)
    with pytest.raises(PermissionDenied):
        reduce_limit(db, follower.underwriter, limit.id, cny(50_000), reason="no")
    with pytest.raises(PermissionDenied):
        cancel_limit(db, follower.underwriter, limit.id, reason="no")
    product = db.scalars(select(Product).where(Product.insurer_id == pool_book.pool.id)).one()
    with pytest.raises(PermissionDenied):
        update_product_terms(db, follower.admin, product.id, terms=product.terms)
    update_product_terms(
        db, pool_book.leader.admin, product.id, terms=product.terms, name="Pool domestic cover"
    )
    assert limit not in underwriter_queue(db, follower.underwriter)


def test_a_pool_organisation_has_no_users_of_its_own(db: Session, pool_book: PoolBook) -> None:
    with pytest.raises(ValidationError):
        member(db, pool_book.pool.id, Role.UNDERWRITER)
    assert dt.date(2025, 6, 12) == pool_book.pool.pool.starts_on


def test_a_pool_organisation_is_not_created_without_its_members_and_shares(db: Session) -> None:
    with pytest.raises(ValidationError) as refused:
        create_organisation(db, Actor.system(), name="Bare Pool", kind=OrganisationKind.POOL, country="CN")
    assert refused.value.field == "kind"


def test_a_regraded_buyer_alerts_every_member_of_a_pool_holding_a_limit_on_it(
    db: Session, pool_book: PoolBook
) -> None:
    request_limit(db, pool_book.exporter, pool_book.policy.id, pool_book.buyer.id, cny(100_000))
    regrade_buyer(db, Actor.system(), pool_book.buyer.id, grade=6, reason="late filings")
    alerted = set(
        db.scalars(select(Alert.organisation_id).where(Alert.subject_id == str(pool_book.buyer.id)))
    )
    assert {m.id for m in pool_book.members} <= alerted
    assert pool_book.outsider.id not in alerted


def test_a_limit_in_another_currency_takes_the_members_capacity_at_the_reference_rate(
    db: Session, pool_book: PoolBook
) -> None:
    product = db.scalars(select(Product).where(Product.insurer_id == pool_book.pool.id)).one()
    today = dt.date(2026, 6, 15)
    rate = fx_rate("CNY", "USD", today)
    policy = issue_policy(
        db,
        pool_book.leader.admin,
        product=product,
        policyholder_id=pool_book.policy.policyholder_id,
        terms=terms_in_currency(product.terms, "USD", rate),
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        rate_table_id=None,
    )
    limit = request_limit(db, pool_book.exporter, policy.id, pool_book.buyer.id, Money.of("100000.00", "USD"))
    assert limit.status is LimitStatus.APPROVED
    in_cny = Money.rounded(Decimal("100000.00") * fx_rate("USD", "CNY", today), "CNY")
    terms = pool_terms_of(db, pool_book.pool.id)
    assert terms is not None
    assert takes(db, limit) == [part.minor_units for part in apportion(in_cny, terms.members)]
    reduce_limit(db, pool_book.leader.underwriter, limit.id, Money.of("40000.00", "USD"), reason="cut")
    smaller = Money.rounded(Decimal("40000.00") * fx_rate("USD", "CNY", today), "CNY")
    assert takes(db, limit) == [part.minor_units for part in apportion(smaller, terms.members)]
