"""The days on which live insured exposure changes, per policy, currency and buyer country.

A shipment is live from the day it is dated until it leaves: settled in full, cover lost, or on a claim
paid (`exposure.py`). While live it counts its insured amount less what its buyer's payments released;
so its exposure moves by +insured on its day, −released on each payment's day before it leaves, and
−(what is left) on the day it leaves. Summed up to a day these give the exposure at its end.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Subquery, func, literal_column, select, union_all

from tradecover.buyers.model import Buyer
from tradecover.claims.model import Claim, ClaimInvoice
from tradecover.declarations.model import PaymentApplication, Shipment
from tradecover.oversight.sql import Greatest, Least

# A date after any real one: what a shipment that has not left reads as its leaving day.
NEVER: ColumnElement[Any] = literal_column("'9999-12-31'")


def exposure_changes(restrict: Any) -> Subquery:
    """Rows (policy_id, day, currency, country, delta) of the shipments whose policy passes `restrict`."""
    claim_paid = (
        select(ClaimInvoice.shipment_id.label("shipment_id"), func.min(Claim.paid_on).label("paid_on"))
        .join(Claim, Claim.id == ClaimInvoice.claim_id)
        .where(Claim.paid_on.is_not(None), restrict(Claim.policy_id))
        .group_by(ClaimInvoice.shipment_id)
        .subquery("claim_paid")
    )
    leaves = Greatest(
        Shipment.shipment_date,
        Least(
            func.coalesce(Shipment.settled_on, NEVER),
            func.coalesce(Shipment.cover_lost_on, NEVER),
            func.coalesce(claim_paid.c.paid_on, NEVER),
        ),
    )
    shipments = (
        select(
            Shipment.id.label("id"),
            Shipment.policy_id.label("policy_id"),
            Shipment.currency.label("currency"),
            Buyer.country.label("country"),
            Shipment.shipment_date.label("shipped"),
            Shipment.insured_minor.label("insured"),
            leaves.label("leaves"),
        )
        .join(Buyer, Buyer.id == Shipment.buyer_id)
        .outerjoin(claim_paid, claim_paid.c.shipment_id == Shipment.id)
        .where(restrict(Shipment.policy_id), Shipment.insured_minor > 0)
        .subquery("exposed")
    )
    s = shipments.c
    released = (
        select(
            s.policy_id,
            s.currency,
            s.country,
            s.leaves,
            PaymentApplication.received_on.label("received_on"),
            PaymentApplication.insured_released_minor.label("released"),
        )
        .join(PaymentApplication, PaymentApplication.shipment_id == s.id)
        .where(PaymentApplication.received_on < s.leaves, PaymentApplication.insured_released_minor != 0)
        .subquery("released")
    )
    r = released.c
    has_left = s.leaves != NEVER
    return union_all(
        select(s.policy_id, s.shipped.label("day"), s.currency, s.country, s.insured.label("delta")),
        select(s.policy_id, s.leaves, s.currency, s.country, -s.insured).where(has_left),
        select(r.policy_id, r.received_on, r.currency, r.country, -r.released),
        select(r.policy_id, r.leaves, r.currency, r.country, r.released).where(r.leaves != NEVER),
    ).subquery("exposure_changes")
