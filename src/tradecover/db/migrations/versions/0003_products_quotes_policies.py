"""Products, rate tables and cells, quote requests, quotes, policies and policy versions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 08:15:26.839369
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "products",
        sa.Column("insurer_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "export_whole_turnover",
                "domestic_whole_turnover",
                "single_buyer",
                "platform",
                name="productkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("terms_json", sa.JSON(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("sends_quotes_automatically", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["insurer_id"], ["organisations.id"], name=op.f("fk_products_insurer_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("insurer_id", "kind", name=op.f("uq_products_insurer_id_kind")),
    )
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_products_insurer_id"), ["insurer_id"], unique=False)

    op.create_table(
        "quote_requests",
        sa.Column("policyholder_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by_user_id", sa.Uuid(), nullable=True),
        sa.Column(
            "product_kind",
            sa.Enum(
                "export_whole_turnover",
                "domestic_whole_turnover",
                "single_buyer",
                "platform",
                name="productkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("typical_credit_days", sa.SmallInteger(), nullable=False),
        sa.Column("turnover_lines", sa.JSON(), nullable=False),
        sa.Column("named_buyer_ids", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "accepted",
                "withdrawn",
                name="quoterequeststatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("period_end > period_start", name=op.f("ck_quote_requests_period_order")),
        sa.CheckConstraint("typical_credit_days > 0", name=op.f("ck_quote_requests_credit_days_positive")),
        sa.ForeignKeyConstraint(
            ["policyholder_id"],
            ["organisations.id"],
            name=op.f("fk_quote_requests_policyholder_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_user_id"], ["users.id"], name=op.f("fk_quote_requests_requested_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote_requests")),
    )
    with op.batch_alter_table("quote_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quote_requests_policyholder_id"), ["policyholder_id"], unique=False
        )

    op.create_table(
        "rate_tables",
        sa.Column("insurer_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("preferential_discount", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["insurer_id"], ["organisations.id"], name=op.f("fk_rate_tables_insurer_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_rate_tables_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_tables")),
        sa.UniqueConstraint("product_id", name=op.f("uq_rate_tables_product_id")),
    )
    with op.batch_alter_table("rate_tables", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_tables_insurer_id"), ["insurer_id"], unique=False)

    op.create_table(
        "quotes",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("insurer_id", sa.Uuid(), nullable=False),
        sa.Column("policyholder_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("rate_table_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "sent",
                "refused",
                "accepted",
                "not_taken",
                name="quotestatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("terms_json", sa.JSON(), nullable=True),
        sa.Column("average_rate", sa.String(length=64), nullable=True),
        sa.Column("rate_adjustment", sa.String(length=64), nullable=False),
        sa.Column("preferential_discount", sa.String(length=64), nullable=False),
        sa.Column("premium_minor", sa.BigInteger(), nullable=True),
        sa.Column("estimated_premium_minor", sa.BigInteger(), nullable=True),
        sa.Column("breakdown", sa.JSON(), nullable=False),
        sa.Column("refusal_reason", sa.String(length=500), nullable=True),
        sa.Column("underwriter_note", sa.String(length=500), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("adjusted_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["adjusted_by_user_id"], ["users.id"], name=op.f("fk_quotes_adjusted_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["insurer_id"], ["organisations.id"], name=op.f("fk_quotes_insurer_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["policyholder_id"], ["organisations.id"], name=op.f("fk_quotes_policyholder_id_organisations")
        ),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name=op.f("fk_quotes_product_id_products")),
        sa.ForeignKeyConstraint(
            ["rate_table_id"], ["rate_tables.id"], name=op.f("fk_quotes_rate_table_id_rate_tables")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["quote_requests.id"], name=op.f("fk_quotes_request_id_quote_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quotes")),
        sa.UniqueConstraint("request_id", "insurer_id", name=op.f("uq_quotes_request_id_insurer_id")),
    )
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quotes_insurer_id"), ["insurer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quotes_policyholder_id"), ["policyholder_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quotes_request_id"), ["request_id"], unique=False)

    op.create_table(
        "rate_cells",
        sa.Column("rate_table_id", sa.Uuid(), nullable=False),
        sa.Column("buyer_grade_to", sa.SmallInteger(), nullable=False),
        sa.Column("country_grade", sa.SmallInteger(), nullable=False),
        sa.Column("credit_days_to", sa.SmallInteger(), nullable=False),
        sa.Column("rate", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["rate_table_id"], ["rate_tables.id"], name=op.f("fk_rate_cells_rate_table_id_rate_tables")
        ),
        sa.PrimaryKeyConstraint(
            "rate_table_id", "buyer_grade_to", "country_grade", "credit_days_to", name=op.f("pk_rate_cells")
        ),
    )
    op.create_table(
        "policies",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("policyholder_id", sa.Uuid(), nullable=False),
        sa.Column("insurer_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column(
            "product_kind",
            sa.Enum(
                "export_whole_turnover",
                "domestic_whole_turnover",
                "single_buyer",
                "platform",
                name="productkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("quote_id", sa.Uuid(), nullable=True),
        sa.Column("named_buyer_id", sa.Uuid(), nullable=True),
        sa.Column("rate_table_id", sa.Uuid(), nullable=True),
        sa.Column("rate_adjustment", sa.String(length=64), nullable=False),
        sa.Column("preferential_discount", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "in_force",
                "expired",
                "cancelled",
                name="policystatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_on", sa.Date(), nullable=True),
        sa.Column("cancellation_reason", sa.String(length=500), nullable=True),
        sa.Column("expired_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("period_end > period_start", name=op.f("ck_policies_period_order")),
        sa.ForeignKeyConstraint(
            ["insurer_id"], ["organisations.id"], name=op.f("fk_policies_insurer_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["named_buyer_id"], ["buyers.id"], name=op.f("fk_policies_named_buyer_id_buyers")
        ),
        sa.ForeignKeyConstraint(
            ["policyholder_id"], ["organisations.id"], name=op.f("fk_policies_policyholder_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_policies_product_id_products")
        ),
        sa.ForeignKeyConstraint(["quote_id"], ["quotes.id"], name=op.f("fk_policies_quote_id_quotes")),
        sa.ForeignKeyConstraint(
            ["rate_table_id"], ["rate_tables.id"], name=op.f("fk_policies_rate_table_id_rate_tables")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policies")),
        sa.UniqueConstraint("number", name=op.f("uq_policies_number")),
        sa.UniqueConstraint("quote_id", name=op.f("uq_policies_quote_id")),
    )
    with op.batch_alter_table("policies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policies_insurer_id"), ["insurer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_policies_policyholder_id"), ["policyholder_id"], unique=False)

    op.create_table(
        "policy_versions",
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("terms_json", sa.JSON(), nullable=False),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_policy_versions_version")),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"], ["users.id"], name=op.f("fk_policy_versions_created_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_policy_versions_policy_id_policies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_versions")),
        sa.UniqueConstraint("policy_id", "version", name=op.f("uq_policy_versions_policy_id_version")),
    )
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_versions_policy_id"), ["policy_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_versions_policy_id"))

    op.drop_table("policy_versions")
    with op.batch_alter_table("policies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policies_policyholder_id"))
        batch_op.drop_index(batch_op.f("ix_policies_insurer_id"))

    op.drop_table("policies")
    op.drop_table("rate_cells")
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quotes_request_id"))
        batch_op.drop_index(batch_op.f("ix_quotes_policyholder_id"))
        batch_op.drop_index(batch_op.f("ix_quotes_insurer_id"))

    op.drop_table("quotes")
    with op.batch_alter_table("rate_tables", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_tables_insurer_id"))

    op.drop_table("rate_tables")
    with op.batch_alter_table("quote_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quote_requests_policyholder_id"))

    op.drop_table("quote_requests")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_products_insurer_id"))

    op.drop_table("products")
