"""Filing a claim: who may file, when (from the date of loss to the end of the filing window), on what."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select
from tests.claims.conftest import ClaimsWorld, clock_at, filed_claim, open_claims_world, report
from tests.limits.conftest import member, new_buyer

from tradecover.alerts.model import Alert
from tradecover.claims.filing import Credit, file_claim
from tradecover.claims.model import ClaimStatus
from tradecover.claims.overdue_model import Overdue, OverdueStatus
from tradecover.declarations.events import LossEvent
from tradecover.errors import PermissionDenied, ValidationError
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation
from tradecover.policies.terms import CauseOfLoss


def test_the_world_has_two_unpaid_shipments_on_a_limited_buyer(claims_world: ClaimsWorld) -> None:
    assert {s.invoice_number for s in claims_world.shipments.values()} == {"INV-1", "INV-2"}
    assert all(s.insured_minor == s.amount_minor for s in claims_world.shipments.values())


def test_the_pool_world_has_three_members(pool_world: ClaimsWorld) -> None:
    assert len(pool_world.members) == 3
    assert pool_world.shipments["INV-1"].insured_minor == 10_000_000


def test_a_filed_claim_marks_its_overdues_claimed_and_records_the_loss(claims_world: ClaimsWorld) -> None:
    db = claims_world.db
    claim = filed_claim(claims_world, ("INV-1", "INV-2"))
    assert re.fullmatch(r"CLM-2026-\d{6}", claim.number)
    assert claim.status is ClaimStatus.FILED
    assert claim.date_of_loss == dt.date(2026, 8, 3)  # INV-1 due 3 April + 4 months
    assert claim.policy_year_start == dt.date(2026, 1, 1)
    assert [i.invoice_number for i in claim.invoices] == ["INV-1", "INV-2"]
    assert claim.filed_by_organisation_id == claims_world.exporter_id
    statuses = db.scalars(select(Overdue.status).where(Overdue.policy_id == claims_world.policy.id)).all()
    assert set(statuses) == {OverdueStatus.CLAIMED}
    events = db.scalars(select(LossEvent).where(LossEvent.policy_id == claims_world.policy.id)).all()
    assert [(e.cause, e.event_on) for e in events] == [(CauseOfLoss.PROTRACTED_DEFAULT, dt.date(2026, 8, 3))]
    alerts = db.scalars(
        select(Alert).where(Alert.kind == "claim.filed", Alert.subject_id == str(claim.id))
    ).all()
    assert [a.organisation_id for a in alerts] == [claims_world.insurer_id]


def test_a_claim_before_the_date_of_loss_is_refused_with_the_date(claims_world: ClaimsWorld) -> None:
    report(claims_world, "INV-2")
    with (
        clock_at(dt.date(2026, 7, 1)),
        pytest.raises(ValidationError, match="from the date of loss 2026-08-17"),
    ):
        filed_claim(claims_world, ("INV-2",))


def test_a_claim_after_the_filing_window_is_refused_with_the_dates(claims_world: ClaimsWorld) -> None:
    report(claims_world, "INV-1")
    with clock_at(dt.date(2027, 3, 1)), pytest.raises(ValidationError, match="ended 2027-02-03"):
        filed_claim(claims_world, ("INV-1",))


def test_an_invoice_without_an_overdue_report_is_refused(claims_world: ClaimsWorld) -> None:
    with pytest.raises(ValidationError, match="no overdue report"):
        file_claim(
            claims_world.db,
            claims_world.exporter,
            claims_world.policy.id,
            cause=CauseOfLoss.PROTRACTED_DEFAULT,
            shipment_ids=[claims_world.shipments["INV-1"].id],
        )


def test_an_invoice_is_claimed_once(claims_world: ClaimsWorld) -> None:
    first = filed_claim(claims_world, ("INV-1",))
    with pytest.raises(ValidationError, match=f"already claimed on claim {first.number}"):
        filed_claim(claims_world, ("INV-1",))


def test_one_claim_is_on_one_buyer(claims_world: ClaimsWorld) -> None:
    other = new_buyer(claims_world.db)
    claims_world.ship("INV-9", 1_000, dt.date(2026, 2, 2), buyer=other)
    with pytest.raises(ValidationError, match="one buyer"):
        filed_claim(claims_world, ("INV-1", "INV-9"))


def test_insolvency_needs_its_date_and_the_credits_must_be_in_the_policy_currency(
    claims_world: ClaimsWorld,
) -> None:
    with pytest.raises(ValidationError, match="insolvency date"):
        filed_claim(claims_world, ("INV-1",), cause=CauseOfLoss.INSOLVENCY)
    with pytest.raises(ValidationError, match="policy currency USD"):
        filed_claim(claims_world, ("INV-1",), credits=(Credit(dt.date(2026, 5, 1), Money.of(10, "EUR")),))
    claim = filed_claim(
        claims_world, ("INV-1",), cause=CauseOfLoss.INSOLVENCY, insolvency_date=dt.date(2026, 9, 1)
    )
    assert claim.date_of_loss == dt.date(2026, 9, 1)


def test_only_the_insured_or_its_loss_payee_bank_files(claims_world: ClaimsWorld) -> None:
    db = claims_world.db
    stranger = open_claims_world(db, shipments=False)
    with pytest.raises(PermissionDenied):
        filed_claim(claims_world, ("INV-1",), actor=stranger.exporter)
    with pytest.raises(PermissionDenied):
        filed_claim(claims_world, ("INV-1",), actor=claims_world.handler)
    bank = create_organisation(
        db, Actor.system(), name="Bank of Claims", kind=OrganisationKind.BANK, country="CN"
    )
    officer = member(db, bank.id, Role.BANK_OFFICER)
    with pytest.raises(PermissionDenied):
        filed_claim(claims_world, ("INV-1",), actor=officer)
    claims_world.policy.loss_payee_id = bank.id
    claims_world.policy.loss_payee_since = dt.date(2026, 1, 10)
    db.flush()
    claim = filed_claim(claims_world, ("INV-1",), actor=officer)
    assert claim.filed_by_organisation_id == bank.id
