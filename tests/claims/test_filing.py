"""Filing a claim: who may file, when, on which invoices."""

from __future__ import annotations

from tests.claims.conftest import ClaimsWorld


def test_the_world_has_two_unpaid_shipments_on_a_limited_buyer(claims_world: ClaimsWorld) -> None:
    assert {s.invoice_number for s in claims_world.shipments.values()} == {"INV-1", "INV-2"}
    assert all(s.insured_minor == s.amount_minor for s in claims_world.shipments.values())


def test_the_pool_world_has_three_members(pool_world: ClaimsWorld) -> None:
    assert len(pool_world.members) == 3
    assert pool_world.shipments["INV-1"].insured_minor == 10_000_000
