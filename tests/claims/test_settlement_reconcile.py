"""The claim settlement reconciliation: it holds after payments and recoveries and catches a tampered row."""

from __future__ import annotations

from tests.claims.conftest import TODAY, ClaimsWorld
from tests.claims.test_recoveries import paid_claim
from tests.claims.test_settlement import approved, payer

from tradecover.claims.recoveries import record_recovery
from tradecover.claims.settlement import pay_member_share
from tradecover.claims.settlement_reconcile import (
    _claim_payments_match_the_ledger,
    _recoveries_match_the_ledger,
)
from tradecover.ledger.reconcile import find_violations
from tradecover.money import Money


def test_payments_and_recoveries_reconcile(pool_world: ClaimsWorld) -> None:
    db = pool_world.db
    claim = paid_claim(pool_world)
    record_recovery(db, pool_world.handler, claim.id, amount=Money.of("5000.00", "USD"), received_on=TODAY)
    db.flush()
    assert find_violations(db) == []


def test_a_paid_part_without_its_entry_is_caught(claims_world: ClaimsWorld) -> None:
    db = claims_world.db
    claim = approved(claims_world)
    share = claim.members[0]
    share.paid_on = TODAY  # marked paid without the payment entry
    db.flush()
    found = _claim_payments_match_the_ledger(db)
    assert any("2500" in v.detail for v in found)
    assert any("without an entry" in v.detail for v in found)
    share.paid_on = None
    db.flush()
    assert _claim_payments_match_the_ledger(db) == []


def test_a_recovery_share_out_of_line_is_caught(claims_world: ClaimsWorld) -> None:
    db = claims_world.db
    claim = approved(claims_world)
    insurer = claims_world.insurer_id
    pay_member_share(db, payer(claims_world, insurer), claim.id, insurer, paid_on=TODAY)
    recovery = record_recovery(
        db, claims_world.handler, claim.id, amount=Money.of("1000.00", "USD"), received_on=TODAY
    )
    recovery.shares[0].amount_minor += 1
    db.flush()
    assert [v.subject for v in _recoveries_match_the_ledger(db)] == [f"recovery {recovery.id}"]
    recovery.shares[0].amount_minor -= 1
    db.flush()
