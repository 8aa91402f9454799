"""From shipment to overdue to claim to payment to recovery, on a pool policy financed by a bank, with
the ledger reconciled at the end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session
from tests.claims.conftest import TODAY, clock_at, filed_claim, open_claims_world, usd
from tests.claims.test_settlement import balance, payer
from tests.financing.conftest import new_bank

from tradecover.claims.assessment import approve_claim, assess_claim, preview_assessment
from tradecover.claims.documents import mark_documents_complete, upload_document
from tradecover.claims.model import ClaimStatus
from tradecover.claims.recoveries import close_claim, record_recovery
from tradecover.claims.settlement import pay_member_share, settlement_of
from tradecover.financing.drawings import draw
from tradecover.financing.facilities import assign_policy, create_facility, get_facility, outstanding
from tradecover.ledger.chart import Chart
from tradecover.ledger.reconcile import find_violations


def test_a_financed_pool_claim_from_shipment_to_recovery(db: Session) -> None:
    world = open_claims_world(db, pool=True)  # INV-1 USD 100,000 shipped 2 Feb, INV-2 USD 50,000 16 Feb
    leader, second, third = world.members
    bank_id, officer = new_bank(db)
    with clock_at(dt.date(2026, 2, 18)):
        facility = create_facility(
            db,
            officer,
            policy_id=world.policy.id,
            limit=usd(200_000),
            advance_rate=Decimal("0.8"),
            starts_on=dt.date(2026, 2, 18),
            matures_on=dt.date(2027, 2, 17),
        )
        assign_policy(db, world.exporter, facility.id)
        draw(db, officer, facility.id, usd(60_000), on=dt.date(2026, 2, 18))
    world.pay(20_000, dt.date(2026, 5, 1))  # settles INV-1 first
    claim = filed_claim(world, ("INV-1", "INV-2"))  # reported overdue in time, filed on 15 September
    upload_document(db, world.exporter, claim.id, file_name="statement.pdf", content=b"%PDF-1.4 statement")
    mark_documents_complete(db, world.handler, claim.id)
    preview = preview_assessment(db, world.handler, claim.id).to_json()
    # 80,000 + 50,000 unpaid and insured; × 90% = 117,000; the bank is owed its 60,000 drawing
    assert preview["insured_loss"] == "130000.00"
    assert preview["indemnity"] == "117000.00"
    assert preview["bank_owed"] == "60000.00"
    assess_claim(db, world.handler, claim.id, outcome="approved")
    if claim.status is ClaimStatus.AWAITING_SECOND_APPROVAL:
        approve_claim(db, world.second_handler, claim.id)
    view = settlement_of(db, claim.id)
    assert [(p.amount_minor, p.to_bank_minor, p.to_insured_minor) for p in view.members] == [
        (4_680_000, 4_680_000, 0),
        (4_095_000, 1_320_000, 2_775_000),
        (2_925_000, 0, 2_925_000),
    ]
    for member_id in (leader, second, third):
        pay_member_share(db, payer(world, member_id), claim.id, member_id, paid_on=TODAY)
    assert settlement_of(db, claim.id).claim.status is ClaimStatus.PAID
    assert outstanding(db, get_facility(db, facility.id)) == usd(0)
    assert balance(db, bank_id, Chart.BANK) == "0.00"  # lent 60,000, paid back from the indemnity
    assert balance(db, world.exporter_id, Chart.LOANS_PAYABLE) == "0.00"
    assert balance(db, world.exporter_id, Chart.INDEMNITY_RECEIVABLE) == "0.00"
    recovery = record_recovery(
        db, world.handler, claim.id, amount=usd(20_000), costs=usd(2_000), received_on=TODAY
    )
    # 18,000 net × 117,000 ÷ 130,000 = 16,200 to the insurers (6,480 / 5,670 / 4,050), 1,800 kept
    assert [s.amount_minor for s in recovery.shares] == [648_000, 567_000, 405_000]
    assert recovery.insured_minor == 180_000
    close_claim(db, world.handler, claim.id)
    assert settlement_of(db, claim.id).claim.status is ClaimStatus.CLOSED
    db.flush()
    assert find_violations(db) == []
