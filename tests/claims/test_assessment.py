"""Assessing a claim: the preview, the decision, two approvals for large claims, the ledger at approval."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.claims.conftest import TODAY, ClaimsWorld, clock_at, filed_claim, open_claims_world, report, usd

from tradecover.claims.assessment import approve_claim, assess_claim, preview_assessment, refuse_approval
from tradecover.claims.documents import mark_documents_complete, upload_document
from tradecover.claims.filing import Credit
from tradecover.claims.model import Claim, ClaimOutcome, ClaimStatus
from tradecover.claims.queries import claims_queue
from tradecover.clock import FixedClock
from tradecover.errors import PermissionDenied, ValidationError
from tradecover.financing.drawings import draw
from tradecover.financing.facilities import assign_policy, create_facility
from tradecover.ledger.chart import Chart, account
from tradecover.ledger.service import account_balance
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind
from tradecover.parties.service import create_organisation
from tradecover.policies.service import endorse_policy
from tradecover.policies.terms import DecisionBands, MaximumLiability


def ready(world: ClaimsWorld, claim: Claim) -> Claim:
    """Add a document and mark the documents complete."""
    upload_document(
        world.db, world.exporter, claim.id, file_name="statement.pdf", content=b"%PDF-1.4 statement"
    )
    return mark_documents_complete(world.db, world.handler, claim.id)


def balance(db: Session, org: uuid.UUID, chart: Chart) -> str:
    """An account's balance as a decimal string."""
    return str(account_balance(db, account(db, org, chart, "USD").id).amount)


def test_the_preview_shows_every_step_and_stores_nothing(claims_world: ClaimsWorld) -> None:
    claim = filed_claim(claims_world, ("INV-1",))
    preview = preview_assessment(claims_world.db, claims_world.handler, claim.id).to_json()
    assert preview["insured_loss"] == "100000.00"
    assert preview["indemnity_rate"] == "0.90"
    assert preview["indemnity"] == "90000.00"
    assert [line["invoice_number"] for line in preview["lines"]] == ["INV-1", "INV-2"]
    assert [m["amount"] for m in preview["members"]] == ["90000.00"]
    assert preview["bank_owed"] is None
    assert [s["key"] for s in preview["steps"]][-1] == "indemnity"
    assert claim.indemnity_minor is None
    assert claim.breakdown_json is None


def test_buyer_payments_settle_the_oldest_invoice_first(claims_world: ClaimsWorld) -> None:
    claims_world.pay(30_000, dt.date(2026, 5, 1))
    claim = filed_claim(claims_world, ("INV-1", "INV-2"))
    preview = preview_assessment(claims_world.db, claims_world.handler, claim.id).to_json()
    lines = {line["invoice_number"]: line for line in preview["lines"]}
    assert lines["INV-1"]["unpaid"] == "70000.00"
    assert lines["INV-2"]["unpaid"] == "50000.00"
    assert preview["insured_loss"] == "120000.00"
    assert preview["indemnity"] == "108000.00"


def test_the_aggregate_first_loss_and_the_maximum_liability_left_apply(db: Session) -> None:
    world = open_claims_world(db, aggregate_first_loss=usd(10_000))
    world2 = open_claims_world(db, maximum_liability=MaximumLiability(amount=usd(50_000)))
    first = preview_assessment(db, world.handler, filed_claim(world, ("INV-1",)).id)
    assert first.breakdown.afl_used_minor == 1_000_000
    assert first.indemnity == usd("81000.00")
    capped = preview_assessment(db, world2.handler, filed_claim(world2, ("INV-1",)).id)
    assert capped.indemnity == usd(50_000)


def test_approval_posts_claims_payable_and_indemnity_receivable(claims_world: ClaimsWorld) -> None:
    db = claims_world.db
    claim = ready(claims_world, filed_claim(claims_world, ("INV-1",)))
    assert claim.decision_deadline is not None
    assess_claim(db, claims_world.handler, claim.id, outcome="approved")
    assert claim.status is ClaimStatus.ASSESSED
    assert claim.outcome is ClaimOutcome.APPROVED
    assert claim.indemnity == usd(90_000)
    assert claim.decided_on == dt.date(2026, 9, 15)
    assert claim.payment_deadline is not None
    assert claim.payment_deadline > claim.decided_on
    assert claim.breakdown_json is not None
    assert claim.breakdown_json["decided"] == "90000.00"
    assert [(m.member_id, m.amount_minor, m.to_insured_minor) for m in claim.members] == [
        (claims_world.insurer_id, 9_000_000, 9_000_000)
    ]
    assert balance(db, claims_world.insurer_id, Chart.CLAIMS_PAYABLE) == "-90000.00"
    assert balance(db, claims_world.insurer_id, Chart.CLAIMS_EXPENSE) == "90000.00"
    assert balance(db, claims_world.exporter_id, Chart.INDEMNITY_RECEIVABLE) == "90000.00"
    assert claim.invoices[0].unpaid_insured_minor == 10_000_000


