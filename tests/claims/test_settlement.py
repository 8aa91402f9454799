"""Paying a decided claim: each member its own part, the bank first, idempotent, the ledger balanced."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.claims.conftest import TODAY, ClaimsWorld, filed_claim, open_claims_world, usd
from tests.limits.conftest import member

from tradecover.claims.assessment import approve_claim, assess_claim
from tradecover.claims.documents import mark_documents_complete, upload_document
from tradecover.claims.model import Claim, ClaimStatus
from tradecover.claims.settlement import pay_member_share, settlement_of
from tradecover.errors import BusinessRuleViolation, Conflict, NotFound, PermissionDenied, ValidationError
from tradecover.ledger.chart import Chart, account, loan_account
from tradecover.ledger.model import JournalEntry
from tradecover.ledger.service import account_balance, post_entry
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation
from tradecover.premiums.books import whole_books


def approved(world: ClaimsWorld, invoices: tuple[str, ...] = ("INV-1",)) -> Claim:
    """A claim on the invoices, documents complete, approved by the handler at the computed indemnity."""
    claim = filed_claim(world, invoices)
    upload_document(world.db, world.exporter, claim.id, file_name="statement.pdf", content=b"%PDF-1.4 x")
    mark_documents_complete(world.db, world.handler, claim.id)
    assess_claim(world.db, world.handler, claim.id, outcome="approved")
    if claim.status is ClaimStatus.AWAITING_SECOND_APPROVAL:
        approve_claim(world.db, world.second_handler, claim.id)
    assert claim.status is ClaimStatus.ASSESSED
    return claim


def payer(world: ClaimsWorld, member_id: uuid.UUID) -> Actor:
    """A claims handler of the member."""
    return member(world.db, member_id, Role.CLAIMS_HANDLER)


def balance(db: Session, org: uuid.UUID, chart: Chart) -> str:
    """An account's balance as a decimal string."""
    with whole_books(db):
        return str(account_balance(db, account(db, org, chart, "USD").id).amount)


def assign_to_bank(world: ClaimsWorld, drawn: str) -> tuple[uuid.UUID, uuid.UUID]:
    """Assign the policy to a new bank with a facility of which `drawn` is outstanding."""
    db = world.db
    bank_id = create_organisation(
        db, Actor.system(), name=f"Bank {uuid.uuid4()}", kind=OrganisationKind.BANK, country="CN"
    ).id
    facility_id = uuid.uuid4()
    world.policy.loss_payee_id = bank_id
    world.policy.loss_payee_since = dt.date(2026, 3, 1)
    world.policy.loss_payee_facility_id = facility_id
    amount = usd(drawn)
    with whole_books(db):
        post_entry(
            db,
            effective_date=dt.date(2026, 3, 2),
            kind="financing.drawn",
            description="Drawing",
            lines=[
                (loan_account(db, bank_id, facility_id, "USD"), amount),
                (account(db, bank_id, Chart.BANK, "USD"), -amount),
                (account(db, world.exporter_id, Chart.BANK, "USD"), amount),
                (account(db, world.exporter_id, Chart.LOANS_PAYABLE, "USD"), -amount),
            ],
        )
    db.flush()
    return bank_id, facility_id


def paid_entries(db: Session, claim: Claim) -> int:
    """How many payment entries the claim has."""
    return int(
        db.scalar(
            select(func.count())
            .select_from(JournalEntry)
            .where(JournalEntry.kind == "claim.paid", JournalEntry.document_id == str(claim.id))
        )
        or 0
    )


def test_the_single_insurer_pays_the_insured(claims_world: ClaimsWorld) -> None:
    db = claims_world.db
    claim = approved(claims_world)
    insurer = claims_world.insurer_id
    assert balance(db, insurer, Chart.CLAIMS_PAYABLE) == "-90000.00"
    share = pay_member_share(db, payer(claims_world, insurer), claim.id, insurer, paid_on=TODAY)
    assert share.paid_on == TODAY
    assert share.entry_id is not None
    assert claim.status is ClaimStatus.PAID
    assert claim.paid_on == TODAY
    assert balance(db, insurer, Chart.CLAIMS_PAYABLE) == "0.00"
    assert balance(db, insurer, Chart.BANK) == "-90000.00"
    holder = claims_world.exporter_id
    assert balance(db, holder, Chart.BANK) == "90000.00"
    assert balance(db, holder, Chart.INDEMNITY_RECEIVABLE) == "0.00"
    assert balance(db, holder, Chart.INDEMNITY_INCOME) == "-90000.00"


