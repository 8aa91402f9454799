"""A receivable on a live claim is out of the borrowing base, as under claim (the claims test world)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session
from tests.claims.conftest import TODAY as CLAIMS_DAY
from tests.claims.conftest import filed_claim, open_claims_world, usd
from tests.financing.conftest import new_bank

from tradecover.clock import FixedClock
from tradecover.financing.borrowing import facility_borrowing_base
from tradecover.financing.facilities import assign_policy, create_facility
from tradecover.financing.rules import Eligibility
from tradecover.parties.actor import Actor


def test_a_claimed_invoice_is_under_claim_and_counts_nothing(db: Session, clock: FixedClock) -> None:
    clock.set(dt.datetime.combine(CLAIMS_DAY, dt.time(12), tzinfo=dt.UTC))
    book = open_claims_world(db)
    bank_id, officer = new_bank(db)
    facility = create_facility(
        db,
        Actor.system(),
        bank_id=bank_id,
        policy_id=book.policy.id,
        limit=usd(500_000),
        advance_rate=Decimal("0.8"),
        starts_on=dt.date(2026, 1, 1),
        matures_on=dt.date(2027, 6, 30),
    )
    assign_policy(db, Actor.system(), facility.id)
    filed_claim(book, ("INV-1",))
    base = facility_borrowing_base(db, officer, facility.id, on=CLAIMS_DAY)
    by_invoice = {line.receivable.invoice_number: line for line in base.lines}
    assert by_invoice["INV-1"].eligibility is Eligibility.UNDER_CLAIM
    assert by_invoice["INV-1"].eligible_minor == 0
    assert by_invoice["INV-2"].eligibility is Eligibility.OVERDUE
    assert base.base_minor == 0
