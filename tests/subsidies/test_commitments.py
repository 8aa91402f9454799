"""Committing programmes' shares of invoices: rate, cap, budget, FX, several programmes, release, paid."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session
from tests.subsidies.conftest import TODAY, Bureau, cny, new_exporter, usd

from tradecover.errors import BusinessRuleViolation
from tradecover.ledger.chart import Chart, account
from tradecover.ledger.reconcile import find_violations
from tradecover.ledger.service import post_entry, reverse_entry
from tradecover.reference.fx import convert, fx_rate
from tradecover.subsidies.model import CommitmentStatus, ProgrammeBudget, SubsidyCommitment
from tradecover.subsidies.payments import pay_direct_subsidies
from tradecover.subsidies.service import SubsidyShare, commit_subsidy, premium_paid, release_subsidy


def _invoice(
    db: Session, bureau: Bureau, holder_id: uuid.UUID, premium: str, currency: str = "USD"
) -> list[SubsidyShare]:
    policy = bureau.policy_for(db, holder_id)
    return commit_subsidy(
        db,
        invoice_id=uuid.uuid4(),
        policy_id=policy.id,
        policyholder_id=holder_id,
        product_kind="export_whole_turnover",
        premium=usd(premium) if currency == "USD" else cny(premium),
        on=TODAY,
    )


def test_a_yiwu_exporter_gets_80_percent_of_its_premium_and_the_budget_takes_its_cny_value(
    db: Session, bureau: Bureau
) -> None:
    programme = bureau.programme(db)
    holder = new_exporter(db)
    (share,) = _invoice(db, bureau, holder, "1000.00")
    assert share.amount == usd("800.00")
    assert share.requested == usd("800.00")
    assert share.rate == Decimal("0.80")
    assert share.mode == "direct"
    assert share.explanation.startswith("80% of premium USD 1,000.00 (Yiwu export credit insurance subsidy)")
    commitment = db.get(SubsidyCommitment, share.commitment_id)
    assert commitment is not None
    assert commitment.amount_in_programme == convert(usd("800.00"), "CNY", TODAY)
    assert commitment.fx_rate == fx_rate("USD", "CNY", TODAY)
    budget = db.query(ProgrammeBudget).filter_by(programme_id=programme.id).one()
    assert budget.committed == commitment.amount_in_programme


def test_a_firm_outside_the_rules_or_the_product_gets_nothing(db: Session, bureau: Bureau) -> None:
    bureau.programme(db)
    shenzhen = new_exporter(db, region="Shenzhen")
    too_big = new_exporter(db, exports_usd=9_100_000)
    assert _invoice(db, bureau, shenzhen, "1000.00") == []
    assert _invoice(db, bureau, too_big, "1000.00") == []
    holder = new_exporter(db)
    policy = bureau.policy_for(db, holder)
    assert (
        commit_subsidy(
            db,
            invoice_id=uuid.uuid4(),
            policy_id=policy.id,
            policyholder_id=holder,
            product_kind="domestic_whole_turnover",
            premium=usd("100.00"),
            on=TODAY,
        )
        == []
    )


def test_tiers_give_the_smallest_firms_100_percent(db: Session, bureau: Bureau) -> None:
    bureau.programme(db, tiers=[{"rate": "1", "exports_below_usd": "5000000"}, {"rate": "0.8"}])
    small, larger = new_exporter(db, exports_usd=4_999_999), new_exporter(db, exports_usd=5_000_000)
    assert _invoice(db, bureau, small, "333.33")[0].amount == usd("333.33")
    assert _invoice(db, bureau, larger, "333.33")[0].amount == usd("266.66")  # 266.664 half up


def test_the_cap_per_firm_limits_the_share_and_the_firm_pays_the_rest(db: Session, bureau: Bureau) -> None:
    bureau.programme(db, cap=cny(1_000), currency="CNY")
    holder = new_exporter(db)
    (first,) = _invoice(db, bureau, holder, "1000", currency="CNY")
    assert first.amount == cny(800)
    (second,) = _invoice(db, bureau, holder, "1000", currency="CNY")
    assert second.amount == cny(200)
    assert second.requested == cny(800)
    assert "capped at the CNY 200 left of the firm's cap for 2025 — firm pays the rest" in second.explanation
    (third,) = _invoice(db, bureau, holder, "1000", currency="CNY")
    assert third.amount == cny(0)
    assert "cap for 2025 is used up" in third.explanation


def test_the_first_invoice_the_budget_cannot_cover_gets_what_is_left_and_later_ones_nothing(
    db: Session, bureau: Bureau
) -> None:
    programme = bureau.programme(db, budget=cny(1_000), cap=None)
    holder = new_exporter(db)
    amounts = [_invoice(db, bureau, holder, "600", currency="CNY")[0] for _ in range(3)]
    assert [s.amount for s in amounts] == [cny(480), cny(480), cny(40)]
    (fourth,) = _invoice(db, bureau, holder, "600", currency="CNY")
    assert fourth.amount == cny(0)
    assert fourth.explanation.endswith("capped: budget for 2025 exhausted — firm pays the rest")
    budget = db.query(ProgrammeBudget).filter_by(programme_id=programme.id).one()
    assert budget.committed == budget.amount == cny(1_000)


def test_two_programmes_apply_in_order_each_on_what_is_left(db: Session, bureau: Bureau) -> None:
    bureau.programme(db, name="A first programme", tiers=[{"rate": "0.5"}], cap=None)
    bureau.programme(db, name="B second programme", tiers=[{"rate": "0.5"}], cap=None)
    holder = new_exporter(db)
    first, second = _invoice(db, bureau, holder, "100", currency="CNY")
    assert (first.programme_name, first.amount) == ("A first programme", cny(50))
    assert (second.programme_name, second.amount) == ("B second programme", cny(25))


def test_asking_again_for_the_same_invoice_returns_the_first_commitment(db: Session, bureau: Bureau) -> None:
    programme = bureau.programme(db)
    holder = new_exporter(db)
    policy = bureau.policy_for(db, holder)
    args = {
        "invoice_id": uuid.uuid4(),
        "policy_id": policy.id,
        "policyholder_id": holder,
        "product_kind": "export_whole_turnover",
        "premium": usd("10.00"),
        "on": TODAY,
    }
    assert commit_subsidy(db, **args) == commit_subsidy(db, **args)  # type: ignore[arg-type]
    assert db.query(SubsidyCommitment).filter_by(programme_id=programme.id).count() == 1


def test_releasing_an_invoice_gives_budget_and_cap_back(db: Session, bureau: Bureau) -> None:
    programme = bureau.programme(db, cap=cny(800), currency="CNY")
    holder = new_exporter(db)
    policy = bureau.policy_for(db, holder)
    invoice_id = uuid.uuid4()
    commit_subsidy(
        db,
        invoice_id=invoice_id,
        policy_id=policy.id,
        policyholder_id=holder,
        product_kind="export_whole_turnover",
        premium=cny(1000),
        on=TODAY,
    )
    (released,) = release_subsidy(db, invoice_id=invoice_id, on=TODAY)
    assert released.amount == cny(800)
    budget = db.query(ProgrammeBudget).filter_by(programme_id=programme.id).one()
    assert budget.committed == cny(0)
    assert _invoice(db, bureau, holder, "1000", currency="CNY")[0].amount == cny(800)  # the cap is free again
    assert release_subsidy(db, invoice_id=invoice_id, on=TODAY) == []


def test_a_paid_share_cannot_be_released(db: Session, bureau: Bureau) -> None:
    programme = bureau.programme(db)
    holder = new_exporter(db)
    (share,) = _invoice(db, bureau, holder, "100.00")
    commitment = db.get(SubsidyCommitment, share.commitment_id)
    assert commitment is not None
    pay_direct_subsidies(db, bureau.officer, programme.id, TODAY)
    with pytest.raises(BusinessRuleViolation, match="Yiwu export credit insurance subsidy"):
        release_subsidy(db, invoice_id=commitment.invoice_id, on=TODAY)


def test_premium_paid_opens_reimbursement_commitments_only(db: Session, bureau: Bureau) -> None:
    bureau.programme(db, mode="reimbursement")
    holder = new_exporter(db)
    (share,) = _invoice(db, bureau, holder, "100.00")
    commitment = db.get(SubsidyCommitment, share.commitment_id)
    assert commitment is not None
    assert commitment.status is CommitmentStatus.COMMITTED
    premium_paid(db, invoice_id=commitment.invoice_id, on=TODAY)
    assert commitment.status is CommitmentStatus.OPEN
    assert commitment.premium_paid_on == TODAY


def test_reconciliation_finds_an_invoice_that_books_another_subsidy_than_its_direct_shares(
    db: Session, bureau: Bureau
) -> None:
    bureau.programme(db, currency="CNY")
    holder = new_exporter(db)
    (share,) = _invoice(db, bureau, holder, "1000", currency="CNY")
    commitment = db.get(SubsidyCommitment, share.commitment_id)
    assert commitment is not None

    def book(amount: str) -> int:
        money = cny(amount)
        return post_entry(
            db,
            effective_date=TODAY,
            kind="premium.invoiced",
            description="test invoice",
            lines=[
                (account(db, bureau.body_id, Chart.SUBSIDY_EXPENSE, "CNY"), money),
                (account(db, bureau.body_id, Chart.SUBSIDY_PAYABLE, "CNY"), -money),
            ],
            document_type="premium_invoice",
            document_id=commitment.invoice_id,
        ).id

    wrong = book("700")
    (violation,) = [v for v in find_violations(db) if v.check == "subsidies"]
    assert "booked 70000 of subsidy, its direct shares are 80000" in violation.detail
    reverse_entry(db, wrong, effective_date=TODAY, reason="wrong subsidy")
    book("800")
    assert find_violations(db) == []
