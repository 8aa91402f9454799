"""Claims, documents, assessments, payments and recoveries

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claims",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        sa.Column("policyholder_id", sa.Uuid(), nullable=False),
        sa.Column("insurer_id", sa.Uuid(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column(
            "cause",
            sa.Enum(
                "insolvency",
                "protracted_default",
                "repudiation",
                "political",
                name="causeofloss",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("date_of_loss", sa.Date(), nullable=False),
        sa.Column("insolvency_date", sa.Date(), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("policy_year_start", sa.Date(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("filed_by_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("credits", sa.JSON(), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "filed",
                "documents_complete",
                "awaiting_second_approval",
                "assessed",
                "paid",
                "recovering",
                "closed",
                name="claimstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "outcome",
            sa.Enum(
                "approved",
                "partly_approved",
                "rejected",
                name="claimoutcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("decision_reason", sa.String(length=2000), nullable=True),
        sa.Column("documents_complete_on", sa.Date(), nullable=True),
        sa.Column("decision_deadline", sa.Date(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("second_approver_user_id", sa.Uuid(), nullable=True),
        sa.Column("payment_deadline", sa.Date(), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("insured_loss_minor", sa.BigInteger(), nullable=True),
        sa.Column("afl_used_minor", sa.BigInteger(), nullable=True),
        sa.Column("computed_indemnity_minor", sa.BigInteger(), nullable=True),
        sa.Column("indemnity_minor", sa.BigInteger(), nullable=True),
        sa.Column("breakdown_json", sa.JSON(), nullable=True),
        sa.Column("decision_entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "afl_used_minor IS NULL OR afl_used_minor >= 0", name=op.f("ck_claims_afl_used_range")
        ),
        sa.CheckConstraint(
            "indemnity_minor IS NULL OR indemnity_minor >= 0", name=op.f("ck_claims_indemnity_range")
        ),
        sa.CheckConstraint(
            "insured_loss_minor IS NULL OR insured_loss_minor >= 0", name=op.f("ck_claims_insured_loss_range")
        ),
        sa.ForeignKeyConstraint(["buyer_id"], ["buyers.id"], name=op.f("fk_claims_buyer_id_buyers")),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"], ["users.id"], name=op.f("fk_claims_decided_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["decision_entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_claims_decision_entry_id_journal_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["filed_by_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_claims_filed_by_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["filed_by_user_id"], ["users.id"], name=op.f("fk_claims_filed_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["insurer_id"], ["organisations.id"], name=op.f("fk_claims_insurer_id_organisations")
        ),
        sa.ForeignKeyConstraint(["policy_id"], ["policies.id"], name=op.f("fk_claims_policy_id_policies")),
        sa.ForeignKeyConstraint(
            ["policyholder_id"], ["organisations.id"], name=op.f("fk_claims_policyholder_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["second_approver_user_id"], ["users.id"], name=op.f("fk_claims_second_approver_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("number", name=op.f("uq_claims_number")),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claims_buyer_id"), ["buyer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claims_insurer_id"), ["insurer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claims_policy_id"), ["policy_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claims_policyholder_id"), ["policyholder_id"], unique=False)

    op.create_table(
        "claim_documents",
        sa.Column("claim_id", sa.Uuid(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("uploaded_by_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_claim_documents_size_positive")),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], name=op.f("fk_claim_documents_claim_id_claims")),
        sa.ForeignKeyConstraint(
            ["uploaded_by_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_claim_documents_uploaded_by_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_user_id"], ["users.id"], name=op.f("fk_claim_documents_uploaded_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_documents")),
        sa.UniqueConstraint("claim_id", "sha256", name=op.f("uq_claim_documents_claim_id_sha256")),
    )
    with op.batch_alter_table("claim_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_documents_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "claim_member_shares",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("claim_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("share", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("to_bank_minor", sa.BigInteger(), nullable=False),
        sa.Column("to_insured_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.CheckConstraint("amount_minor >= 0", name=op.f("ck_claim_member_shares_amount_range")),
        sa.CheckConstraint(
            "to_bank_minor >= 0 AND to_insured_minor >= 0"
            " AND to_bank_minor + to_insured_minor = amount_minor",
            name=op.f("ck_claim_member_shares_payees"),
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_member_shares_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["journal_entries.id"], name=op.f("fk_claim_member_shares_entry_id_journal_entries")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["organisations.id"], name=op.f("fk_claim_member_shares_member_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["paid_by_user_id"], ["users.id"], name=op.f("fk_claim_member_shares_paid_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_member_shares")),
        sa.UniqueConstraint(
            "claim_id", "idempotency_key", name=op.f("uq_claim_member_shares_claim_id_idempotency_key")
        ),
        sa.UniqueConstraint("claim_id", "member_id", name=op.f("uq_claim_member_shares_claim_id_member_id")),
    )
    with op.batch_alter_table("claim_member_shares", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_member_shares_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_member_shares_member_id"), ["member_id"], unique=False)

    op.create_table(
        "recoveries",
        sa.Column("claim_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("costs_minor", sa.BigInteger(), nullable=False),
        sa.Column("net_minor", sa.BigInteger(), nullable=False),
        sa.Column("insurers_minor", sa.BigInteger(), nullable=False),
        sa.Column("insured_minor", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("breakdown_json", sa.JSON(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("recorded_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_recoveries_amount_positive")),
        sa.CheckConstraint("costs_minor >= 0", name=op.f("ck_recoveries_costs_range")),
        sa.CheckConstraint(
            "insurers_minor >= 0 AND insured_minor >= 0 AND insurers_minor + insured_minor = net_minor",
            name=op.f("ck_recoveries_parts"),
        ),
        sa.CheckConstraint("net_minor >= 0", name=op.f("ck_recoveries_net_range")),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], name=op.f("fk_recoveries_claim_id_claims")),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["journal_entries.id"], name=op.f("fk_recoveries_entry_id_journal_entries")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"], ["users.id"], name=op.f("fk_recoveries_recorded_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recoveries")),
        sa.UniqueConstraint(
            "claim_id", "idempotency_key", name=op.f("uq_recoveries_claim_id_idempotency_key")
        ),
    )
    with op.batch_alter_table("recoveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recoveries_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "claim_invoices",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("claim_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("shipment_id", sa.Uuid(), nullable=False),
        sa.Column("live_shipment_id", sa.Uuid(), nullable=True),
        sa.Column("overdue_id", sa.Uuid(), nullable=True),
        sa.Column("invoice_number", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("shipment_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("insured_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_minor", sa.BigInteger(), nullable=False),
        sa.Column("unpaid_insured_minor", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_claim_invoices_amount_positive")),
        sa.CheckConstraint(
            "insured_minor >= 0 AND insured_minor <= amount_minor",
            name=op.f("ck_claim_invoices_insured_range"),
        ),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], name=op.f("fk_claim_invoices_claim_id_claims")),
        sa.ForeignKeyConstraint(
            ["live_shipment_id"], ["shipments.id"], name=op.f("fk_claim_invoices_live_shipment_id_shipments")
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_claim_invoices_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_invoices")),
        sa.UniqueConstraint("claim_id", "shipment_id", name=op.f("uq_claim_invoices_claim_id_shipment_id")),
        sa.UniqueConstraint("live_shipment_id", name=op.f("uq_claim_invoices_live_shipment_id")),
    )
    with op.batch_alter_table("claim_invoices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_invoices_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_invoices_shipment_id"), ["shipment_id"], unique=False)

    op.create_table(
        "recovery_shares",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("recovery_id", sa.Uuid(), nullable=False),
        sa.Column("claim_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("share", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount_minor >= 0", name=op.f("ck_recovery_shares_amount_range")),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], name=op.f("fk_recovery_shares_claim_id_claims")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["organisations.id"], name=op.f("fk_recovery_shares_member_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["recovery_id"], ["recoveries.id"], name=op.f("fk_recovery_shares_recovery_id_recoveries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_shares")),
        sa.UniqueConstraint(
            "recovery_id", "member_id", name=op.f("uq_recovery_shares_recovery_id_member_id")
        ),
    )
    with op.batch_alter_table("recovery_shares", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_shares_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_recovery_shares_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_recovery_shares_recovery_id"), ["recovery_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("recovery_shares", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_shares_recovery_id"))
        batch_op.drop_index(batch_op.f("ix_recovery_shares_member_id"))
        batch_op.drop_index(batch_op.f("ix_recovery_shares_claim_id"))
    op.drop_table("recovery_shares")
    with op.batch_alter_table("claim_invoices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_invoices_shipment_id"))
        batch_op.drop_index(batch_op.f("ix_claim_invoices_claim_id"))
    op.drop_table("claim_invoices")
    with op.batch_alter_table("recoveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recoveries_claim_id"))
    op.drop_table("recoveries")
    with op.batch_alter_table("claim_member_shares", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_member_shares_member_id"))
        batch_op.drop_index(batch_op.f("ix_claim_member_shares_claim_id"))
    op.drop_table("claim_member_shares")
    with op.batch_alter_table("claim_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_documents_claim_id"))
    op.drop_table("claim_documents")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_policyholder_id"))
        batch_op.drop_index(batch_op.f("ix_claims_policy_id"))
        batch_op.drop_index(batch_op.f("ix_claims_insurer_id"))
        batch_op.drop_index(batch_op.f("ix_claims_buyer_id"))
    op.drop_table("claims")