def test_a_pool_claim_is_split_by_share_and_posted_per_member(pool_world: ClaimsWorld) -> None:
    db = pool_world.db
    claim = ready(pool_world, filed_claim(pool_world, ("INV-1", "INV-2")))
    assess_claim(db, pool_world.handler, claim.id, outcome="approved")
    assert [m.amount_minor for m in claim.members] == [5_400_000, 4_725_000, 3_375_000]
    for member_id, expected in zip(pool_world.members, ["-54000.00", "-47250.00", "-33750.00"], strict=True):
        assert balance(db, member_id, Chart.CLAIMS_PAYABLE) == expected


def test_a_partial_approval_pays_at_most_the_computed_indemnity(claims_world: ClaimsWorld) -> None:
    claim = ready(claims_world, filed_claim(claims_world, ("INV-1",)))
    with pytest.raises(ValidationError, match="above the computed indemnity"):
        assess_claim(
            claims_world.db,
            claims_world.handler,
            claim.id,
            outcome="partly_approved",
            reason="x",
            amount=usd(90_001),
        )
    with pytest.raises(ValidationError, match="reason"):
        assess_claim(
            claims_world.db, claims_world.handler, claim.id, outcome="partly_approved", amount=usd(1)
        )
    assert claim.status is ClaimStatus.DOCUMENTS_COMPLETE
    assess_claim(
        claims_world.db,
        claims_world.handler,
        claim.id,
        outcome="partly_approved",
        reason="Part of the goods were returned",
        amount=usd(60_000),
    )
    assert claim.indemnity == usd(60_000)
    assert claim.computed_indemnity_minor == 9_000_000


def test_a_rejection_needs_a_reason_and_closes_the_claim(claims_world: ClaimsWorld) -> None:
    claim = ready(claims_world, filed_claim(claims_world, ("INV-1",)))
    with pytest.raises(ValidationError, match="reason"):
        assess_claim(claims_world.db, claims_world.handler, claim.id, outcome="rejected")
    assess_claim(claims_world.db, claims_world.handler, claim.id, outcome="rejected", reason="Reported late")
    assert claim.status is ClaimStatus.CLOSED
    assert claim.indemnity_minor == 0
    assert claim.invoices[0].live_shipment_id is None
    assert claim.decision_entry_id is None


def test_a_claim_is_decided_only_with_complete_documents_and_by_the_insurer(
    claims_world: ClaimsWorld,
) -> None:
    claim = filed_claim(claims_world, ("INV-1",))
    with pytest.raises(ValidationError, match="complete documents"):
        assess_claim(claims_world.db, claims_world.handler, claim.id, outcome="approved")
    ready(claims_world, claim)
    with pytest.raises(PermissionDenied):
        assess_claim(claims_world.db, claims_world.exporter, claim.id, outcome="approved")
    assert claim.status is ClaimStatus.DOCUMENTS_COMPLETE


def test_a_large_claim_waits_for_a_second_handler(db: Session) -> None:
    world = open_claims_world(db)
    bands = DecisionBands(instant_up_to=usd(50_000), two_approvals_above=usd(1_000_000))
    terms = world.policy.current_version.terms.replace(decision_bands=bands)
    endorse_policy(db, Actor.system(), world.policy.id, terms=terms, effective_from=TODAY, reason="Bands")
    db.refresh(world.policy)
    claim = ready(world, filed_claim(world, ("INV-1",)))
    assess_claim(db, world.handler, claim.id, outcome="approved")
    assert claim.status is ClaimStatus.AWAITING_SECOND_APPROVAL
    assert claim.decision_entry_id is None
    assert claim.decided_on is None
    with pytest.raises(PermissionDenied, match="another"):
        approve_claim(db, world.handler, claim.id)
    approve_claim(db, world.second_handler, claim.id)
    assert claim.status is ClaimStatus.ASSESSED
    assert claim.second_approver_user_id == world.second_handler.user_id
    assert claim.decision_entry_id is not None


def test_a_later_claim_of_the_year_gets_what_is_left_of_the_maximum_liability(db: Session) -> None:
    world = open_claims_world(db, maximum_liability=MaximumLiability(amount=usd(100_000)))
    first = ready(world, filed_claim(world, ("INV-1",)))
    assess_claim(db, world.handler, first.id, outcome="approved")
    second = ready(world, filed_claim(world, ("INV-2",)))
    assert preview_assessment(db, world.handler, second.id).indemnity == usd(10_000)


