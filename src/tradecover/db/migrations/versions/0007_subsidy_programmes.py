"""Subsidy programmes, enrolments, budget commitments and applications

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 10:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subsidy_programmes",
        sa.Column("sponsor_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "premium",
                "platform_policy",
                name="programmekind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("product_kinds", sa.JSON(), nullable=False),
        sa.Column("rules_json", sa.JSON(), nullable=False),
        sa.Column("tiers_json", sa.JSON(), nullable=False),
        sa.Column("cap_minor", sa.BigInteger(), nullable=True),
        sa.Column(
            "mode",
            sa.Enum(
                "direct", "reimbursement", name="mode", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("enrolment_required", sa.Boolean(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("platform_product_id", sa.Uuid(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("cap_minor IS NULL OR cap_minor >= 0", name=op.f("ck_subsidy_programmes_cap")),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_subsidy_programmes_period_order")),
        sa.ForeignKeyConstraint(
            ["platform_product_id"],
            ["products.id"],
            name=op.f("fk_subsidy_programmes_platform_product_id_products"),
        ),
        sa.ForeignKeyConstraint(
            ["sponsor_id"], ["organisations.id"], name=op.f("fk_subsidy_programmes_sponsor_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subsidy_programmes")),
        sa.UniqueConstraint("sponsor_id", "name", name=op.f("uq_subsidy_programmes_sponsor_id_name")),
    )
    with op.batch_alter_table("subsidy_programmes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subsidy_programmes_sponsor_id"), ["sponsor_id"], unique=False)

    op.create_table(
        "subsidy_budgets",
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("sponsor_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("committed_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_minor", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_minor >= 0", name=op.f("ck_subsidy_budgets_amount")),
        sa.CheckConstraint(
            "committed_minor >= 0 AND committed_minor <= amount_minor",
            name=op.f("ck_subsidy_budgets_committed"),
        ),
        sa.CheckConstraint(
            "paid_minor >= 0 AND paid_minor <= committed_minor", name=op.f("ck_subsidy_budgets_paid")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["subsidy_programmes.id"],
            name=op.f("fk_subsidy_budgets_programme_id_subsidy_programmes"),
        ),
        sa.ForeignKeyConstraint(
            ["sponsor_id"], ["organisations.id"], name=op.f("fk_subsidy_budgets_sponsor_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subsidy_budgets")),
        sa.UniqueConstraint("programme_id", "year", name=op.f("uq_subsidy_budgets_programme_id_year")),
    )
    with op.batch_alter_table("subsidy_budgets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subsidy_budgets_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "subsidy_payments",
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("sponsor_id", sa.Uuid(), nullable=False),
        sa.Column("payee_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "direct",
                "reimbursement",
                name="paymentkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("paid_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_subsidy_payments_amount_positive")),
        sa.ForeignKeyConstraint(
            ["paid_by_user_id"], ["users.id"], name=op.f("fk_subsidy_payments_paid_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["payee_id"], ["organisations.id"], name=op.f("fk_subsidy_payments_payee_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["subsidy_programmes.id"],
            name=op.f("fk_subsidy_payments_programme_id_subsidy_programmes"),
        ),
        sa.ForeignKeyConstraint(
            ["sponsor_id"], ["organisations.id"], name=op.f("fk_subsidy_payments_sponsor_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subsidy_payments")),
        sa.UniqueConstraint(
            "sponsor_id",
            "idempotency_key",
            "payee_id",
            "currency",
            name=op.f("uq_subsidy_payments_sponsor_id_idempotency_key_payee_id_currency"),
        ),
    )
    with op.batch_alter_table("subsidy_payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subsidy_payments_payee_id"), ["payee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_subsidy_payments_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "subsidy_commitments",
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("sponsor_id", sa.Uuid(), nullable=False),
        sa.Column("policyholder_id", sa.Uuid(), nullable=False),
        sa.Column("insurer_id", sa.Uuid(), nullable=False),
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("product_kind", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("committed_on", sa.Date(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("premium_minor", sa.BigInteger(), nullable=False),
        sa.Column("rate", sa.String(length=64), nullable=False),
        sa.Column("requested_minor", sa.BigInteger(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("fx_rate", sa.String(length=64), nullable=False),
        sa.Column("programme_currency", sa.String(length=3), nullable=False),
        sa.Column("amount_programme_minor", sa.BigInteger(), nullable=False),
        sa.Column(
            "mode",
            sa.Enum(
                "direct", "reimbursement", name="mode", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("explanation", sa.String(length=500), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "committed",
                "open",
                "applied",
                "approved",
                "rejected",
                "paid",
                "released",
                name="commitmentstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("premium_paid_on", sa.Date(), nullable=True),
        sa.Column("applied_on", sa.Date(), nullable=True),
        sa.Column("applied_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("decision_reason", sa.String(length=500), nullable=True),
        sa.Column("decision_key", sa.String(length=200), nullable=True),
        sa.Column("released_on", sa.Date(), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "amount_minor >= 0 AND amount_minor <= requested_minor",
            name=op.f("ck_subsidy_commitments_amount"),
        ),
        sa.CheckConstraint(
            "amount_programme_minor >= 0", name=op.f("ck_subsidy_commitments_amount_programme")
        ),
        sa.CheckConstraint("premium_minor >= 0", name=op.f("ck_subsidy_commitments_premium")),
        sa.ForeignKeyConstraint(
            ["applied_by_user_id"], ["users.id"], name=op.f("fk_subsidy_commitments_applied_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"], ["users.id"], name=op.f("fk_subsidy_commitments_decided_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["insurer_id"], ["organisations.id"], name=op.f("fk_subsidy_commitments_insurer_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_subsidy_commitments_policy_id_policies")
        ),
        sa.ForeignKeyConstraint(
            ["policyholder_id"],
            ["organisations.id"],
            name=op.f("fk_subsidy_commitments_policyholder_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["subsidy_programmes.id"],
            name=op.f("fk_subsidy_commitments_programme_id_subsidy_programmes"),
        ),
        sa.ForeignKeyConstraint(
            ["sponsor_id"], ["organisations.id"], name=op.f("fk_subsidy_commitments_sponsor_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subsidy_commitments")),
        sa.UniqueConstraint(
            "invoice_id", "programme_id", name=op.f("uq_subsidy_commitments_invoice_id_programme_id")
        ),
        sa.UniqueConstraint(
            "sponsor_id", "decision_key", name=op.f("uq_subsidy_commitments_sponsor_id_decision_key")
        ),
    )
    with op.batch_alter_table("subsidy_commitments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_subsidy_commitments_holder_programme_year",
            ["policyholder_id", "programme_id", "year"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_subsidy_commitments_insurer_id"), ["insurer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_subsidy_commitments_invoice_id"), ["invoice_id"], unique=False)
        batch_op.create_index("ix_subsidy_commitments_programme_year", ["programme_id", "year"], unique=False)
        batch_op.create_index(batch_op.f("ix_subsidy_commitments_sponsor_id"), ["sponsor_id"], unique=False)

    op.create_table(
        "subsidy_enrolments",
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("sponsor_id", sa.Uuid(), nullable=False),
        sa.Column("policyholder_id", sa.Uuid(), nullable=False),
        sa.Column("policy_id", sa.Uuid(), nullable=True),
        sa.Column("enrolled_on", sa.Date(), nullable=False),
        sa.Column("enrolled_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolled_by_user_id"],
            ["users.id"],
            name=op.f("fk_subsidy_enrolments_enrolled_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_subsidy_enrolments_policy_id_policies")
        ),
        sa.ForeignKeyConstraint(
            ["policyholder_id"],
            ["organisations.id"],
            name=op.f("fk_subsidy_enrolments_policyholder_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["subsidy_programmes.id"],
            name=op.f("fk_subsidy_enrolments_programme_id_subsidy_programmes"),
        ),
        sa.ForeignKeyConstraint(
            ["sponsor_id"], ["organisations.id"], name=op.f("fk_subsidy_enrolments_sponsor_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subsidy_enrolments")),
        sa.UniqueConstraint(
            "programme_id", "policyholder_id", name=op.f("uq_subsidy_enrolments_programme_id_policyholder_id")
        ),
    )
    with op.batch_alter_table("subsidy_enrolments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subsidy_enrolments_policyholder_id"), ["policyholder_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_subsidy_enrolments_programme_id"), ["programme_id"], unique=False
        )

    op.create_table(
        "subsidy_payment_lines",
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("commitment_id", sa.Uuid(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_subsidy_payment_lines_amount_positive")),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["subsidy_commitments.id"],
            name=op.f("fk_subsidy_payment_lines_commitment_id_subsidy_commitments"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["subsidy_payments.id"],
            name=op.f("fk_subsidy_payment_lines_payment_id_subsidy_payments"),
        ),
        sa.PrimaryKeyConstraint("payment_id", "commitment_id", name=op.f("pk_subsidy_payment_lines")),
    )
    with op.batch_alter_table("subsidy_payment_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subsidy_payment_lines_commitment_id"), ["commitment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("subsidy_payment_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subsidy_payment_lines_commitment_id"))

    op.drop_table("subsidy_payment_lines")
    with op.batch_alter_table("subsidy_enrolments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subsidy_enrolments_programme_id"))
        batch_op.drop_index(batch_op.f("ix_subsidy_enrolments_policyholder_id"))

    op.drop_table("subsidy_enrolments")
    with op.batch_alter_table("subsidy_commitments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subsidy_commitments_sponsor_id"))
        batch_op.drop_index("ix_subsidy_commitments_programme_year")
        batch_op.drop_index(batch_op.f("ix_subsidy_commitments_invoice_id"))
        batch_op.drop_index(batch_op.f("ix_subsidy_commitments_insurer_id"))
        batch_op.drop_index("ix_subsidy_commitments_holder_programme_year")

    op.drop_table("subsidy_commitments")
    with op.batch_alter_table("subsidy_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subsidy_payments_programme_id"))
        batch_op.drop_index(batch_op.f("ix_subsidy_payments_payee_id"))

    op.drop_table("subsidy_payments")
    with op.batch_alter_table("subsidy_budgets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subsidy_budgets_programme_id"))

    op.drop_table("subsidy_budgets")
    with op.batch_alter_table("subsidy_programmes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subsidy_programmes_sponsor_id"))

    op.drop_table("subsidy_programmes")
