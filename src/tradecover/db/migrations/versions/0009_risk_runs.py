"""Risk runs of a book and their stored results

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 10:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "risk_runs",
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("requested_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("scope", _enum("scopekind", "insurer", "pool", "market"), nullable=False),
        sa.Column("scope_organisation_id", sa.Uuid(), nullable=True),
        sa.Column("scope_label", sa.String(length=200), nullable=False),
        sa.Column("method", _enum("riskmethod", "creditriskplus", "montecarlo"), nullable=False),
        sa.Column("scenario", sa.String(length=64), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("parameters_json", sa.JSON(), nullable=False),
        sa.Column("chart_json", sa.JSON(), nullable=False),
        sa.Column("status", _enum("runstatus", "running", "succeeded", "empty", "failed"), nullable=False),
        sa.Column("obligors", sa.Integer(), nullable=False),
        sa.Column("exposure_minor", sa.BigInteger(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("shows_policyholders", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("obligors >= 0", name=op.f("ck_risk_runs_obligors")),
        sa.CheckConstraint("exposure_minor >= 0", name=op.f("ck_risk_runs_exposure")),
        sa.CheckConstraint("duration_ms >= 0", name=op.f("ck_risk_runs_duration")),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name=op.f("ck_risk_runs_progress")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_risk_runs_organisation_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_user_id"], ["users.id"], name=op.f("fk_risk_runs_requested_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["scope_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_risk_runs_scope_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_runs")),
    )
    with op.batch_alter_table("risk_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_runs_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "risk_measures",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("scenario", sa.String(length=64), nullable=False),
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("standard_error_minor", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["risk_runs.id"], name=op.f("fk_risk_measures_run_id_risk_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_measures")),
        sa.UniqueConstraint(
            "run_id",
            "scenario",
            "measure",
            "level",
            name=op.f("uq_risk_measures_run_id_scenario_measure_level"),
        ),
    )
    with op.batch_alter_table("risk_measures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_measures_run_id"), ["run_id"], unique=False)

    op.create_table(
        "risk_contributions",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("scenario", sa.String(length=64), nullable=False),
        sa.Column(
            "dimension",
            _enum("dimension", "country", "sector", "policyholder", "insurer", "buyer"),
            nullable=False,
        ),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("basis", sa.String(length=32), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("exposure_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["risk_runs.id"], name=op.f("fk_risk_contributions_run_id_risk_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_contributions")),
        sa.UniqueConstraint(
            "run_id",
            "scenario",
            "dimension",
            "key",
            name=op.f("uq_risk_contributions_run_id_scenario_dimension_key"),
        ),
    )
    with op.batch_alter_table("risk_contributions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_contributions_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("risk_contributions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_contributions_run_id"))
    op.drop_table("risk_contributions")
    with op.batch_alter_table("risk_measures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_measures_run_id"))
    op.drop_table("risk_measures")
    with op.batch_alter_table("risk_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_runs_organisation_id"))
    op.drop_table("risk_runs")
