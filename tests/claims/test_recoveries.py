"""Recoveries after payment: shared with the insurers by the proportion they bore, posted, capped; closing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session
from tests.claims.conftest import TODAY, ClaimsWorld, open_claims_world, usd
from tests.claims.test_settlement import approved, balance, payer

from tradecover.claims.model import Claim, ClaimStatus
from tradecover.claims.recoveries import close_claim, record_recovery, recoveries_of
from tradecover.claims.settlement import pay_member_share
from tradecover.errors import BusinessRuleViolation, Conflict, PermissionDenied, ValidationError
from tradecover.ledger.chart import Chart


def paid_claim(world: ClaimsWorld, invoices: tuple[str, ...] = ("INV-1",)) -> Claim:
    """An approved claim that every member has paid."""
    claim = approved(world, invoices)
    for part in list(claim.members):
        pay_member_share(world.db, payer(world, part.member_id), claim.id, part.member_id, paid_on=TODAY)
    assert claim.status is ClaimStatus.PAID
    return claim


def test_a_recovery_is_shared_in_the_proportion_of_the_loss(db: Session) -> None:
    # AFL 10,000: insured loss 100,000, indemnity 81,000; the insurers bore 81% of the loss
    world = open_claims_world(db, aggregate_first_loss=usd(10_000))
    claim = paid_claim(world)
    recovery = record_recovery(
        db, world.handler, claim.id, amount=usd("10000.00"), costs=usd("1000.00"), received_on=TODAY
    )
    # 9,000 × 81,000 ÷ 100,000 = 7,290
    assert (recovery.net_minor, recovery.insurers_minor, recovery.insured_minor) == (900000, 729000, 171000)
    assert [s.amount_minor for s in recovery.shares] == [729000]
    assert claim.status is ClaimStatus.RECOVERING
    assert balance(db, world.insurer_id, Chart.RECOVERY_INCOME) == "-7290.00"
    assert balance(db, world.exporter_id, Chart.RECOVERY_INCOME) == "-1710.00"
    # the indemnity (and so the maximum liability used) stays what was paid
    assert claim.indemnity_minor == 8_100_000


def test_pool_members_share_by_share_and_never_get_more_than_the_indemnity(pool_world: ClaimsWorld) -> None:
    db = pool_world.db
    claim = paid_claim(pool_world)
    first = record_recovery(db, pool_world.handler, claim.id, amount=usd("50000.00"), received_on=TODAY)
    # 50,000 × 90% = 45,000: 18,000 / 15,750 / 11,250
    assert [s.amount_minor for s in first.shares] == [1_800_000, 1_575_000, 1_125_000]
    second = record_recovery(db, pool_world.handler, claim.id, amount=usd("60000.00"), received_on=TODAY)
    # 54,000 by proportion, but only 45,000 of the 90,000 indemnity is left
    assert second.insurers_minor == 4_500_000
    assert second.insured_minor == 1_500_000
    third = record_recovery(db, pool_world.handler, claim.id, amount=usd("1000.00"), received_on=TODAY)
    assert (third.insurers_minor, third.insured_minor) == (0, 100_000)
    assert [r.id for r in recoveries_of(db, claim.id)] == [first.id, second.id, third.id]
    leader = pool_world.members[0]
    assert balance(db, leader, Chart.RECOVERY_INCOME) == "-36000.00"


def test_the_same_key_records_once(claims_world: ClaimsWorld) -> None:
    db = claims_world.db
    claim = paid_claim(claims_world)
    first = record_recovery(
        db, claims_world.handler, claim.id, amount=usd("100.00"), received_on=TODAY, idempotency_key="r1"
    )
    again = record_recovery(
        db, claims_world.handler, claim.id, amount=usd("100.00"), received_on=TODAY, idempotency_key="r1"
    )
    assert again.id == first.id
    assert len(recoveries_of(db, claim.id)) == 1
    with pytest.raises(Conflict):
        record_recovery(
            db, claims_world.handler, claim.id, amount=usd("200.00"), received_on=TODAY, idempotency_key="r1"
        )


def test_recoveries_come_after_payment_and_from_the_handler(claims_world: ClaimsWorld) -> None:
    db = claims_world.db
    claim = approved(claims_world)
    with pytest.raises(BusinessRuleViolation):
        record_recovery(db, claims_world.handler, claim.id, amount=usd("100.00"), received_on=TODAY)
    with pytest.raises(BusinessRuleViolation):
        close_claim(db, claims_world.handler, claim.id)
    pay_member_share(
        db, payer(claims_world, claims_world.insurer_id), claim.id, claims_world.insurer_id, paid_on=TODAY
    )
    with pytest.raises(PermissionDenied):
        record_recovery(db, claims_world.exporter, claim.id, amount=usd("100.00"), received_on=TODAY)
    with pytest.raises(ValidationError):
        record_recovery(db, claims_world.handler, claim.id, amount=usd("0.00"), received_on=TODAY)
    with pytest.raises(ValidationError):
        record_recovery(db, claims_world.handler, claim.id, amount=usd("-1.00"), received_on=TODAY)
    with pytest.raises(ValidationError):
        record_recovery(
            db, claims_world.handler, claim.id, amount=usd("1.00"), received_on=TODAY + dt.timedelta(days=1)
        )
    with pytest.raises(ValidationError):
        record_recovery(
            db, claims_world.handler, claim.id, amount=usd("1.00"), received_on=TODAY - dt.timedelta(days=1)
        )
    assert recoveries_of(db, claim.id) == []


def test_closing_a_paid_claim(claims_world: ClaimsWorld) -> None:
    db = claims_world.db
    claim = paid_claim(claims_world)
    close_claim(db, claims_world.handler, claim.id, reason="Nothing more to recover")
    assert claim.status is ClaimStatus.CLOSED
    assert claim.closed_on == TODAY
    with pytest.raises(Conflict):
        close_claim(db, claims_world.handler, claim.id)
    with pytest.raises(BusinessRuleViolation):
        record_recovery(db, claims_world.handler, claim.id, amount=usd("1.00"), received_on=TODAY)
