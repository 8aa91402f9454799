"""Oversight daily changes of the limits in force and of live insured exposure, per policy and (exposure)
per insurer or pool, for the days of a month a period ends in part-way

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
