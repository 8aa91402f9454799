"""Money out of programmes: reimbursement applications, decisions and payments; direct payments to insurers
and pool members; every one booked once, to the standard accounts, and retried with the same key, once."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.subsidies.conftest import TODAY, Bureau, cny, member, new_exporter

from tradecover.coinsurance.service import MemberPlan, create_pool
from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.errors import BusinessRuleViolation, PermissionDenied, ValidationError
from tradecover.ledger.chart import Chart
from tradecover.ledger.model import Account, JournalEntry
from tradecover.ledger.service import account_balance
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation
from tradecover.policies.model import Product
from tradecover.policies.products import install_products
from tradecover.policies.service import issue_policy
from tradecover.policies.terms import ProductKind
from tradecover.subsidies.model import CommitmentStatus, ProgrammeBudget, SubsidyCommitment, SubsidyPayment
from tradecover.subsidies.payments import (
    apply_for_reimbursement,
    decide_reimbursement,
    pay_direct_subsidies,
    pay_reimbursement,
)
from tradecover.subsidies.service import commit_subsidy, premium_paid


def _balance(db: Session, organisation_id: uuid.UUID, entry: Chart, currency: str = "CNY") -> Money:
    found = db.scalars(
        select(Account).where(
            Account.organisation_id == organisation_id,
            Account.code == entry.code,
            Account.currency == currency,
        )
    ).one_or_none()
    return Money.zero(currency) if found is None else account_balance(db, found.id)


def _commitment(db: Session, bureau: Bureau, holder: uuid.UUID, premium: Money) -> SubsidyCommitment:
    policy = bureau.policy_for(db, holder)
    (share,) = commit_subsidy(
        db,
        invoice_id=uuid.uuid4(),
        policy_id=policy.id,
        policyholder_id=holder,
        product_kind="export_whole_turnover",
        premium=premium,
        on=TODAY,
    )
    found = db.get(SubsidyCommitment, share.commitment_id)
    assert found is not None
    return found


def _entries(db: Session, document_type: str) -> int:
    return len(db.scalars(select(JournalEntry).where(JournalEntry.document_type == document_type)).all())


def test_a_reimbursement_is_applied_for_approved_booked_and_paid_once(db: Session, bureau: Bureau) -> None:
    programme = bureau.programme(db, mode="reimbursement", currency="CNY", tiers=[{"rate": "0.5"}])
    holder = new_exporter(db)
    firm = member(db, holder, Role.POLICYHOLDER)
    commitment = _commitment(db, bureau, holder, cny(1_000))
    with pytest.raises(BusinessRuleViolation, match="pay the invoice in full first"):
        apply_for_reimbursement(db, firm, commitment.id, TODAY)
    premium_paid(db, invoice_id=commitment.invoice_id, on=TODAY)
    with pytest.raises(PermissionDenied):
        apply_for_reimbursement(db, bureau.officer, commitment.id, TODAY)
    apply_for_reimbursement(db, firm, commitment.id, TODAY)
    assert commitment.status is CommitmentStatus.APPLIED
    with pytest.raises(PermissionDenied):
        decide_reimbursement(db, firm, commitment.id, approve=True, reason=None, on=TODAY)
    for _ in range(2):  # a retried approval with the same key books once
        decide_reimbursement(
            db, bureau.officer, commitment.id, approve=True, reason=None, on=TODAY, idempotency_key="a1"
        )
    assert commitment.status is CommitmentStatus.APPROVED
    assert _entries(db, "subsidy_commitment") == 1
    assert _balance(db, holder, Chart.REIMBURSEMENT_RECEIVABLE) == cny(500)
    assert _balance(db, bureau.body_id, Chart.SUBSIDY_EXPENSE) == cny(500)
    first = pay_reimbursement(db, bureau.officer, commitment.id, TODAY, idempotency_key="p1")
    again = pay_reimbursement(db, bureau.officer, commitment.id, TODAY, idempotency_key="p1")
    assert again.id == first.id
    assert _entries(db, "subsidy_payment") == 1
    assert commitment.status is CommitmentStatus.PAID
    assert _balance(db, holder, Chart.REIMBURSEMENT_RECEIVABLE) == cny(0)
    assert _balance(db, holder, Chart.BANK) == cny(500)
    assert _balance(db, bureau.body_id, Chart.SUBSIDY_PAYABLE) == cny(0)
    budget = db.scalars(select(ProgrammeBudget).where(ProgrammeBudget.programme_id == programme.id)).one()
    assert budget.paid == budget.committed == cny(500)
    with pytest.raises(BusinessRuleViolation, match="only an approved reimbursement is paid"):
        pay_reimbursement(db, bureau.officer, commitment.id, TODAY, idempotency_key="p2")


def test_a_rejected_application_says_why_books_nothing_and_gives_the_budget_back(
    db: Session, bureau: Bureau
) -> None:
    programme = bureau.programme(db, mode="reimbursement", currency="CNY")
    holder = new_exporter(db)
    firm = member(db, holder, Role.POLICYHOLDER)
    commitment = _commitment(db, bureau, holder, cny(1_000))
    premium_paid(db, invoice_id=commitment.invoice_id, on=TODAY)
    apply_for_reimbursement(db, firm, commitment.id, TODAY)
    with pytest.raises(ValidationError, match="say why") as refused:
        decide_reimbursement(db, bureau.officer, commitment.id, approve=False, reason=" ", on=TODAY)
    assert refused.value.field == "reason"
    decide_reimbursement(
        db, bureau.officer, commitment.id, approve=False, reason="invoice paid late", on=TODAY
    )
    assert commitment.status is CommitmentStatus.REJECTED
    assert commitment.decision_reason == "invoice paid late"
    assert _entries(db, "subsidy_commitment") == 0
    budget = db.scalars(select(ProgrammeBudget).where(ProgrammeBudget.programme_id == programme.id)).one()
    assert budget.committed == cny(0)


def test_direct_subsidies_are_paid_to_the_insurer_once_per_key(db: Session, bureau: Bureau) -> None:
    programme = bureau.programme(db, currency="CNY", cap=None)
    firms = [new_exporter(db) for _ in range(2)]
    for firm, premium in zip(firms, ("100.00", "33.33"), strict=True):
        _commitment(db, bureau, firm, cny(premium))
    later = _commitment(db, bureau, firms[0], cny(10))
    later.committed_on = TODAY + dt.timedelta(days=5)
    payments = pay_direct_subsidies(db, bureau.officer, programme.id, TODAY, idempotency_key="june")
    (payment,) = payments
    assert payment.payee_id == bureau.insurer_id
    assert payment.amount == cny("106.66")  # 80.00 + 26.66 (26.664 half up); the later one waits
    assert pay_direct_subsidies(db, bureau.officer, programme.id, TODAY, idempotency_key="june") == payments
    assert _entries(db, "subsidy_payment") == 1
    assert _balance(db, bureau.insurer_id, Chart.BANK) == cny("106.66")
    assert _balance(db, bureau.insurer_id, Chart.SUBSIDY_RECEIVABLE) == cny("-106.66")
    assert later.status is CommitmentStatus.COMMITTED
    assert pay_direct_subsidies(db, bureau.officer, programme.id, TODAY, idempotency_key="june-2") == []


def test_a_pool_policys_direct_subsidy_goes_to_each_member_by_share_exactly(
    db: Session, bureau: Bureau
) -> None:
    system = Actor.system()
    insurers = [
        create_organisation(
            db, system, name=f"Member {i} {uuid.uuid4().hex[:6]}", kind=OrganisationKind.INSURER, country="CN"
        )
        for i in range(3)
    ]
    pool = create_pool(
        db,
        system,
        name=f"Pool {uuid.uuid4().hex[:6]}",
        country="CN",
        currency="CNY",
        leader_id=insurers[0].id,
        leader_commission=Decimal("0.05"),
        members=[
            MemberPlan(i.id, Decimal(share), Money.of(100_000_000, "CNY"))
            for i, share in zip(insurers, ("0.40", "0.35", "0.25"), strict=True)
        ],
        starts_on=dt.date(2025, 1, 1),
    )
    install_products(db, system, pool.id, kinds=[ProductKind.DOMESTIC_WHOLE_TURNOVER])
    product = db.scalars(select(Product).where(Product.insurer_id == pool.id)).one()
    programme = bureau.programme(db, currency="CNY", cap=None, product_kinds=["domestic_whole_turnover"])
    holder = new_exporter(db)
    policy = issue_policy(
        db,
        system,
        product=product,
        policyholder_id=holder,
        terms=product.terms,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        rate_table_id=None,
    )
    for premium in ("0.13", "100.01"):
        commit_subsidy(
            db,
            invoice_id=uuid.uuid4(),
            policy_id=policy.id,
            policyholder_id=holder,
            product_kind="domestic_whole_turnover",
            premium=cny(premium),
            on=TODAY,
        )
    payments = pay_direct_subsidies(db, bureau.officer, programme.id, TODAY)
    paid = {p.payee_id: p.amount for p in payments}
    # Each invoice's share apportioned as the invoice booked it (largest remainder):
    # 0.10 → 0.04/0.04/0.02 and 80.01 → 32.01/28.00/20.00, never the total apportioned at once.
    assert sum((p.amount for p in payments), cny(0)) == cny("80.11")
    assert paid == {insurers[0].id: cny("32.05"), insurers[1].id: cny("28.04"), insurers[2].id: cny("20.02")}
    set_tenant(db, Tenant.of(insurers[1].id))
    assert [p.payee_id for p in db.scalars(select(SubsidyPayment))] == [insurers[1].id]
    set_tenant(db, Tenant.unrestricted())
