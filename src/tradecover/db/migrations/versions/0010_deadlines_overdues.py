"""Overdues, extensions, stoppages and cover events

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade() -> None:
    with op.batch_alter_table("policies") as batch:
        batch.add_column(sa.Column("loss_payee_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("loss_payee_since", sa.Date(), nullable=True))
        batch.add_column(sa.Column("loss_payee_facility_id", sa.Uuid(), nullable=True))
        batch.create_foreign_key(
            "fk_policies_loss_payee_id_organisations", "organisations", ["loss_payee_id"], ["id"]
        )
        batch.create_index("ix_policies_loss_payee_id", ["loss_payee_id"])

    with op.batch_alter_table("shipments") as batch:
        batch.add_column(sa.Column("cover_lost_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("cover_lost_reason", sa.String(length=200), nullable=True))

    op.create_table(
        "buyer_stoppages",
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("lifted_on", sa.Date(), nullable=True),
        sa.Column(
            "reason", _enum("stoppagereason", "overdue_reported", "overdue_not_reported"), nullable=False
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "lifted_on IS NULL OR lifted_on >= since", name=op.f("ck_buyer_stoppages_lifted_after_since")
        ),
        _fk("buyer_stoppages", "policy_id", "policies"),
        _fk("buyer_stoppages", "buyer_id", "buyers"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buyer_stoppages")),
    )
    op.create_index("ix_buyer_stoppages_policy_buyer", "buyer_stoppages", ["policy_id", "buyer_id"])

    op.create_table(
        "loss_events",
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column(
            "cause",
            _enum("causeofloss", "insolvency", "protracted_default", "repudiation", "political"),
            nullable=False,
        ),
        sa.Column("event_on", sa.Date(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("loss_events", "policy_id", "policies"),
        _fk("loss_events", "buyer_id", "buyers"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loss_events")),
    )
    op.create_index("ix_loss_events_policy_buyer", "loss_events", ["policy_id", "buyer_id"])

    op.create_table(
        "overdues",
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("shipment_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_number", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("unpaid_minor", sa.BigInteger(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("reported_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("reporting_deadline", sa.Date(), nullable=False),
        sa.Column("reported_in_time", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            _enum("overduestatus", "reported", "extension_requested", "extended", "withdrawn", "claimed"),
            nullable=False,
        ),
        sa.Column("extended_due_date", sa.Date(), nullable=True),
        sa.Column("requested_due_date", sa.Date(), nullable=True),
        sa.Column("extension_requested_on", sa.Date(), nullable=True),
        sa.Column("extension_decided_on", sa.Date(), nullable=True),
        sa.Column("extension_decided_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("extension_note", sa.String(length=500), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("claimed_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("overdues", "policy_id", "policies"),
        _fk("overdues", "buyer_id", "buyers"),
        _fk("overdues", "shipment_id", "shipments"),
        _fk("overdues", "reported_by_user_id", "users"),
        _fk("overdues", "extension_decided_by_user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overdues")),
    )
    op.create_index("ix_overdues_policy_buyer", "overdues", ["policy_id", "buyer_id"])
    op.create_index("ix_overdues_shipment", "overdues", ["shipment_id"])


def downgrade() -> None:
    op.drop_table("overdues")
    op.drop_table("loss_events")
    op.drop_table("buyer_stoppages")
    with op.batch_alter_table("shipments") as batch:
        batch.drop_column("cover_lost_reason")
        batch.drop_column("cover_lost_on")

    with op.batch_alter_table("policies") as batch:
        batch.drop_index("ix_policies_loss_payee_id")
        batch.drop_constraint("fk_policies_loss_payee_id_organisations", type_="foreignkey")
        batch.drop_column("loss_payee_facility_id")
        batch.drop_column("loss_payee_since")
        batch.drop_column("loss_payee_id")
