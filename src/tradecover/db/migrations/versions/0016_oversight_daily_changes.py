"""Oversight daily totals, for the days of a month a period covers in part: turnover and the changes of
the limits in force per policy, buyer turnover per insurer or pool, changes of live insured exposure per
policy and per insurer or pool

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-28 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _changes(table: str, owner: str, references: str, *keys: str) -> None:
    op.create_table(
        table,
        sa.Column(owner, sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        *(sa.Column(key, sa.String(length=2), nullable=False) for key in keys),
        sa.Column("change_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint([owner], [f"{references}.id"], name=op.f(f"fk_{table}_{owner}_{references}")),
        sa.PrimaryKeyConstraint(owner, "day", "currency", *keys, name=op.f(f"pk_{table}")),
    )


def upgrade() -> None:
    op.create_table(
        "daily_turnover",
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("insured_minor", sa.BigInteger(), nullable=False),
        sa.Column("premium_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_daily_turnover_policy_id_policies")
        ),
        sa.PrimaryKeyConstraint("policy_id", "day", "currency", name=op.f("pk_daily_turnover")),
    )
    op.create_index(
        "ix_daily_turnover_day",
        "daily_turnover",
        ["day", "currency", "policy_id", "insured_minor", "premium_minor"],
        unique=False,
    )
    op.create_table(
        "daily_carrier_buyer_turnover",
        sa.Column("insurer_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("buyer_country", sa.String(length=2), nullable=False),
        sa.Column("buyer_sector", sa.String(length=32), nullable=False),
        sa.Column("insured_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["insurer_id"],
            ["organisations.id"],
            name=op.f("fk_daily_carrier_buyer_turnover_insurer_id_organisations"),
        ),
        sa.PrimaryKeyConstraint(
            "insurer_id",
            "day",
            "currency",
            "buyer_country",
            "buyer_sector",
            name=op.f("pk_daily_carrier_buyer_turnover"),
        ),
    )
    op.create_index(
        "ix_daily_carrier_buyer_turnover_day",
        "daily_carrier_buyer_turnover",
        ["day", "currency", "buyer_country", "buyer_sector", "insured_minor"],
        unique=False,
    )
    _changes("daily_limit_changes", "policy_id", "policies")
    op.create_index(
        "ix_daily_limit_changes_day",
        "daily_limit_changes",
        ["day", "currency", "policy_id", "change_minor"],
        unique=False,
    )
    _changes("daily_exposure_changes", "policy_id", "policies", "buyer_country")
    _changes("daily_carrier_exposure_changes", "insurer_id", "organisations", "buyer_country")
    # Every policy's totals are rebuilt by the next oversight read, the new tables' rows with them.
    op.execute(
        "INSERT INTO stale_policies (policy_id, changes) SELECT id, 1 FROM policies "
        "WHERE id NOT IN (SELECT policy_id FROM stale_policies)"
    )


def downgrade() -> None:
    op.drop_table("daily_carrier_exposure_changes")
    op.drop_table("daily_exposure_changes")
    op.drop_index("ix_daily_limit_changes_day", table_name="daily_limit_changes")
    op.drop_table("daily_limit_changes")
    op.drop_index("ix_daily_carrier_buyer_turnover_day", table_name="daily_carrier_buyer_turnover")
    op.drop_table("daily_carrier_buyer_turnover")
    op.drop_index("ix_daily_turnover_day", table_name="daily_turnover")
    op.drop_table("daily_turnover")
