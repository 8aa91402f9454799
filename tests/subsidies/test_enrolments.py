"""Shenzhen's unified cover: an eligible SME enrols and is issued its own platform policy, free of premium."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.subsidies.conftest import TODAY, YEAR, Bureau, cny, member, new_exporter, usd, yiwu_draft

from tradecover.errors import BusinessRuleViolation, Conflict, PermissionDenied, ValidationError
from tradecover.parties.roles import Role
from tradecover.policies.model import Policy, Product
from tradecover.policies.service import issue_platform_policy
from tradecover.policies.terms import ProductKind
from tradecover.subsidies.enrolments import enrol, list_enrolments
from tradecover.subsidies.model import SubsidyProgramme
from tradecover.subsidies.programmes import create_programme, set_budget
from tradecover.subsidies.service import commit_subsidy


def _unified_cover(db: Session, bureau: Bureau) -> SubsidyProgramme:
    product = db.scalars(
        select(Product).where(Product.insurer_id == bureau.insurer_id, Product.kind == ProductKind.PLATFORM)
    ).one()
    programme = create_programme(
        db,
        bureau.officer,
        yiwu_draft(
            name="Shenzhen unified cover",
            kind="platform_policy",
            platform_product_id=product.id,
            product_kinds=[],
            rules=[
                {"fact": "region", "op": "==", "value": "Shenzhen"},
                {"fact": "prior_year_exports_usd", "op": "<=", "value": "8000000"},
            ],
            tiers=[{"rate": "1"}],
            cap=None,
        ),
    )
    set_budget(db, bureau.officer, programme.id, YEAR, cny(1_000_000))
    return programme


def test_an_eligible_sme_enrols_and_gets_its_own_free_platform_policy(db: Session, bureau: Bureau) -> None:
    programme = _unified_cover(db, bureau)
    assert programme.enrolment_required
    assert programme.product_kinds == ["platform"]
    holder = new_exporter(db, region="Shenzhen", exports_usd=7_999_999)
    firm = member(db, holder, Role.POLICYHOLDER)
    policy_kind = "platform"
    assert (
        commit_subsidy(
            db,
            invoice_id=uuid.uuid4(),
            policy_id=bureau.policy_for(db, holder).id,
            policyholder_id=holder,
            product_kind=policy_kind,
            premium=usd(10),
            on=TODAY,
        )
        == []
    )  # not enrolled yet: nothing
    enrolment = enrol(db, firm, programme.id, TODAY)
    policy = db.get(Policy, enrolment.policy_id)
    assert policy is not None
    assert policy.policyholder_id == holder
    assert policy.product_kind is ProductKind.PLATFORM
    assert policy.period_start == TODAY
    assert policy.period_end == dt.date(2025, 12, 31)
    terms = policy.current_version.terms
    assert terms.indemnity.insolvency.value == Decimal("0.80")
    assert terms.per_buyer_maximum == usd(150_000)
    (share,) = commit_subsidy(
        db,
        invoice_id=uuid.uuid4(),
        policy_id=policy.id,
        policyholder_id=holder,
        product_kind=policy_kind,
        premium=usd("123.45"),
        on=TODAY,
    )
    assert share.amount == usd("123.45")  # free: the programme pays all of it
    with pytest.raises(Conflict, match="already enrolled"):
        enrol(db, firm, programme.id, TODAY)
    assert [e.policyholder_id for e in list_enrolments(db, programme.id)] == [holder]


def test_an_ineligible_firm_cannot_enrol_and_is_told_why(db: Session, bureau: Bureau) -> None:
    programme = _unified_cover(db, bureau)
    too_big = member(db, new_exporter(db, region="Shenzhen", exports_usd=9_100_000), Role.POLICYHOLDER)
    with pytest.raises(BusinessRuleViolation) as refused:
        enrol(db, too_big, programme.id, TODAY)
    assert refused.value.message == (
        "not eligible for Shenzhen unified cover: "
        "prior-year exports USD 9,100,000 exceed the threshold USD 8,000,000"
    )
    assert list_enrolments(db, programme.id) == []


def test_a_firm_enrols_only_itself_and_only_where_enrolment_is_asked(db: Session, bureau: Bureau) -> None:
    programme = _unified_cover(db, bureau)
    firm = member(db, new_exporter(db, region="Shenzhen"), Role.POLICYHOLDER)
    other = new_exporter(db, region="Shenzhen")
    with pytest.raises(PermissionDenied):
        enrol(db, firm, programme.id, TODAY, policyholder_id=other)
    assert enrol(db, bureau.officer, programme.id, TODAY, policyholder_id=other).policyholder_id == other
    premium_programme = bureau.programme(db)
    with pytest.raises(BusinessRuleViolation, match="needs no enrolment"):
        enrol(db, firm, premium_programme.id, TODAY)


def test_only_a_platform_product_is_issued_on_enrolment(db: Session, bureau: Bureau) -> None:
    holder = new_exporter(db)
    with pytest.raises(ValidationError, match="only a platform"):
        issue_platform_policy(
            db,
            member(db, holder, Role.POLICYHOLDER),
            product=bureau.product,
            policyholder_id=holder,
            period_start=TODAY,
            period_end=dt.date(2025, 12, 31),
        )
