"""Service times of claims per insurer and programme: median, 90th percentile, share within the level."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy.orm import Session
from tests.claims.conftest import TODAY, ClaimsWorld, filed_claim
from tests.subsidies.conftest import yiwu_draft

from tradecover.claims.model import Claim
from tradecover.claims.service_levels import service_levels
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind
from tradecover.parties.service import create_organisation
from tradecover.subsidies.model import Enrolment
from tradecover.subsidies.programmes import create_programme


def days(n: int) -> dt.date:
    """A day n days after the claims were filed."""
    return TODAY + dt.timedelta(days=n)


def timed(claim: Claim, documents: int, deadline: int, decided: int | None, paid: int | None) -> None:
    """Give the claim its workflow dates (days after filing); the payment is due 5 days after the decision."""
    claim.documents_complete_on = days(documents)
    claim.decision_deadline = days(deadline)
    claim.decided_on = None if decided is None else days(decided)
    claim.payment_deadline = None if decided is None else days(decided + 5)
    claim.paid_on = None if paid is None else days(paid)


def enrol_in_programme(db: Session, holder_id: uuid.UUID, name: str) -> uuid.UUID:
    """A programme of a new bureau with the holder enrolled."""
    body = create_organisation(
        db,
        Actor.system(),
        name=f"Bureau {uuid.uuid4().hex[:8]}",
        kind=OrganisationKind.PROGRAMME_BODY,
        country="CN",
    )
    programme = create_programme(db, Actor.system(), yiwu_draft(name=name), sponsor_id=body.id)
    db.add(
        Enrolment(programme_id=programme.id, sponsor_id=body.id, policyholder_id=holder_id, enrolled_on=TODAY)
    )
    db.flush()
    return programme.id


def test_times_per_insurer_and_programme(claims_world: ClaimsWorld) -> None:
    db = claims_world.db
    fast = filed_claim(claims_world, ("INV-1",))
    slow = filed_claim(claims_world, ("INV-2",))
    timed(fast, documents=3, deadline=33, decided=20, paid=23)
    timed(slow, documents=5, deadline=35, decided=40, paid=50)
    programme_id = enrol_in_programme(db, claims_world.exporter_id, "Yiwu swift claims")
    db.flush()
    rows = service_levels(
        db, Actor.system(), insurer_id=claims_world.insurer_id, date_from=TODAY, date_to=days(1)
    )
    assert [(row.insurer_id, row.programme_id) for row in rows] == [
        (claims_world.insurer_id, None),
        (claims_world.insurer_id, programme_id),
    ]
    summary = rows[0].summary
    assert summary.claims == 2
    assert summary.to_documents.median_days == Decimal(4)
    assert (summary.to_decision.median_days, summary.to_decision.p90_days) == (Decimal(30), 40)
    assert summary.to_decision.within_share == Decimal("0.5000")
    assert (summary.to_payment.median_days, summary.to_payment.p90_days) == (Decimal("36.5"), 50)
    assert summary.to_payment.within_share == Decimal("0.5000")
    assert rows[1].programme_name == "Yiwu swift claims"
    assert rows[1].summary.claims == 2
    only = service_levels(db, Actor.system(), programme_id=programme_id, date_from=TODAY, date_to=TODAY)
    assert [row.programme_id for row in only] == [programme_id]
    assert rows[0].to_json()["to_decision"]["within_share"] == "0.5000"


def test_open_claims_past_the_deadline_are_counted(claims_world: ClaimsWorld) -> None:
    db = claims_world.db
    late = filed_claim(claims_world, ("INV-1",))
    timed(late, documents=0, deadline=-1, decided=None, paid=None)
    db.flush()
    rows = service_levels(
        db, Actor.system(), insurer_id=claims_world.insurer_id, date_from=TODAY, date_to=TODAY
    )
    assert rows[0].summary.to_decision.breached_open == 1
    assert rows[0].summary.to_decision.count == 0


def test_no_claims_in_the_range(claims_world: ClaimsWorld) -> None:
    filed_claim(claims_world, ("INV-1",))
    rows = service_levels(
        claims_world.db,
        Actor.system(),
        insurer_id=claims_world.insurer_id,
        date_from=days(1),
        date_to=days(30),
    )
    assert rows == []