def test_the_queue_puts_the_nearest_service_deadline_first(
    claims_world: ClaimsWorld, clock: FixedClock
) -> None:
    db = claims_world.db
    late = filed_claim(claims_world, ("INV-1",))
    early = filed_claim(claims_world, ("INV-2",))
    ready(claims_world, early)
    clock.advance(dt.timedelta(days=3))
    ready(claims_world, late)
    queue = [c.id for c in claims_queue(db, claims_world.handler) if c.policy_id == claims_world.policy.id]
    assert queue[0] == early.id
    assert set(queue) == {early.id, late.id}
    rows = db.scalars(select(Claim.decision_deadline).where(Claim.id.in_(queue))).all()
    assert all(rows)


def test_the_loss_payee_bank_is_owed_its_outstanding_drawing_first(claims_world: ClaimsWorld) -> None:
    db = claims_world.db
    system = Actor.system()
    bank = create_organisation(db, system, name="Payee Bank", kind=OrganisationKind.BANK, country="CN")
    with clock_at(dt.date(2026, 2, 17)):
        facility = create_facility(
            db,
            system,
            bank_id=bank.id,
            policy_id=claims_world.policy.id,
            limit=usd(500_000),
            advance_rate="0.8",
            starts_on=dt.date(2026, 2, 17),
            matures_on=dt.date(2027, 2, 17),
        )
        assign_policy(db, system, facility.id)
    with clock_at(dt.date(2026, 2, 20)):
        draw(db, system, facility.id, usd(60_000), on=dt.date(2026, 2, 20))
    db.refresh(claims_world.policy)
    claim = ready(claims_world, filed_claim(claims_world, ("INV-1",)))
    preview = preview_assessment(db, claims_world.handler, claim.id).to_json()
    assert preview["bank_owed"] == "60000.00"
    assess_claim(db, claims_world.handler, claim.id, outcome="approved")
    assert [(m.to_bank_minor, m.to_insured_minor) for m in claim.members] == [(6_000_000, 3_000_000)]


def test_the_second_handler_may_send_a_large_decision_back(db: Session) -> None:
    world = open_claims_world(db)
    bands = DecisionBands(instant_up_to=usd(50_000), two_approvals_above=usd(1_000_000))
    terms = world.policy.current_version.terms.replace(decision_bands=bands)
    endorse_policy(db, Actor.system(), world.policy.id, terms=terms, effective_from=TODAY, reason="Bands")
    db.refresh(world.policy)
    claim = ready(world, filed_claim(world, ("INV-1",)))
    assess_claim(db, world.handler, claim.id, outcome="approved")
    with pytest.raises(ValidationError, match="reason"):
        refuse_approval(db, world.second_handler, claim.id, reason=" ")
    refuse_approval(db, world.second_handler, claim.id, reason="The credit note of May is missing")
    assert claim.status is ClaimStatus.DOCUMENTS_COMPLETE
    assert claim.outcome is None
    assert claim.indemnity_minor is None
    assess_claim(
        db,
        world.second_handler,
        claim.id,
        outcome="partly_approved",
        reason="Credit note",
        amount=usd(40_000),
    )
    assert claim.status is ClaimStatus.ASSESSED


def test_an_invoice_reported_late_counts_nothing_and_the_claim_can_only_be_rejected(
    claims_world: ClaimsWorld,
) -> None:
    report(claims_world, "INV-1", days_late=60)
    claim = ready(claims_world, filed_claim(claims_world, ("INV-1",)))
    assert claim.invoices[0].insured_minor == 0
    preview = preview_assessment(claims_world.db, claims_world.handler, claim.id)
    assert preview.breakdown.insured_loss_minor == 0
    assert preview.indemnity == usd(0)
    with pytest.raises(ValidationError, match="computed indemnity is 0"):
        assess_claim(claims_world.db, claims_world.handler, claim.id, outcome="approved")
    assess_claim(claims_world.db, claims_world.handler, claim.id, outcome="rejected", reason="Reported late")
    assert claim.status is ClaimStatus.CLOSED


def test_a_credit_note_filed_with_the_claim_goes_to_its_invoice(claims_world: ClaimsWorld) -> None:
    credit = Credit(dt.date(2026, 6, 1), usd(10_000), "INV-2")
    claim = filed_claim(claims_world, ("INV-1", "INV-2"), credits=(credit,))
    preview = preview_assessment(claims_world.db, claims_world.handler, claim.id).to_json()
    lines = {line["invoice_number"]: line for line in preview["lines"]}
    assert lines["INV-1"]["credited"] == "0.00"
    assert lines["INV-2"]["credited"] == "10000.00"
    assert preview["insured_loss"] == "140000.00"
    assert preview["indemnity"] == "126000.00"
