"""Oversight monthly totals per policy, and the marks of policies whose totals must be rebuilt

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _key(*columns: sa.Column[object]) -> list[sa.Column[object]]:
    return [
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        *columns,
    ]


def upgrade() -> None:
    op.create_table(
        "monthly_turnover",
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        *_key(
            sa.Column("insured_minor", sa.BigInteger(), nullable=False),
            sa.Column("premium_minor", sa.BigInteger(), nullable=False),
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_monthly_turnover_policy_id_policies")
        ),
        sa.PrimaryKeyConstraint("policy_id", "month", "currency", name=op.f("pk_monthly_turnover")),
    )
    op.create_index(
        "ix_monthly_turnover_month",
        "monthly_turnover",
        ["month", "currency", "policy_id", "insured_minor", "premium_minor"],
        unique=False,
    )
    op.create_table(
        "monthly_buyer_turnover",
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        *_key(
            sa.Column("buyer_country", sa.String(length=2), nullable=False),
            sa.Column("buyer_sector", sa.String(length=32), nullable=False),
            sa.Column("insured_minor", sa.BigInteger(), nullable=False),
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_monthly_buyer_turnover_policy_id_policies")
        ),
        sa.PrimaryKeyConstraint(
            "policy_id",
            "month",
            "currency",
            "buyer_country",
            "buyer_sector",
            name=op.f("pk_monthly_buyer_turnover"),
        ),
    )
    op.create_table(
        "monthly_carrier_buyer_turnover",
        sa.Column("insurer_id", sa.Uuid(), nullable=False),
        *_key(
            sa.Column("buyer_country", sa.String(length=2), nullable=False),
            sa.Column("buyer_sector", sa.String(length=32), nullable=False),
            sa.Column("insured_minor", sa.BigInteger(), nullable=False),
        ),
        sa.ForeignKeyConstraint(
            ["insurer_id"],
            ["organisations.id"],
            name=op.f("fk_monthly_carrier_buyer_turnover_insurer_id_organisations"),
        ),
        sa.PrimaryKeyConstraint(
            "insurer_id",
            "month",
            "currency",
            "buyer_country",
            "buyer_sector",
            name=op.f("pk_monthly_carrier_buyer_turnover"),
        ),
    )
    op.create_table(
        "monthly_limit_changes",
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        *_key(sa.Column("change_minor", sa.BigInteger(), nullable=False)),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_monthly_limit_changes_policy_id_policies")
        ),
        sa.PrimaryKeyConstraint("policy_id", "month", "currency", name=op.f("pk_monthly_limit_changes")),
    )
    op.create_index(
        "ix_monthly_limit_changes_month",
        "monthly_limit_changes",
        ["month", "currency", "policy_id", "change_minor"],
        unique=False,
    )
    op.create_table(
        "stale_policies",
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_stale_policies_policy_id_policies")
        ),
        sa.PrimaryKeyConstraint("policy_id", name=op.f("pk_stale_policies")),
    )
    # A book migrated from 0013 gets its totals built from its facts by the first oversight read.
    op.execute("INSERT INTO stale_policies (policy_id, changes) SELECT id, 1 FROM policies")


def downgrade() -> None:
    op.drop_table("stale_policies")
    op.drop_index("ix_monthly_limit_changes_month", table_name="monthly_limit_changes")
    op.drop_table("monthly_limit_changes")
    op.drop_table("monthly_carrier_buyer_turnover")
    op.drop_table("monthly_buyer_turnover")
    op.drop_index("ix_monthly_turnover_month", table_name="monthly_turnover")
    op.drop_table("monthly_turnover")
