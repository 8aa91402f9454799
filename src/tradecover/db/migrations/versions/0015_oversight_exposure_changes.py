"""Oversight monthly changes of live insured exposure, per policy and per insurer or pool; covering
indexes of the per-policy buyer turnover and of buyers' countries

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28 19:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _changes(table: str, owner: str, references: str) -> None:
    op.create_table(
        table,
        sa.Column(owner, sa.Uuid(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("buyer_country", sa.String(length=2), nullable=False),
        sa.Column("change_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint([owner], [f"{references}.id"], name=op.f(f"fk_{table}_{owner}_{references}")),
        sa.PrimaryKeyConstraint(owner, "month", "currency", "buyer_country", name=op.f(f"pk_{table}")),
    )


def upgrade() -> None:
    _changes("monthly_exposure_changes", "policy_id", "policies")
    _changes("monthly_carrier_exposure_changes", "insurer_id", "organisations")
    op.create_index(
        "ix_monthly_buyer_turnover_policy",
        "monthly_buyer_turnover",
        ["policy_id", "month", "currency", "buyer_country", "buyer_sector", "insured_minor"],
        unique=False,
    )
    op.create_index("ix_buyers_id_country", "buyers", ["id", "country"], unique=False)
    # Every policy's totals are rebuilt by the next oversight read, the new table's rows with them.
    op.execute(
        "INSERT INTO stale_policies (policy_id, changes) SELECT id, 1 FROM policies "
        "WHERE id NOT IN (SELECT policy_id FROM stale_policies)"
    )


def downgrade() -> None:
    op.drop_index("ix_buyers_id_country", table_name="buyers")
    op.drop_index("ix_monthly_buyer_turnover_policy", table_name="monthly_buyer_turnover")
    op.drop_table("monthly_carrier_exposure_changes")
    op.drop_table("monthly_exposure_changes")
