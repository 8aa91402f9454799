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


def upgrade() -> None:
    with op.batch_alter_table("policies") as batch:
        batch.add_column(sa.Column("loss_payee_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("loss_payee_since", sa.Date(), nullable=True))
        batch.add_column(sa.Column("loss_payee_facility_id", sa.Uuid(), nullable=True))
        batch.create_foreign_key(
            "fk_policies_loss_payee_id_organisations", "organisations", ["loss_payee_id"], ["id"]
        )
        batch.create_index("ix_policies_loss_payee_id", ["loss_payee_id"])


def downgrade() -> None:
    with op.batch_alter_table("policies") as batch:
        batch.drop_index("ix_policies_loss_payee_id")
        batch.drop_constraint("fk_policies_loss_payee_id_organisations", type_="foreignkey")
        batch.drop_column("loss_payee_facility_id")
        batch.drop_column("loss_payee_since")
        batch.drop_column("loss_payee_id")
