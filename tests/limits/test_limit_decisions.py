"""Requesting limits and deciding them: instant decisions, referrals, two approvals, capacity, appetite."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.limits.conftest import TODAY, Book, issue_export_policy, member, new_buyer, open_book, usd

from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.errors import BusinessRuleViolation, Conflict, NotFound, PermissionDenied, ValidationError
from tradecover.limits.capacity import capacities_of, set_appetite, set_capacity
from tradecover.limits.decisions import approve_referral, decline_referral, request_limit, underwriter_queue
from tradecover.limits.history import limit_history
from tradecover.limits.model import Capacity, CreditLimit, LimitEventKind, LimitStatus
from tradecover.limits.rules import DecidingRule
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation


def test_a_request_within_the_rules_is_approved_at_once_with_a_review_date_a_year_on(
    db: Session, book: Book
) -> None:
    limit = request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(200_000))
    assert limit.status is LimitStatus.APPROVED
    assert limit.amount == usd(200_000)
    assert limit.rule is DecidingRule.WITHIN_RULES
    assert limit.reason == "approved: USD 200,000"
    assert (limit.decided_on, limit.review_on) == (TODAY, dt.date(2027, 6, 15))
    assert [e.kind for e in limit_history(db, limit.id)] == [
        LimitEventKind.REQUESTED,
        LimitEventKind.APPROVED,
    ]


def test_a_buyer_graded_beyond_the_products_maximum_is_declined_with_the_rule_and_reason(
    db: Session, book: Book
) -> None:
    risky = new_buyer(db, grade=9)
    limit = request_limit(db, book.exporter, book.policy.id, risky.id, usd(50_000))
    assert limit.status is LimitStatus.DECLINED
    assert limit.rule is DecidingRule.BUYER_GRADE
    assert limit.reason == "declined: buyer grade 9 exceeds the product's maximum grade 8"
    assert limit.amount.is_zero
    assert limit.bars_dcl
    again = request_limit(db, book.exporter, book.policy.id, risky.id, usd(10_000))
    assert again.status is LimitStatus.DECLINED


def test_a_domestic_buyer_on_an_export_policy_is_declined(db: Session, book: Book) -> None:
    chinese = new_buyer(db, country="CN")
    limit = request_limit(db, book.exporter, book.policy.id, chinese.id, usd(50_000))
    assert limit.rule is DecidingRule.BUYER_SCOPE


def test_a_second_live_request_on_the_same_buyer_and_policy_is_a_conflict(db: Session, book: Book) -> None:
    request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(100_000))
    with pytest.raises(Conflict):
        request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(100_000))


@pytest.mark.parametrize("amount", [Money.of(0, "USD"), Money.of(-10, "USD"), Money.of(1000, "EUR")])
def test_a_zero_negative_or_foreign_currency_amount_is_refused(
    db: Session, book: Book, amount: Money
) -> None:
    with pytest.raises(ValidationError) as refused:
        request_limit(db, book.exporter, book.policy.id, book.buyer.id, amount)
    assert refused.value.field == "amount"
    assert db.scalars(select(CreditLimit)).first() is None


def test_only_the_insured_of_the_policy_requests_limits_on_it(db: Session, book: Book) -> None:
    with pytest.raises(PermissionDenied):
        request_limit(db, book.underwriter, book.policy.id, book.buyer.id, usd(10_000))
    other = open_book(db)
    set_tenant(db, other.exporter.tenant)
    with pytest.raises(NotFound):
        request_limit(db, other.exporter, book.policy.id, book.buyer.id, usd(10_000))
    set_tenant(db, Tenant.unrestricted())


def test_a_request_above_the_instant_band_goes_to_the_underwriters_queue_and_is_approved(
    db: Session, book: Book
) -> None:
    limit = request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(800_000))
    assert (limit.status, limit.rule, limit.two_approvals_needed) == (
        LimitStatus.REFERRED,
        DecidingRule.AMOUNT_BAND,
        False,
    )
    assert limit.reason == "referred: the request (USD 800,000) is above the instant band of USD 500,000"
    assert [x.id for x in underwriter_queue(db, book.underwriter)] == [limit.id]
    approve_referral(db, book.underwriter, limit.id)
    assert limit.status is LimitStatus.APPROVED
    assert limit.amount == usd(800_000)
    assert limit.decided_by_user_id == book.underwriter.user_id
    assert underwriter_queue(db, book.underwriter) == []


def test_an_underwriter_may_approve_a_lower_amount_which_is_a_partial_approval(
    db: Session, book: Book
) -> None:
    limit = request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(800_000))
    approve_referral(db, book.underwriter, limit.id, amount=usd(600_000), note="trade references thin")
    assert limit.status is LimitStatus.PARTLY_APPROVED
    assert limit.amount == usd(600_000)
    assert limit.reason == (
        "partly approved by the underwriter: USD 600,000 of USD 800,000 (trade references thin)"
    )


def test_a_very_large_limit_needs_a_second_approver_who_is_not_the_first(db: Session, book: Book) -> None:
    limit = request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(1_500_000))
    assert limit.two_approvals_needed
    approve_referral(db, book.underwriter, limit.id)
    assert limit.status is LimitStatus.REFERRED
    assert limit.first_approver_user_id == book.underwriter.user_id
    with pytest.raises(BusinessRuleViolation, match="different underwriter"):
        approve_referral(db, book.underwriter, limit.id)
    approve_referral(db, book.second_underwriter, limit.id)
    assert limit.status is LimitStatus.APPROVED
    kinds = [e.kind for e in limit_history(db, limit.id)]
    assert kinds == [
        LimitEventKind.REQUESTED,
        LimitEventKind.REFERRED,
        LimitEventKind.FIRST_APPROVAL,
        LimitEventKind.APPROVED,
    ]


def test_a_declined_referral_says_why_and_leaves_the_queue(db: Session, book: Book) -> None:
    limit = request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(900_000))
    with pytest.raises(ValidationError):
        decline_referral(db, book.underwriter, limit.id, reason="  ")
    decline_referral(db, book.underwriter, limit.id, reason="accounts overdue at the registry")
    assert limit.status is LimitStatus.DECLINED
    assert limit.reason == "declined by the underwriter: accounts overdue at the registry"
    assert limit.bars_dcl
    with pytest.raises(BusinessRuleViolation):
        approve_referral(db, book.underwriter, limit.id)


def test_a_policyholder_cannot_decide_a_referral_and_another_insurer_cannot_see_it(
    db: Session, book: Book
) -> None:
    limit = request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(900_000))
    with pytest.raises(PermissionDenied):
        approve_referral(db, book.exporter, limit.id)
    other = open_book(db)
    set_tenant(db, other.underwriter.tenant)
    with pytest.raises(NotFound):
        approve_referral(db, other.underwriter, limit.id)
    assert underwriter_queue(db, other.underwriter) == []
    set_tenant(db, Tenant.unrestricted())


def test_a_request_over_the_country_capacity_left_is_partly_approved_and_capacity_is_taken(
    db: Session, book: Book
) -> None:
    set_capacity(db, book.insurer_admin, book.insurer_id, "total", "", usd(10_000_000))
    set_capacity(db, book.insurer_admin, book.insurer_id, "country", "us", usd(300_000))
    limit = request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(450_000))
    assert limit.status is LimitStatus.PARTLY_APPROVED
    assert limit.reason == "partly approved: USD 300,000 of 450,000 — country capacity for US left"
    committed = {(c.scope.value, c.key): c.committed_usd for c in capacities_of(db, book.insurer_id)}
    assert committed == {("total", ""): usd(300_000), ("country", "US"): usd(300_000)}
    other = request_limit(db, book.exporter, book.policy.id, new_buyer(db).id, usd(1_000))
    assert (other.status, other.rule) == (LimitStatus.DECLINED, DecidingRule.CAPACITY_EXHAUSTED)
    assert other.reason == "declined: no country capacity for US left"


def test_an_approved_referral_cannot_take_more_than_the_capacity_left(db: Session, book: Book) -> None:
    limit = request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(900_000))
    set_capacity(db, book.insurer_admin, book.insurer_id, "sector", "electronics", usd(700_000))
    approve_referral(db, book.underwriter, limit.id)
    assert limit.status is LimitStatus.PARTLY_APPROVED
    assert limit.amount == usd(700_000)
    assert "sector capacity for electronics left" in (limit.reason or "")


def test_a_new_capacity_counts_the_limits_already_held(db: Session, book: Book) -> None:
    request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(250_000))
    capacity = set_capacity(db, book.insurer_admin, book.insurer_id, "country", "US", usd(1_000_000))
    assert capacity.committed_usd == usd(250_000)


def test_a_sector_the_insurer_refers_goes_to_an_underwriter_whatever_the_amount(
    db: Session, book: Book
) -> None:
    set_appetite(db, book.insurer_admin, book.insurer_id, "sector", "construction", "refer")
    builder = new_buyer(db, sector="construction")
    limit = request_limit(db, book.exporter, book.policy.id, builder.id, usd(5_000))
    assert (limit.status, limit.rule) == (LimitStatus.REFERRED, DecidingRule.APPETITE_REFERRED)
    assert limit.reason == "referred: the insurer refers sector construction"


def test_a_maximum_total_on_a_country_declines_what_would_pass_it(db: Session, book: Book) -> None:
    set_appetite(db, book.insurer_admin, book.insurer_id, "country", "US", "decline", usd(400_000))
    request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(300_000))
    limit = request_limit(db, book.exporter, book.policy.id, new_buyer(db).id, usd(200_000))
    assert limit.rule is DecidingRule.APPETITE_DECLINED
    assert (
        limit.reason == "declined: the request would take the insurer's total on country US above its maximum"
    )


def test_only_the_insurers_own_admin_sets_its_capacity(db: Session, book: Book) -> None:
    with pytest.raises(PermissionDenied):
        set_capacity(db, book.underwriter, book.insurer_id, "total", "", usd(1))
    other = open_book(db)
    with pytest.raises(PermissionDenied):
        set_capacity(db, other.insurer_admin, book.insurer_id, "total", "", usd(1))
    with pytest.raises(ValidationError):
        set_capacity(db, book.insurer_admin, book.insurer_id, "country", "XX", usd(1))
    assert db.scalars(select(Capacity)).first() is None


def test_the_band_counts_the_insurers_exposure_on_the_buyer_under_other_policies(
    db: Session, book: Book
) -> None:
    request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(400_000))
    second = create_organisation(
        db, Actor.system(), name="Second exporter", kind=OrganisationKind.POLICYHOLDER, country="CN"
    )
    policy = issue_export_policy(db, book.insurer_admin, book.insurer_id, second.id)
    limit = request_limit(
        db, member(db, second.id, Role.POLICYHOLDER), policy.id, book.buyer.id, usd(200_000)
    )
    assert limit.status is LimitStatus.REFERRED
    assert "the insurer's exposure on the buyer with this request is above" in (limit.reason or "")


def test_capacity_binds_a_request_made_in_the_policyholders_own_tenancy(db: Session, book: Book) -> None:
    set_capacity(db, book.insurer_admin, book.insurer_id, "total", "", usd(100_000))
    set_tenant(db, book.exporter.tenant)
    limit = request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(250_000))
    assert limit.amount == usd(100_000)
    assert db.scalars(select(Capacity)).first() is None  # the policyholder does not see the capacity
    set_tenant(db, Tenant.unrestricted())
    assert capacities_of(db, book.insurer_id)[0].committed_usd == usd(100_000)
