"""Indexes for the oversight views: shipments by date (covering), claims, invoices, limits by date

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 16:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# The sums per month, currency, policy and buyer over a date range read this index alone (no table rows).
SHIPMENT_COLUMNS = ["shipment_date", "policy_id", "buyer_id", "currency", "insured_minor", "premium_minor"]


def upgrade() -> None:
    op.create_index("ix_shipments_oversight", "shipments", SHIPMENT_COLUMNS, unique=False)
    op.create_index(op.f("ix_claims_filed_on"), "claims", ["filed_on"], unique=False)
    op.create_index(op.f("ix_claims_paid_on"), "claims", ["paid_on"], unique=False)
    op.create_index(op.f("ix_premium_invoices_issued_on"), "premium_invoices", ["issued_on"], unique=False)
    op.create_index(op.f("ix_credit_limits_decided_on"), "credit_limits", ["decided_on"], unique=False)
    op.create_index(
        "ix_limit_events_kind_effective_on", "limit_events", ["kind", "effective_on"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_limit_events_kind_effective_on", table_name="limit_events")
    op.drop_index(op.f("ix_credit_limits_decided_on"), table_name="credit_limits")
    op.drop_index(op.f("ix_premium_invoices_issued_on"), table_name="premium_invoices")
    op.drop_index(op.f("ix_claims_paid_on"), table_name="claims")
    op.drop_index(op.f("ix_claims_filed_on"), table_name="claims")
    op.drop_index("ix_shipments_oversight", table_name="shipments")
