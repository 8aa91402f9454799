"""Facilities: set-up, assignment, borrowing base, drawings and repayments, release; the bank's view."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.financing.conftest import MATURITY, START, Financed, new_bank, open_financed
from tests.limits.conftest import TODAY, open_book, usd

from tradecover.audit.model import AuditEvent
from tradecover.claims.overdues import report_overdue
from tradecover.clock import FixedClock
from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.declarations.model import Shipment
from tradecover.errors import BusinessRuleViolation, Conflict, NotFound, PermissionDenied, ValidationError
from tradecover.financing.borrowing import facility_borrowing_base
from tradecover.financing.drawings import draw, movements_of, repay
from tradecover.financing.facilities import (
    assign_policy,
    assigned_policies,
    close_facility,
    create_facility,
    get_facility,
    outstanding,
)
from tradecover.financing.model import FacilityMovement, FacilityStatus
from tradecover.financing.rules import Eligibility
from tradecover.ledger.chart import Chart, account, loan_account
from tradecover.ledger.model import JournalEntry
from tradecover.ledger.service import account_balance, post_entry
from tradecover.limits.model import CreditLimit
from tradecover.money import Money
from tradecover.policies.model import Policy


def balance(db: Session, org_id: uuid.UUID, entry: Chart) -> str:
    """An organisation's USD balance on a standard account, as text."""
    return str(account_balance(db, account(db, org_id, entry, "USD").id).amount)


def test_assigning_the_policy_records_the_loss_payee_endorsement(db: Session, financed: Financed) -> None:
    policy = db.get_one(Policy, financed.book.policy.id)
    assert (policy.loss_payee_id, policy.loss_payee_since) == (financed.bank_id, TODAY)
    assert policy.loss_payee_facility_id == financed.facility.id
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(policy.id))).all()
    assert "policy.assigned" in actions


def test_the_borrowing_base_counts_insured_current_receivables(db: Session, financed: Financed) -> None:
    set_tenant(db, financed.officer.tenant)
    base = facility_borrowing_base(db, financed.officer, financed.facility.id, on=TODAY)
    assert base.eligible == usd(90_000)
    assert base.base == usd(72_000)
    later = facility_borrowing_base(
        db, financed.officer, financed.facility.id, on=TODAY + dt.timedelta(days=61)
    )
    by_invoice = {line.receivable.invoice_number: line.eligibility for line in later.lines}
    assert by_invoice == {"INV-1": Eligibility.OVERDUE, "INV-2": Eligibility.ELIGIBLE}
    assert later.base == usd(24_000)


def test_a_drawing_above_the_borrowing_base_is_refused_and_changes_nothing(
    db: Session, financed: Financed
) -> None:
    set_tenant(db, financed.officer.tenant)
    entries = db.scalar(select(func.count()).select_from(JournalEntry))
    with pytest.raises(BusinessRuleViolation, match="borrowing base"):
        draw(db, financed.officer, financed.facility.id, usd("72000.01"))
    assert db.scalar(select(func.count()).select_from(JournalEntry)) == entries
    assert db.scalar(select(func.count()).select_from(FacilityMovement)) == 0


def test_drawings_and_repayments_post_balanced_entries_and_the_outstanding_is_the_loan_account(
    db: Session, financed: Financed
) -> None:
    officer, facility = financed.officer, financed.facility
    set_tenant(db, officer.tenant)
    draw(db, officer, facility.id, usd(50_000))
    with pytest.raises(BusinessRuleViolation, match=r"available USD 22,000\.00"):
        draw(db, officer, facility.id, usd("22000.01"))
    draw(db, officer, facility.id, usd(22_000))
    repay(db, officer, facility.id, usd(10_000))
    assert outstanding(db, facility) == usd(62_000)
    assert [(m.kind.value, str(m.amount.amount)) for m in movements_of(db, facility.id)] == [
        ("drawing", "50000.00"),
        ("drawing", "22000.00"),
        ("repayment", "10000.00"),
    ]
    set_tenant(db, Tenant.unrestricted())
    loan = loan_account(db, financed.bank_id, facility.id, "USD")
    assert account_balance(db, loan.id) == usd(62_000)
    assert balance(db, financed.bank_id, Chart.BANK) == "-62000.00"
    exporter = financed.book.policy.policyholder_id
    assert balance(db, exporter, Chart.BANK) == "62000.00"
    assert balance(db, exporter, Chart.LOANS_PAYABLE) == "-62000.00"
    with pytest.raises(BusinessRuleViolation, match="more than the outstanding"):
        repay(db, officer, facility.id, usd("62000.01"))


def test_claim_proceeds_paid_to_the_bank_reduce_the_outstanding(db: Session, financed: Financed) -> None:
    set_tenant(db, financed.officer.tenant)
    draw(db, financed.officer, financed.facility.id, usd(40_000))
    set_tenant(db, Tenant.unrestricted())
    # What a claim payment to the loss payee posts for the bank: Dr Bank / Cr the facility's loan account.
    post_entry(
        db,
        effective_date=TODAY,
        kind="claim.paid",
        description="Indemnity paid to the loss payee",
        lines=[
            (account(db, financed.bank_id, Chart.BANK, "USD"), usd(15_000)),
            (loan_account(db, financed.bank_id, financed.facility.id, "USD"), -usd(15_000)),
            (account(db, financed.book.policy.policyholder_id, Chart.LOANS_PAYABLE, "USD"), usd(15_000)),
            (account(db, financed.book.policy.policyholder_id, Chart.BANK, "USD"), -usd(15_000)),
        ],
    )
    assert outstanding(db, get_facility(db, financed.facility.id)) == usd(25_000)


