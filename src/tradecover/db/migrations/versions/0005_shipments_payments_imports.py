"""Declared shipments and payments, payment applications, and imported declaration files

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 08:38:54.639042
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "declaration_imports",
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_sha256", sa.String(length=64), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("shipments", sa.Integer(), nullable=False),
        sa.Column("payments", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "imported",
                "rejected",
                name="importstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("policyholder_id", sa.Uuid(), nullable=False),
        sa.Column("insurer_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "accepted >= 0 AND rejected >= 0 AND rows = accepted + rejected",
            name=op.f("ck_declaration_imports_counts"),
        ),
        sa.ForeignKeyConstraint(
            ["imported_by_user_id"],
            ["users.id"],
            name=op.f("fk_declaration_imports_imported_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["insurer_id"], ["organisations.id"], name=op.f("fk_declaration_imports_insurer_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_declaration_imports_policy_id_policies")
        ),
        sa.ForeignKeyConstraint(
            ["policyholder_id"],
            ["organisations.id"],
            name=op.f("fk_declaration_imports_policyholder_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declaration_imports")),
        sa.UniqueConstraint(
            "policy_id", "imported_sha256", name=op.f("uq_declaration_imports_policy_id_imported_sha256")
        ),
    )
    with op.batch_alter_table("declaration_imports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_declaration_imports_insurer_id"), ["insurer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_declaration_imports_policy_id"), ["policy_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_declaration_imports_policyholder_id"), ["policyholder_id"], unique=False
        )

    op.create_table(
        "payments",
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("unapplied_minor", sa.BigInteger(), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("declared_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("import_batch_id", sa.Uuid(), nullable=True),
        sa.Column("policyholder_id", sa.Uuid(), nullable=False),
        sa.Column("insurer_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_payments_amount_positive")),
        sa.CheckConstraint(
            "unapplied_minor >= 0 AND unapplied_minor <= amount_minor",
            name=op.f("ck_payments_unapplied_range"),
        ),
        sa.ForeignKeyConstraint(["buyer_id"], ["buyers.id"], name=op.f("fk_payments_buyer_id_buyers")),
        sa.ForeignKeyConstraint(
            ["declared_by_user_id"], ["users.id"], name=op.f("fk_payments_declared_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["declaration_imports.id"],
            name=op.f("fk_payments_import_batch_id_declaration_imports"),
        ),
        sa.ForeignKeyConstraint(
            ["insurer_id"], ["organisations.id"], name=op.f("fk_payments_insurer_id_organisations")
        ),
        sa.ForeignKeyConstraint(["policy_id"], ["policies.id"], name=op.f("fk_payments_policy_id_policies")),
        sa.ForeignKeyConstraint(
            ["policyholder_id"], ["organisations.id"], name=op.f("fk_payments_policyholder_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_import_batch_id"), ["import_batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payments_insurer_id"), ["insurer_id"], unique=False)
        batch_op.create_index(
            "ix_payments_policy_buyer_date", ["policy_id", "buyer_id", "received_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_payments_policyholder_id"), ["policyholder_id"], unique=False)

    op.create_table(
        "shipments",
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_number", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("shipment_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("declared_on", sa.Date(), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("declared_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("import_batch_id", sa.Uuid(), nullable=True),
        sa.Column("insured_minor", sa.BigInteger(), nullable=False),
        sa.Column("premium_minor", sa.BigInteger(), nullable=True),
        sa.Column("paid_minor", sa.BigInteger(), nullable=False),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.Column("max_credit_days", sa.SmallInteger(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column(
            "cover_source",
            sa.Enum(
                "limit",
                "dcl",
                "none",
                name="coversource",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("cover_minor", sa.BigInteger(), nullable=False),
        sa.Column("exposure_minor", sa.BigInteger(), nullable=False),
        sa.Column("stopped_since", sa.Date(), nullable=True),
        sa.Column("loss_event_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_shipments_amount_positive")),
        sa.CheckConstraint("due_date >= shipment_date", name=op.f("ck_shipments_due_after_shipment")),
        sa.CheckConstraint(
            "insured_minor >= 0 AND insured_minor <= amount_minor", name=op.f("ck_shipments_insured_range")
        ),
        sa.CheckConstraint(
            "paid_minor >= 0 AND paid_minor <= amount_minor", name=op.f("ck_shipments_paid_range")
        ),
        sa.ForeignKeyConstraint(["buyer_id"], ["buyers.id"], name=op.f("fk_shipments_buyer_id_buyers")),
        sa.ForeignKeyConstraint(
            ["declared_by_user_id"], ["users.id"], name=op.f("fk_shipments_declared_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["declaration_imports.id"],
            name=op.f("fk_shipments_import_batch_id_declaration_imports"),
        ),
        sa.ForeignKeyConstraint(["policy_id"], ["policies.id"], name=op.f("fk_shipments_policy_id_policies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
        sa.UniqueConstraint(
            "policy_id", "invoice_number", name=op.f("uq_shipments_policy_id_invoice_number")
        ),
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_shipments_policy_buyer_date", ["policy_id", "buyer_id", "shipment_date"], unique=False
        )

    op.create_table(
        "payment_applications",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("shipment_id", sa.Uuid(), nullable=False),
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("paid_minor", sa.BigInteger(), nullable=False),
        sa.Column("insured_released_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("insured_released_minor >= 0", name=op.f("ck_payment_applications_released")),
        sa.CheckConstraint("paid_minor > 0", name=op.f("ck_payment_applications_paid_positive")),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["buyers.id"], name=op.f("fk_payment_applications_buyer_id_buyers")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_payment_applications_payment_id_payments")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_payment_applications_policy_id_policies")
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_payment_applications_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_applications")),
    )
    with op.batch_alter_table("payment_applications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_applications_payment_id"), ["payment_id"], unique=False)
        batch_op.create_index(
            "ix_payment_applications_policy_buyer_date",
            ["policy_id", "buyer_id", "received_on"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_payment_applications_shipment_id"), ["shipment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("payment_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_applications_shipment_id"))
        batch_op.drop_index("ix_payment_applications_policy_buyer_date")
        batch_op.drop_index(batch_op.f("ix_payment_applications_payment_id"))

    op.drop_table("payment_applications")
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index("ix_shipments_policy_buyer_date")

    op.drop_table("shipments")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_policyholder_id"))
        batch_op.drop_index("ix_payments_policy_buyer_date")
        batch_op.drop_index(batch_op.f("ix_payments_insurer_id"))
        batch_op.drop_index(batch_op.f("ix_payments_import_batch_id"))

    op.drop_table("payments")
    with op.batch_alter_table("declaration_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_declaration_imports_policyholder_id"))
        batch_op.drop_index(batch_op.f("ix_declaration_imports_policy_id"))
        batch_op.drop_index(batch_op.f("ix_declaration_imports_insurer_id"))

    op.drop_table("declaration_imports")
