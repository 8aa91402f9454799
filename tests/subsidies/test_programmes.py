"""Defining programmes and budgets: who may, what is refused (naming the field), and that nothing changes."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.subsidies.conftest import (
    TODAY,
    YEAR,
    Bureau,
    cny,
    member,
    new_exporter,
    open_bureau,
    usd,
    yiwu_draft,
)

from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.errors import Conflict, NotFound, PermissionDenied, ValidationError
from tradecover.parties.roles import Role
from tradecover.subsidies.eligibility import explain_eligibility
from tradecover.subsidies.model import ProgrammeBudget, SubsidyProgramme
from tradecover.subsidies.programmes import create_programme, get_programme, set_budget, update_programme
from tradecover.subsidies.service import commit_subsidy


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"tiers": [{"rate": "-0.2"}]}, "tiers[0].rate", "a subsidy rate cannot be negative"),
        ({"tiers": [{"rate": "1.5"}]}, "tiers[0].rate", "at most 100%"),
        ({"name": "  "}, "name", "give the programme a name"),
        ({"currency": "XYZ"}, "currency", "unknown ISO 4217"),
        ({"mode": "lottery"}, "mode", "not one of direct, reimbursement"),
        ({"product_kinds": ["car_insurance"]}, "product_kinds[0]", "is not one of"),
        ({"product_kinds": []}, "product_kinds", "at least one product"),
        ({"cap": usd(100)}, "cap", "programme currency CNY"),
        ({"cap": cny(-1)}, "cap", "cannot be negative"),
        ({"ends_on": TODAY.replace(year=2024)}, "ends_on", "on or after the first"),
        ({"kind": "platform_policy"}, "platform_product_id", "names the platform product"),
        ({"rules": [{"fact": "region", "op": ">", "value": "x"}]}, "rules[0]", "is text"),
    ],
)
def test_a_bad_programme_is_refused_naming_the_field_and_nothing_is_saved(
    db: Session, bureau: Bureau, changes: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message) as refused:
        create_programme(db, bureau.officer, yiwu_draft(**changes))
    assert refused.value.field == field
    assert (
        db.scalars(select(SubsidyProgramme).where(SubsidyProgramme.sponsor_id == bureau.body_id)).first()
        is None
    )


def test_a_refused_change_leaves_the_programme_as_it_was(db: Session, bureau: Bureau) -> None:
    programme = bureau.programme(db)
    with pytest.raises(ValidationError):
        update_programme(
            db, bureau.officer, programme.id, yiwu_draft(name="New name", tiers=[{"rate": "-1"}])
        )
    assert programme.name == "Yiwu export credit insurance subsidy"
    changed = update_programme(db, bureau.officer, programme.id, yiwu_draft(tiers=[{"rate": "0.5"}]))
    assert changed.tiers[0].rate == Decimal("0.5")
    with pytest.raises(ValidationError, match="its currency cannot change") as refused:
        update_programme(db, bureau.officer, programme.id, yiwu_draft(currency="USD", cap=None))
    assert refused.value.field == "currency"


def test_a_budget_cannot_go_below_what_is_committed(db: Session, bureau: Bureau) -> None:
    programme = bureau.programme(db, budget=cny(10_000), currency="CNY", cap=None)
    holder = new_exporter(db)
    policy = bureau.policy_for(db, holder)
    commit_subsidy(
        db,
        invoice_id=uuid.uuid4(),
        policy_id=policy.id,
        policyholder_id=holder,
        product_kind="export_whole_turnover",
        premium=cny(5_250),
        on=TODAY,
    )
    with pytest.raises(ValidationError) as refused:
        set_budget(db, bureau.officer, programme.id, YEAR, cny(1_000))
    assert refused.value.field == "amount"
    assert refused.value.message == "budget 2025 cannot be CNY 1,000 — CNY 4,200 is already committed"
    budget = db.scalars(select(ProgrammeBudget).where(ProgrammeBudget.programme_id == programme.id)).one()
    assert budget.amount == cny(10_000)
    assert set_budget(db, bureau.officer, programme.id, YEAR, cny(4_200)).remaining == cny(0)
    with pytest.raises(ValidationError, match="cannot be negative"):
        set_budget(db, bureau.officer, programme.id, 2026, cny(-1))
    with pytest.raises(ValidationError, match="programme currency CNY") as wrong:
        set_budget(db, bureau.officer, programme.id, 2026, usd(1))
    assert wrong.value.field == "amount"


def test_only_a_programme_officer_of_the_body_runs_its_programmes(db: Session, bureau: Bureau) -> None:
    programme = bureau.programme(db)
    with pytest.raises(PermissionDenied):
        create_programme(db, bureau.insurer_admin, yiwu_draft(name="Insurer's own"))
    other = open_bureau(db)
    set_tenant(db, Tenant.of(other.body_id))
    with pytest.raises(NotFound, match="no such programme"):
        get_programme(db, other.officer, programme.id)
    with pytest.raises(NotFound):
        set_budget(db, other.officer, programme.id, YEAR, cny(1))
    set_tenant(db, Tenant.unrestricted())
    colleague = member(db, bureau.body_id, Role.PROGRAMME_OFFICER)
    with pytest.raises(Conflict, match="already runs a programme called"):
        create_programme(db, colleague, yiwu_draft())


def test_eligibility_explains_every_open_programme(db: Session, bureau: Bureau) -> None:
    bureau.programme(db, tiers=[{"rate": "1", "exports_below_usd": "5000000"}, {"rate": "0.8"}])
    bureau.programme(
        db,
        name="Shenzhen support",
        rules=[{"fact": "region", "op": "==", "value": "Shenzhen"}],
    )
    create_programme(db, bureau.officer, yiwu_draft(name="Unbudgeted"))
    holder = new_exporter(db, exports_usd=6_000_000)
    answers = {a.name: a for a in explain_eligibility(db, holder, TODAY)}
    yiwu = answers["Yiwu export credit insurance subsidy"]
    assert yiwu.eligible
    assert yiwu.rate == Decimal("0.8")
    assert yiwu.cap_left == cny(200_000)
    assert answers["Shenzhen support"].reasons == ("region Yiwu, not Shenzhen",)
    assert answers["Unbudgeted"].reasons == ("no budget for 2025",)
