"""Premium invoices, lines, credit notes and premium payments

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 10:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "premium_invoices",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "monthly", "true_up", name="invoicekind", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("live_period_start", sa.Date(), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("premium_minor", sa.BigInteger(), nullable=False),
        sa.Column("subsidy_minor", sa.BigInteger(), nullable=False),
        sa.Column("firm_share_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_minor", sa.BigInteger(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "issued",
                "partly_paid",
                "paid",
                "credited",
                name="invoicestatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "dunning_level",
            sa.Enum(
                "none",
                "reminder",
                "second_reminder",
                "non_payment",
                name="dunninglevel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("dunned_on", sa.Date(), nullable=True),
        sa.Column("subsidies", sa.JSON(), nullable=False),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("issued_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("policyholder_id", sa.Uuid(), nullable=False),
        sa.Column("insurer_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("due_date >= issued_on", name=op.f("ck_premium_invoices_due_after_issue")),
        sa.CheckConstraint(
            "firm_share_minor = premium_minor - subsidy_minor", name=op.f("ck_premium_invoices_firm_share")
        ),
        sa.CheckConstraint(
            "paid_minor >= 0 AND paid_minor <= firm_share_minor", name=op.f("ck_premium_invoices_paid_range")
        ),
        sa.CheckConstraint("premium_minor > 0", name=op.f("ck_premium_invoices_premium_positive")),
        sa.CheckConstraint(
            "subsidy_minor >= 0 AND subsidy_minor <= premium_minor",
            name=op.f("ck_premium_invoices_subsidy_range"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["journal_entries.id"], name=op.f("fk_premium_invoices_entry_id_journal_entries")
        ),
        sa.ForeignKeyConstraint(
            ["insurer_id"], ["organisations.id"], name=op.f("fk_premium_invoices_insurer_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_user_id"], ["users.id"], name=op.f("fk_premium_invoices_issued_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_premium_invoices_policy_id_policies")
        ),
        sa.ForeignKeyConstraint(
            ["policyholder_id"],
            ["organisations.id"],
            name=op.f("fk_premium_invoices_policyholder_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_premium_invoices")),
        sa.UniqueConstraint("number", name=op.f("uq_premium_invoices_number")),
        sa.UniqueConstraint(
            "policy_id",
            "kind",
            "live_period_start",
            name=op.f("uq_premium_invoices_policy_id_kind_live_period_start"),
        ),
    )
    with op.batch_alter_table("premium_invoices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_premium_invoices_insurer_id"), ["insurer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_premium_invoices_policy_id"), ["policy_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_premium_invoices_policyholder_id"), ["policyholder_id"], unique=False
        )
    op.create_table(
        "premium_invoice_lines",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        sa.Column("shipment_id", sa.Uuid(), nullable=False),
        sa.Column("live_shipment_id", sa.Uuid(), nullable=True),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_number", sa.String(length=64), nullable=False),
        sa.Column("shipment_date", sa.Date(), nullable=False),
        sa.Column("buyer_grade", sa.SmallInteger(), nullable=False),
        sa.Column("buyer_grade_band", sa.SmallInteger(), nullable=False),
        sa.Column("country_grade", sa.SmallInteger(), nullable=False),
        sa.Column("credit_days", sa.Integer(), nullable=False),
        sa.Column("credit_day_band", sa.SmallInteger(), nullable=False),
        sa.Column("rate", sa.String(length=64), nullable=False),
        sa.Column("rate_adjustment", sa.String(length=64), nullable=False),
        sa.Column("discount", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("insured_minor", sa.BigInteger(), nullable=False),
        sa.Column("premium_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("insured_minor > 0", name=op.f("ck_premium_invoice_lines_insured_positive")),
        sa.CheckConstraint("premium_minor >= 0", name=op.f("ck_premium_invoice_lines_premium_range")),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["buyers.id"], name=op.f("fk_premium_invoice_lines_buyer_id_buyers")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["premium_invoices.id"],
            name=op.f("fk_premium_invoice_lines_invoice_id_premium_invoices"),
        ),
        sa.ForeignKeyConstraint(
            ["live_shipment_id"],
            ["shipments.id"],
            name=op.f("fk_premium_invoice_lines_live_shipment_id_shipments"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_premium_invoice_lines_policy_id_policies")
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_premium_invoice_lines_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_premium_invoice_lines")),
        sa.UniqueConstraint("live_shipment_id", name=op.f("uq_premium_invoice_lines_live_shipment_id")),
    )
    with op.batch_alter_table("premium_invoice_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_premium_invoice_lines_invoice_id"), ["invoice_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_premium_invoice_lines_shipment_id"), ["shipment_id"], unique=False
        )
    op.create_table(
        "premium_invoice_members",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("policyholder_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("leader_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("share", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("premium_minor", sa.BigInteger(), nullable=False),
        sa.Column("firm_minor", sa.BigInteger(), nullable=False),
        sa.Column("subsidy_minor", sa.BigInteger(), nullable=False),
        sa.Column("commission_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "paid_minor >= 0 AND paid_minor <= firm_minor", name=op.f("ck_premium_invoice_members_paid_range")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["premium_invoices.id"],
            name=op.f("fk_premium_invoice_members_invoice_id_premium_invoices"),
        ),
        sa.ForeignKeyConstraint(
            ["leader_id"],
            ["organisations.id"],
            name=op.f("fk_premium_invoice_members_leader_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["organisations.id"],
            name=op.f("fk_premium_invoice_members_member_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["policyholder_id"],
            ["organisations.id"],
            name=op.f("fk_premium_invoice_members_policyholder_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_premium_invoice_members")),
        sa.UniqueConstraint(
            "invoice_id", "member_id", name=op.f("uq_premium_invoice_members_invoice_id_member_id")
        ),
    )
    with op.batch_alter_table("premium_invoice_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_premium_invoice_members_invoice_id"), ["invoice_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_premium_invoice_members_member_id"), ["member_id"], unique=False)
    op.create_table(
        "premium_credit_notes",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("to_credit_minor", sa.BigInteger(), nullable=False),
        sa.Column("issued_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("policyholder_id", sa.Uuid(), nullable=False),
        sa.Column("insurer_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_premium_credit_notes_amount_positive")),
        sa.ForeignKeyConstraint(
            ["insurer_id"],
            ["organisations.id"],
            name=op.f("fk_premium_credit_notes_insurer_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["premium_invoices.id"],
            name=op.f("fk_premium_credit_notes_invoice_id_premium_invoices"),
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_user_id"], ["users.id"], name=op.f("fk_premium_credit_notes_issued_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_premium_credit_notes_policy_id_policies")
        ),
        sa.ForeignKeyConstraint(
            ["policyholder_id"],
            ["organisations.id"],
            name=op.f("fk_premium_credit_notes_policyholder_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_premium_credit_notes")),
        sa.UniqueConstraint("invoice_id", name=op.f("uq_premium_credit_notes_invoice_id")),
        sa.UniqueConstraint("number", name=op.f("uq_premium_credit_notes_number")),
    )
    with op.batch_alter_table("premium_credit_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_premium_credit_notes_insurer_id"), ["insurer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_premium_credit_notes_policy_id"), ["policy_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_premium_credit_notes_policyholder_id"), ["policyholder_id"], unique=False
        )
    op.create_table(
        "premium_payments",
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "received",
                "credit",
                name="paymentsource",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("applied_minor", sa.BigInteger(), nullable=False),
        sa.Column("over_minor", sa.BigInteger(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("recorded_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("policyholder_id", sa.Uuid(), nullable=False),
        sa.Column("insurer_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_premium_payments_amount_positive")),
        sa.CheckConstraint(
            "applied_minor >= 0 AND over_minor >= 0 AND applied_minor + over_minor = amount_minor",
            name=op.f("ck_premium_payments_parts"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["journal_entries.id"], name=op.f("fk_premium_payments_entry_id_journal_entries")
        ),
        sa.ForeignKeyConstraint(
            ["insurer_id"], ["organisations.id"], name=op.f("fk_premium_payments_insurer_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["premium_invoices.id"],
            name=op.f("fk_premium_payments_invoice_id_premium_invoices"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_premium_payments_policy_id_policies")
        ),
        sa.ForeignKeyConstraint(
            ["policyholder_id"],
            ["organisations.id"],
            name=op.f("fk_premium_payments_policyholder_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"], ["users.id"], name=op.f("fk_premium_payments_recorded_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_premium_payments")),
        sa.UniqueConstraint(
            "policyholder_id",
            "idempotency_key",
            name=op.f("uq_premium_payments_policyholder_id_idempotency_key"),
        ),
    )
    with op.batch_alter_table("premium_payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_premium_payments_insurer_id"), ["insurer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_premium_payments_invoice_id"), ["invoice_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_premium_payments_policy_id"), ["policy_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_premium_payments_policyholder_id"), ["policyholder_id"], unique=False
        )
    with op.batch_alter_table("policies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("premium_arrears_since", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("premium_arrears_invoice", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("policies", schema=None) as batch_op:
        batch_op.drop_column("premium_arrears_invoice")
        batch_op.drop_column("premium_arrears_since")
    with op.batch_alter_table("premium_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_premium_payments_policyholder_id"))
        batch_op.drop_index(batch_op.f("ix_premium_payments_policy_id"))
        batch_op.drop_index(batch_op.f("ix_premium_payments_invoice_id"))
        batch_op.drop_index(batch_op.f("ix_premium_payments_insurer_id"))
    op.drop_table("premium_payments")
    with op.batch_alter_table("premium_credit_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_premium_credit_notes_policyholder_id"))
        batch_op.drop_index(batch_op.f("ix_premium_credit_notes_policy_id"))
        batch_op.drop_index(batch_op.f("ix_premium_credit_notes_insurer_id"))
    op.drop_table("premium_credit_notes")
    with op.batch_alter_table("premium_invoice_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_premium_invoice_members_member_id"))
        batch_op.drop_index(batch_op.f("ix_premium_invoice_members_invoice_id"))
    op.drop_table("premium_invoice_members")
    with op.batch_alter_table("premium_invoice_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_premium_invoice_lines_shipment_id"))
        batch_op.drop_index(batch_op.f("ix_premium_invoice_lines_invoice_id"))
    op.drop_table("premium_invoice_lines")
    with op.batch_alter_table("premium_invoices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_premium_invoices_policyholder_id"))
        batch_op.drop_index(batch_op.f("ix_premium_invoices_policy_id"))
        batch_op.drop_index(batch_op.f("ix_premium_invoices_insurer_id"))
    op.drop_table("premium_invoices")
