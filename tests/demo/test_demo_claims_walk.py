"""The demo's claims story and the walk of issue 5 on it: overdue, stoppage, claim, pool pays, bank repaid.

A small demo world is seeded through the services; then, on the demo's date, the flagship exporter
reports its financed pool policy's overdues, files an insolvency claim, the pool leader's claims handler
decides it, each member pays its part (the bank's outstanding drawing first), and a later dividend from
the buyer's estate is shared — with the ledger reconciled at the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.buyers.model import Buyer
from tradecover.claims.assessment import assess_claim, preview_assessment
from tradecover.claims.documents import mark_documents_complete, upload_document
from tradecover.claims.filing import file_claim
from tradecover.claims.model import Claim, ClaimStatus
from tradecover.claims.overdues import report_overdues
from tradecover.claims.recoveries import record_recovery
from tradecover.claims.service_levels import service_levels
from tradecover.claims.settlement import pay_member_share
from tradecover.clock import FixedClock, get_clock, set_clock
from tradecover.declarations.model import Shipment
from tradecover.declarations.service import ShipmentDeclaration, declare_shipment
from tradecover.demo.claims import CLAIM_LETTER
from tradecover.demo.financing import INSOLVENT_ON
from tradecover.demo.world import DEMO_TODAY, plan_demo_world, seed_demo_world
from tradecover.financing.borrowing import base_of
from tradecover.financing.facilities import outstanding
from tradecover.financing.model import Facility
from tradecover.ledger.reconcile import find_violations
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.model import User
from tradecover.parties.service import actor_for
from tradecover.policies.model import Policy
from tradecover.policies.terms import CauseOfLoss

pytestmark = pytest.mark.slow


@pytest.fixture
def demo_clock() -> Iterator[FixedClock]:
    previous = get_clock()
    clock = FixedClock(dt.datetime.combine(DEMO_TODAY, dt.time(10), tzinfo=dt.UTC))
    set_clock(clock)
    yield clock
    set_clock(previous)


def _actor(db: Session, email: str) -> Actor:
    user = db.scalars(select(User).where(User.email == email)).one()
    return actor_for(user)


def _cny(amount: str) -> Money:
    return Money(Decimal(amount), "CNY")


def test_the_demo_walk_from_overdue_to_a_shared_recovery(db: Session, demo_clock: FixedClock) -> None:
    seed_demo_world(db, plan_demo_world(2025, buyers=400, policyholders=8))
    set_clock(demo_clock)  # seeding restores the clock it found; the walk runs on the demo's date

    # The seeded history: claims decided and paid before the demo's date, some still in the queue.
    claims = db.scalars(select(Claim)).all()
    assert any(c.status in (ClaimStatus.PAID, ClaimStatus.RECOVERING) for c in claims)
    assert not find_violations(db)

    # The financed pool policy: assigned to the bank, 600,000 drawn, the failing buyer downgraded to 10.
    policy = db.scalars(select(Policy).where(Policy.loss_payee_id.is_not(None))).one()
    facility = db.scalars(select(Facility).where(Facility.policy_id == policy.id)).one()
    assert outstanding(db, facility) == _cny("600000")
    overdue = db.scalars(
        select(Shipment)
        .where(Shipment.policy_id == policy.id, Shipment.due_date < DEMO_TODAY, Shipment.paid_minor == 0)
        .order_by(Shipment.invoice_number)
    ).all()
    assert [s.invoice_number for s in overdue] == ["YW-D-2511-001", "YW-D-2511-002"]
    buyer = db.get_one(Buyer, overdue[0].buyer_id)
    assert buyer.grade == 10
    base_before = base_of(db, facility, DEMO_TODAY)

    # 1. The exporter reports both overdues: the buyer goes into stoppage on this policy.
    exporter = _actor(db, "policyholder@demo.tradecover.org")
    report_overdues(db, exporter, policy.id, [s.invoice_number for s in overdue])
    stopped = declare_shipment(
        db,
        exporter,
        policy.id,
        ShipmentDeclaration(buyer.id, "YW-D-2512-009", _cny("50000"), DEMO_TODAY, dt.date(2026, 1, 29)),
    )
    assert stopped.insured_minor == 0
    assert "stoppage" in stopped.verdict.summary
    assert base_of(db, facility, DEMO_TODAY).base_minor <= base_before.base_minor

    # 2. The buyer is insolvent since 22 December: the exporter files at once, with a document.
    claim = file_claim(
        db,
        exporter,
        policy.id,
        cause=CauseOfLoss.INSOLVENCY,
        shipment_ids=[s.id for s in overdue],
        insolvency_date=INSOLVENT_ON,
    )
    upload_document(db, exporter, claim.id, file_name="bankruptcy-notice.pdf", content=CLAIM_LETTER)

    # 3. The pool leader's claims handler sees the indemnity step by step and approves.
    handler = _actor(db, "claims.jade@demo.tradecover.org")
    mark_documents_complete(db, handler, claim.id)
    preview = preview_assessment(db, handler, claim.id)
    # 420,000 + 380,000 insured, less the 50,000 aggregate first loss, at 90%.
    assert preview.breakdown.insured_loss_minor == 80_000_000
    assert preview.indemnity == _cny("675000")
    assess_claim(db, handler, claim.id, outcome="approved")
    parts = {m.position: (m.amount_minor, m.to_bank_minor, m.to_insured_minor) for m in claim.members}
    assert parts == {
        0: (27_000_000, 27_000_000, 0),
        1: (23_625_000, 23_625_000, 0),
        2: (16_875_000, 9_375_000, 7_500_000),
    }

    # 4. Each member pays its own part; the bank's drawing is repaid from the proceeds.
    payers = {
        "claims.jade@demo.tradecover.org",
        "underwriter.pearl@demo.tradecover.org",
        "underwriter.orient@demo.tradecover.org",
    }
    for email in sorted(payers):
        payer = _actor(db, email)
        assert payer.organisation_id is not None
        pay_member_share(
            db, payer, claim.id, payer.organisation_id, paid_on=DEMO_TODAY, idempotency_key=f"walk-{email}"
        )
    assert claim.status is ClaimStatus.PAID
    assert outstanding(db, facility) == _cny("0")

    # 5. A dividend from the estate in February is shared: insurers in proportion to what they bore.
    demo_clock.set(dt.datetime(2026, 2, 16, 10, tzinfo=dt.UTC))
    recovery = record_recovery(
        db,
        handler,
        claim.id,
        amount=_cny("100000"),
        costs=_cny("5000"),
        received_on=dt.date(2026, 2, 16),
    )
    # 95,000 net × 675,000 ÷ 800,000 = 80,156.25 to the insurers; the insured keeps 14,843.75.
    assert recovery.insurers_minor == 8_015_625
    assert recovery.net_minor - recovery.insurers_minor == 1_484_375

    # The service levels count the claim, and the ledger still reconciles.
    levels = service_levels(db, handler, date_from=dt.date(2025, 1, 1), date_to=dt.date(2026, 12, 31))
    assert levels
    assert not find_violations(db)
