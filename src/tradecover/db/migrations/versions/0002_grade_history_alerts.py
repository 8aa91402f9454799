"""buyer and country grade history, alerts to organisations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 08:13:18.251065
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("message", sa.String(length=2000), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_alerts_organisation_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["read_by_user_id"], ["users.id"], name=op.f("fk_alerts_read_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_alerts_organisation_created", ["organisation_id", "created_at"], unique=False
        )

    op.create_table(
        "buyer_grade_changes",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("old_grade", sa.SmallInteger(), nullable=False),
        sa.Column("new_grade", sa.SmallInteger(), nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("changed_by_organisation_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.CheckConstraint("new_grade BETWEEN 1 AND 10", name=op.f("ck_buyer_grade_changes_new_grade_range")),
        sa.CheckConstraint("old_grade <> new_grade", name=op.f("ck_buyer_grade_changes_grade_changes")),
        sa.CheckConstraint("old_grade BETWEEN 1 AND 10", name=op.f("ck_buyer_grade_changes_old_grade_range")),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["buyers.id"], name=op.f("fk_buyer_grade_changes_buyer_id_buyers")
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_buyer_grade_changes_changed_by_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_user_id"], ["users.id"], name=op.f("fk_buyer_grade_changes_changed_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buyer_grade_changes")),
    )
    with op.batch_alter_table("buyer_grade_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_buyer_grade_changes_buyer_effective", ["buyer_id", "effective_at"], unique=False
        )

    op.create_table(
        "country_grades",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("old_grade", sa.SmallInteger(), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("changed_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("changed_by_organisation_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("grade BETWEEN 0 AND 7", name=op.f("ck_country_grades_grade_range")),
        sa.CheckConstraint("old_grade BETWEEN 0 AND 7", name=op.f("ck_country_grades_old_grade_range")),
        sa.ForeignKeyConstraint(
            ["changed_by_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_country_grades_changed_by_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_user_id"], ["users.id"], name=op.f("fk_country_grades_changed_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_country_grades")),
    )
    with op.batch_alter_table("country_grades", schema=None) as batch_op:
        batch_op.create_index(
            "ix_country_grades_country_effective", ["country", "effective_from"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("country_grades", schema=None) as batch_op:
        batch_op.drop_index("ix_country_grades_country_effective")

    op.drop_table("country_grades")
    with op.batch_alter_table("buyer_grade_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_buyer_grade_changes_buyer_effective")

    op.drop_table("buyer_grade_changes")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_alerts_organisation_created")

    op.drop_table("alerts")
