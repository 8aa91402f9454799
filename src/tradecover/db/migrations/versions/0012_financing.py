"""Bank facilities, policy assignments, drawings and repayments

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "facilities",
        sa.Column("bank_id", sa.Uuid(), nullable=False),
        sa.Column("policyholder_id", sa.Uuid(), nullable=False),
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        sa.Column("insurer_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("limit_minor", sa.BigInteger(), nullable=False),
        sa.Column("advance_rate", sa.String(length=64), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("matures_on", sa.Date(), nullable=False),
        sa.Column("status", _enum("facilitystatus", "active", "closed"), nullable=False),
        sa.Column("assigned_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("released_on", sa.Date(), nullable=True),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("limit_minor > 0", name=op.f("ck_facilities_limit_positive")),
        sa.CheckConstraint("matures_on > starts_on", name=op.f("ck_facilities_tenor_order")),
        sa.ForeignKeyConstraint(
            ["bank_id"], ["organisations.id"], name=op.f("fk_facilities_bank_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["policyholder_id"],
            ["organisations.id"],
            name=op.f("fk_facilities_policyholder_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_facilities_policy_id_policies")
        ),
        sa.ForeignKeyConstraint(
            ["insurer_id"], ["organisations.id"], name=op.f("fk_facilities_insurer_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"], ["users.id"], name=op.f("fk_facilities_created_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facilities")),
    )
    with op.batch_alter_table("facilities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_facilities_bank_id"), ["bank_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_facilities_policyholder_id"), ["policyholder_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_facilities_policy_id"), ["policy_id"], unique=False)

    op.create_table(
        "facility_movements",
        sa.Column("facility_id", sa.Uuid(), nullable=False),
        sa.Column("kind", _enum("movementkind", "drawing", "repayment"), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=False),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("recorded_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_facility_movements_amount_positive")),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_facility_movements_facility_id_facilities")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["journal_entries.id"], name=op.f("fk_facility_movements_entry_id_journal_entries")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_facility_movements_recorded_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facility_movements")),
    )
    with op.batch_alter_table("facility_movements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_facility_movements_facility_on", ["facility_id", "value_date"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("facility_movements", schema=None) as batch_op:
        batch_op.drop_index("ix_facility_movements_facility_on")
    op.drop_table("facility_movements")
    with op.batch_alter_table("facilities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facilities_policy_id"))
        batch_op.drop_index(batch_op.f("ix_facilities_policyholder_id"))
        batch_op.drop_index(batch_op.f("ix_facilities_bank_id"))
    op.drop_table("facilities")
