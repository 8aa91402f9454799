"""The demo world's plan: deterministic for a seed, and shaped like the book the issue describes."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from tradecover.buyers.model import BuyerKind
from tradecover.buyers.rules import normalise_registration_number
from tradecover.demo.catalogue import demo_users
from tradecover.demo.exporters import SUBSIDY_EXPORT_LINE
from tradecover.demo.shares import split_by_weight
from tradecover.demo.world import DemoWorldPlan, plan_demo_world
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.reference.countries import get_country
from tradecover.reference.sectors import get_sector


@pytest.fixture(scope="module")
def default_world() -> DemoWorldPlan:
    return plan_demo_world()


def test_the_same_seed_plans_the_same_world() -> None:
    assert plan_demo_world(7, buyers=300, policyholders=12) == plan_demo_world(
        7, buyers=300, policyholders=12
    )


def test_another_seed_plans_another_world() -> None:
    first, second = (
        plan_demo_world(7, buyers=300, policyholders=12),
        plan_demo_world(8, buyers=300, policyholders=12),
    )
    assert first.buyers != second.buyers
    assert first.policyholders != second.policyholders


def test_the_policyholders_do_not_change_with_the_number_of_buyers() -> None:
    assert plan_demo_world(3, buyers=10).policyholders == plan_demo_world(3, buyers=500).policyholders


def test_the_default_world_has_the_institutions_of_the_issue(default_world: DemoWorldPlan) -> None:
    kinds = Counter(institution.kind for institution in default_world.institutions)
    assert kinds == {
        OrganisationKind.INSURER: 4,
        OrganisationKind.BANK: 1,
        OrganisationKind.PROGRAMME_BODY: 2,
        OrganisationKind.REGULATOR: 1,
        OrganisationKind.PLATFORM_OPERATOR: 1,
    }
    regions = {i.region for i in default_world.institutions if i.kind is OrganisationKind.PROGRAMME_BODY}
    assert regions == {"Yiwu", "Shenzhen"}
    assert all("(demo)" in institution.name for institution in default_world.institutions)


def test_there_is_one_demo_sign_in_per_role() -> None:
    assert sorted(user.sign_in_for for user in demo_users() if user.sign_in_for) == sorted(Role)


def test_the_default_policyholders_straddle_the_usd_8m_line(default_world: DemoWorldPlan) -> None:
    policyholders = default_world.policyholders
    assert len(policyholders) == 40
    exports = [p.prior_year_exports for p in policyholders]
    assert all(e.currency == "USD" for e in exports)
    below = [e for e in exports if e.is_positive and e < SUBSIDY_EXPORT_LINE]
    above = [e for e in exports if e > SUBSIDY_EXPORT_LINE]
    near = [e for e in exports if abs(e.amount - SUBSIDY_EXPORT_LINE.amount) <= Decimal(50_000)]
    assert len(below) >= 10
    assert len(above) >= 8
    assert SUBSIDY_EXPORT_LINE in exports
    assert len(near) >= 3
    assert sum(1 for p in policyholders if p.is_domestic_seller) >= 3
    assert {True, False} == {p.is_sme for p in policyholders}


def test_the_default_policyholders_are_in_yiwu_shenzhen_and_elsewhere(default_world: DemoWorldPlan) -> None:
    cities = Counter(p.city for p in default_world.policyholders)
    assert cities["Yiwu"] >= 10
    assert cities["Shenzhen"] >= 8
    assert len(set(cities) - {"Yiwu", "Shenzhen"}) >= 5
    assert len({p.name for p in default_world.policyholders}) == 40
    assert len({p.registration_number for p in default_world.policyholders}) == 40
    for policyholder in default_world.policyholders:
        get_sector(policyholder.sector)


def test_the_first_policyholder_is_a_yiwu_sme_exporter_below_the_line() -> None:
    for seed in range(5):
        for count in (1, 2, 5, 40):
            flagship = plan_demo_world(seed, buyers=0, policyholders=count).policyholders[0]
            assert flagship.city == "Yiwu"
            assert flagship.is_sme
            assert flagship.prior_year_exports.is_positive
            assert flagship.prior_year_exports < SUBSIDY_EXPORT_LINE


def test_a_small_world_still_has_both_sides_of_the_line_and_shenzhen() -> None:
    policyholders = plan_demo_world(11, buyers=50, policyholders=5).policyholders
    exports = [p.prior_year_exports for p in policyholders]
    assert any(e.is_positive and e < SUBSIDY_EXPORT_LINE for e in exports)
    assert any(e > SUBSIDY_EXPORT_LINE for e in exports)
    assert SUBSIDY_EXPORT_LINE in exports
    assert any(p.is_domestic_seller for p in policyholders)
    assert "Shenzhen" in {p.city for p in policyholders}


def test_the_default_buyers_span_the_markets_of_the_issue(default_world: DemoWorldPlan) -> None:
    buyers = default_world.buyers
    assert len(buyers) == 2000
    regions = Counter(get_country(b.country).region for b in buyers)
    assert regions["north_america"] >= 300
    assert regions["eu"] >= 300
    assert regions["asean"] >= 250
    assert regions["china"] >= 300
    assert sum(regions.values()) - sum(regions[r] for r in ("north_america", "eu", "asean", "china")) >= 100


def test_chinese_public_bodies_are_among_the_buyers(default_world: DemoWorldPlan) -> None:
    kinds = Counter(b.kind for b in default_world.buyers if b.country == "CN")
    assert kinds[BuyerKind.LOCAL_GOVERNMENT] >= 30
    assert kinds[BuyerKind.STATE_OWNED_ENTERPRISE] >= 30
    local = [b for b in default_world.buyers if b.kind is BuyerKind.LOCAL_GOVERNMENT]
    assert all(b.sector == "public_sector" and b.annual_sales is None for b in local)
    assert all(b.registration_number.startswith("11") for b in local)


def test_the_grade_mix_is_realistic(default_world: DemoWorldPlan) -> None:
    grades = Counter(b.grade for b in default_world.buyers)
    total = sum(grades.values())
    assert sum(grades[g] for g in (3, 4, 5, 6)) > 0.6 * total
    assert 0 < grades[1] + grades[2] < 0.1 * total
    assert 0 < grades[8] + grades[9] < 0.1 * total
    assert 1 <= grades[10] <= 0.01 * total


def test_the_buyers_cover_many_sectors_and_known_ones(default_world: DemoWorldPlan) -> None:
    sectors = Counter(b.sector for b in default_world.buyers)
    assert len(sectors) >= 12
    assert max(sectors.values()) < 0.3 * len(default_world.buyers)
    for sector in sectors:
        get_sector(sector)


def test_buyer_sizes_are_heavy_tailed(default_world: DemoWorldPlan) -> None:
    sales = sorted(b.annual_sales.amount for b in default_world.buyers if b.annual_sales is not None)
    median = sales[len(sales) // 2]
    assert sales[-1] > 50 * median
    top_tenth = sum(sales[-len(sales) // 10 :])
    assert top_tenth > Decimal("0.5") * sum(sales)


def test_buyer_registration_numbers_are_unique_per_country_and_well_formed(
    default_world: DemoWorldPlan,
) -> None:
    keys = [(b.country, b.registration_number) for b in default_world.buyers]
    assert len(set(keys)) == len(keys)
    for _, number in keys:
        assert normalise_registration_number(number) == number


def test_splitting_by_weight_adds_up_exactly() -> None:
    assert split_by_weight(10, [1, 1, 1]) == [4, 3, 3]
    assert split_by_weight(0, [5, 2]) == [0, 0]
    assert sum(split_by_weight(2000, [240, 60, 7, 3])) == 2000