def test_the_facility_limit_and_maturity_bound_drawings(db: Session, clock: FixedClock) -> None:
    small = open_financed(db, limit=20_000)
    set_tenant(db, small.officer.tenant)
    with pytest.raises(BusinessRuleViolation, match="facility limit"):
        draw(db, small.officer, small.facility.id, usd(25_000))
    with pytest.raises(ValidationError):
        draw(db, small.officer, small.facility.id, usd(1), on=TODAY + dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        draw(db, small.officer, small.facility.id, usd("-5"))
    clock.advance(MATURITY - TODAY + dt.timedelta(days=1))
    with pytest.raises(BusinessRuleViolation, match="matured"):
        draw(db, small.officer, small.facility.id, usd(1))


def test_nothing_is_drawn_before_the_policy_is_assigned(db: Session) -> None:
    pending = open_financed(db, assign=False)
    set_tenant(db, pending.officer.tenant)
    with pytest.raises(BusinessRuleViolation, match="not assigned"):
        draw(db, pending.officer, pending.facility.id, usd(1))
    # Before the assignment the bank sees the facility, but neither the policy nor its shipments.
    assert db.scalars(select(Policy).where(Policy.id == pending.book.policy.id)).first() is None
    assert db.scalars(select(Shipment)).all() == []


def test_closing_a_repaid_facility_releases_the_assignment(db: Session, financed: Financed) -> None:
    officer, facility = financed.officer, financed.facility
    set_tenant(db, officer.tenant)
    draw(db, officer, facility.id, usd(1_000))
    with pytest.raises(BusinessRuleViolation, match="outstanding"):
        close_facility(db, officer, facility.id)
    repay(db, officer, facility.id, usd(1_000))
    closed = close_facility(db, officer, facility.id)
    assert (closed.status, closed.released_on) == (FacilityStatus.CLOSED, TODAY)
    set_tenant(db, Tenant.unrestricted())
    policy = db.get_one(Policy, financed.book.policy.id)
    assert (policy.loss_payee_id, policy.loss_payee_facility_id) == (None, None)
    set_tenant(db, officer.tenant)
    with pytest.raises(BusinessRuleViolation, match="closed"):
        draw(db, officer, facility.id, usd(1))


def test_the_bank_sees_only_assigned_policies_and_their_limits_and_shipments(
    db: Session, financed: Financed
) -> None:
    other = open_financed(db, assign=False)
    set_tenant(db, financed.officer.tenant)
    assert [p.id for p in assigned_policies(db, financed.officer)] == [financed.book.policy.id]
    assert {s.policy_id for s in db.scalars(select(Shipment))} == {financed.book.policy.id}
    assert {lim.policy_id for lim in db.scalars(select(CreditLimit))} == {financed.book.policy.id}
    with pytest.raises(NotFound):
        get_facility(db, other.facility.id)
    with pytest.raises(NotFound):
        facility_borrowing_base(db, financed.officer, other.facility.id, on=TODAY)


def test_only_a_bank_sets_up_facilities_and_only_the_insured_assigns(db: Session, financed: Financed) -> None:
    book = financed.book
    set_tenant(db, book.exporter.tenant)
    with pytest.raises(PermissionDenied):
        create_facility(
            db,
            book.exporter,
            policy_id=book.policy.id,
            limit=usd(1),
            advance_rate=Decimal("0.5"),
            starts_on=START,
            matures_on=MATURITY,
        )
    with pytest.raises(PermissionDenied):
        draw(db, book.exporter, financed.facility.id, usd(1))
    _, second_officer = new_bank(db)
    set_tenant(db, second_officer.tenant)
    second = create_facility(
        db,
        second_officer,
        policy_id=book.policy.id,
        limit=usd(1_000),
        advance_rate="0.5",
        starts_on=START,
        matures_on=MATURITY,
    )
    set_tenant(db, book.exporter.tenant)
    with pytest.raises(Conflict, match="already assigned"):
        assign_policy(db, book.exporter, second.id)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"advance_rate": "0.95"}, "advance_rate"),
        ({"advance_rate": "lots"}, "advance_rate"),
        ({"limit": Money.of(1_000, "EUR")}, "limit"),
        ({"matures_on": START}, "matures_on"),
    ],
)
def test_bad_facility_terms_are_refused(db: Session, changes: dict[str, object], field: str) -> None:
    book = open_book(db)
    _, officer = new_bank(db)
    set_tenant(db, officer.tenant)
    values: dict[str, object] = {
        "policy_id": book.policy.id,
        "limit": usd(1_000),
        "advance_rate": "0.8",
        "starts_on": START,
        "matures_on": MATURITY,
    } | changes
    with pytest.raises(ValidationError) as refused:
        create_facility(db, officer, **values)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_a_reported_overdue_is_out_of_the_base_and_says_so(
    db: Session, financed: Financed, clock: FixedClock
) -> None:
    clock.advance(dt.timedelta(days=61))
    set_tenant(db, financed.book.exporter.tenant)
    report_overdue(db, financed.book.exporter, financed.book.policy.id, "INV-1")
    set_tenant(db, financed.officer.tenant)
    base = facility_borrowing_base(db, financed.officer, financed.facility.id, on=clock.today())
    by_invoice = {line.receivable.invoice_number: line.eligibility for line in base.lines}
    assert by_invoice["INV-1"] is Eligibility.REPORTED_OVERDUE
    assert base.base == usd(24_000)