def test_the_same_key_twice_pays_once(claims_world: ClaimsWorld) -> None:
    db = claims_world.db
    claim = approved(claims_world)
    insurer = claims_world.insurer_id
    actor = payer(claims_world, insurer)
    first = pay_member_share(db, actor, claim.id, insurer, paid_on=TODAY, idempotency_key="pay-1")
    again = pay_member_share(db, actor, claim.id, insurer, paid_on=TODAY, idempotency_key="pay-1")
    assert again.id == first.id
    assert again.entry_id == first.entry_id
    assert paid_entries(db, claim) == 1
    assert balance(db, claims_world.exporter_id, Chart.BANK) == "90000.00"
    with pytest.raises(Conflict):
        pay_member_share(db, actor, claim.id, insurer, paid_on=TODAY, idempotency_key="pay-2")
    with pytest.raises(Conflict):
        pay_member_share(db, actor, claim.id, insurer, paid_on=TODAY)


def test_each_pool_member_pays_its_own_part_and_the_unpaid_shows(pool_world: ClaimsWorld) -> None:
    db = pool_world.db
    claim = approved(pool_world)
    leader, second, third = pool_world.members
    view = settlement_of(db, claim.id)
    assert [str(s.amount.amount) for s in view.members] == ["36000.00", "31500.00", "22500.00"]
    with pytest.raises(PermissionDenied):
        pay_member_share(db, payer(pool_world, leader), claim.id, second, paid_on=TODAY)
    pay_member_share(db, payer(pool_world, leader), claim.id, leader, paid_on=TODAY)
    pay_member_share(db, payer(pool_world, third), claim.id, third, paid_on=TODAY)
    view = settlement_of(db, claim.id)
    assert claim.status is ClaimStatus.ASSESSED
    assert view.paid == usd("58500.00")
    assert view.outstanding == usd("31500.00")
    assert [s.member_id for s in view.members if not s.is_paid] == [second]
    assert balance(db, pool_world.exporter_id, Chart.BANK) == "58500.00"
    assert balance(db, pool_world.exporter_id, Chart.INDEMNITY_RECEIVABLE) == "31500.00"
    pay_member_share(db, payer(pool_world, second), claim.id, second, paid_on=TODAY)
    assert settlement_of(db, claim.id).claim.status is ClaimStatus.PAID
    assert settlement_of(db, claim.id).fully_paid


def test_the_bank_is_paid_first_in_pool_order(db: Session) -> None:
    world = open_claims_world(db, pool=True)
    bank_id, facility_id = assign_to_bank(world, "40000.00")
    claim = approved(world)
    leader, second, third = world.members
    view = settlement_of(db, claim.id)
    # 90,000 split 36,000 / 31,500 / 22,500; the bank is owed min(90,000, 40,000) = 40,000
    assert [(str(s.to_bank_minor), str(s.to_insured_minor)) for s in view.members] == [
        ("3600000", "0"),
        ("400000", "2750000"),
        ("0", "2250000"),
    ]
    for member_id in (leader, second, third):
        pay_member_share(db, payer(world, member_id), claim.id, member_id, paid_on=TODAY)
    with whole_books(db):
        loans = account_balance(db, loan_account(db, bank_id, facility_id, "USD").id)
    assert str(loans.amount) == "0.00"
    assert balance(db, bank_id, Chart.BANK) == "0.00"
    holder = world.exporter_id
    assert balance(db, holder, Chart.LOANS_PAYABLE) == "0.00"
    assert balance(db, holder, Chart.INDEMNITY_RECEIVABLE) == "0.00"
    # the drawing's 40,000 and the 50,000 paid to the insured
    assert balance(db, holder, Chart.BANK) == "90000.00"


def test_nothing_to_pay_before_the_decision(claims_world: ClaimsWorld) -> None:
    claim = filed_claim(claims_world)
    insurer = claims_world.insurer_id
    with pytest.raises(BusinessRuleViolation):
        pay_member_share(claims_world.db, payer(claims_world, insurer), claim.id, insurer, paid_on=TODAY)


def test_bad_payments_are_refused(claims_world: ClaimsWorld) -> None:
    db = claims_world.db
    claim = approved(claims_world)
    insurer = claims_world.insurer_id
    actor = payer(claims_world, insurer)
    with pytest.raises(ValidationError):
        pay_member_share(db, actor, claim.id, insurer, paid_on=TODAY - dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        pay_member_share(db, actor, claim.id, insurer, paid_on=TODAY + dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        pay_member_share(db, actor, claim.id, insurer, paid_on=TODAY, idempotency_key=" ")
    with pytest.raises(PermissionDenied):
        pay_member_share(db, claims_world.exporter, claim.id, insurer, paid_on=TODAY)
    with pytest.raises(NotFound):
        pay_member_share(db, Actor.system(), claim.id, uuid.uuid4(), paid_on=TODAY)
    assert paid_entries(db, claim) == 0
    assert claim.status is ClaimStatus.ASSESSED
