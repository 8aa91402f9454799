"""Insurers' appetite and capacity, credit limits, and the append-only history of limit decisions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 08:17:03.719728
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appetite_lines",
        sa.Column("insurer_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "country", "sector", name="appetitekind", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "refer",
                "decline",
                name="appetiteaction",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("max_total_usd_minor", sa.BigInteger(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "max_total_usd_minor IS NULL OR max_total_usd_minor >= 0",
            name=op.f("ck_appetite_lines_max_total"),
        ),
        sa.ForeignKeyConstraint(
            ["insurer_id"], ["organisations.id"], name=op.f("fk_appetite_lines_insurer_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appetite_lines")),
        sa.UniqueConstraint("insurer_id", "kind", "key", name=op.f("uq_appetite_lines_insurer_id_kind_key")),
    )
    with op.batch_alter_table("appetite_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appetite_lines_insurer_id"), ["insurer_id"], unique=False)

    op.create_table(
        "capacities",
        sa.Column("insurer_id", sa.Uuid(), nullable=False),
        sa.Column(
            "scope",
            sa.Enum(
                "total",
                "country",
                "sector",
                name="capacityscope",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("amount_usd_minor", sa.BigInteger(), nullable=False),
        sa.Column("committed_usd_minor", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_usd_minor >= 0", name=op.f("ck_capacities_amount")),
        sa.CheckConstraint("committed_usd_minor >= 0", name=op.f("ck_capacities_committed")),
        sa.ForeignKeyConstraint(
            ["insurer_id"], ["organisations.id"], name=op.f("fk_capacities_insurer_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capacities")),
        sa.UniqueConstraint("insurer_id", "scope", "key", name=op.f("uq_capacities_insurer_id_scope_key")),
    )
    with op.batch_alter_table("capacities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_capacities_insurer_id"), ["insurer_id"], unique=False)

    op.create_table(
        "credit_limits",
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("live_buyer_id", sa.Uuid(), nullable=True),
        sa.Column("policyholder_id", sa.Uuid(), nullable=False),
        sa.Column("insurer_id", sa.Uuid(), nullable=False),
        sa.Column("buyer_country", sa.String(length=2), nullable=False),
        sa.Column("buyer_sector", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("requested_minor", sa.BigInteger(), nullable=False),
        sa.Column("usd_rate", sa.String(length=64), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("requested_by_user_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "referred",
                "approved",
                "partly_approved",
                "declined",
                "reduced",
                "cancelled",
                name="limitstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("two_approvals_needed", sa.Boolean(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("capacity_usd_minor", sa.BigInteger(), nullable=False),
        sa.Column(
            "rule",
            sa.Enum(
                "defaulted_buyer",
                "buyer_grade",
                "country_grade",
                "country_refused",
                "buyer_scope",
                "appetite_declined",
                "capacity_exhausted",
                "appetite_referred",
                "public_body",
                "amount_band",
                "capacity",
                "per_buyer_maximum",
                "within_rules",
                "underwriter",
                name="decidingrule",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("first_approver_user_id", sa.Uuid(), nullable=True),
        sa.Column("decided_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("bars_dcl", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_minor >= 0", name=op.f("ck_credit_limits_amount")),
        sa.CheckConstraint("capacity_usd_minor >= 0", name=op.f("ck_credit_limits_capacity")),
        sa.CheckConstraint("requested_minor > 0", name=op.f("ck_credit_limits_requested_positive")),
        sa.ForeignKeyConstraint(["buyer_id"], ["buyers.id"], name=op.f("fk_credit_limits_buyer_id_buyers")),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"], ["users.id"], name=op.f("fk_credit_limits_decided_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["first_approver_user_id"],
            ["users.id"],
            name=op.f("fk_credit_limits_first_approver_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["insurer_id"], ["organisations.id"], name=op.f("fk_credit_limits_insurer_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["live_buyer_id"], ["buyers.id"], name=op.f("fk_credit_limits_live_buyer_id_buyers")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_credit_limits_policy_id_policies")
        ),
        sa.ForeignKeyConstraint(
            ["policyholder_id"],
            ["organisations.id"],
            name=op.f("fk_credit_limits_policyholder_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_user_id"], ["users.id"], name=op.f("fk_credit_limits_requested_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_limits")),
        sa.UniqueConstraint(
            "policy_id", "live_buyer_id", name=op.f("uq_credit_limits_policy_id_live_buyer_id")
        ),
    )
    with op.batch_alter_table("credit_limits", schema=None) as batch_op:
        batch_op.create_index("ix_credit_limits_buyer_status", ["buyer_id", "status"], unique=False)
        batch_op.create_index("ix_credit_limits_insurer_status", ["insurer_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_limits_policy_id"), ["policy_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_credit_limits_policyholder_id"), ["policyholder_id"], unique=False
        )

    op.create_table(
        "limit_events",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("limit_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "requested",
                "referred",
                "first_approval",
                "approved",
                "partly_approved",
                "declined",
                "reduced",
                "cancelled_by_insurer",
                "cancelled_by_policyholder",
                name="limiteventkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column(
            "rule",
            sa.Enum(
                "defaulted_buyer",
                "buyer_grade",
                "country_grade",
                "country_refused",
                "buyer_scope",
                "appetite_declined",
                "capacity_exhausted",
                "appetite_referred",
                "public_body",
                "amount_band",
                "capacity",
                "per_buyer_maximum",
                "within_rules",
                "underwriter",
                name="decidingrule",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["limit_id"], ["credit_limits.id"], name=op.f("fk_limit_events_limit_id_credit_limits")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_limit_events_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_limit_events_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_limit_events")),
        sa.UniqueConstraint("limit_id", "sequence", name=op.f("uq_limit_events_limit_id_sequence")),
    )
    with op.batch_alter_table("limit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_limit_events_limit_id"), ["limit_id"], unique=False)

    _create_history_triggers()


def downgrade() -> None:
    _drop_history_triggers()
    with op.batch_alter_table("limit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_limit_events_limit_id"))

    op.drop_table("limit_events")
    with op.batch_alter_table("credit_limits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_limits_policyholder_id"))
        batch_op.drop_index(batch_op.f("ix_credit_limits_policy_id"))
        batch_op.drop_index("ix_credit_limits_insurer_status")
        batch_op.drop_index("ix_credit_limits_buyer_status")

    op.drop_table("credit_limits")
    with op.batch_alter_table("capacities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capacities_insurer_id"))

    op.drop_table("capacities")
    with op.batch_alter_table("appetite_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appetite_lines_insurer_id"))

    op.drop_table("appetite_lines")


def _create_history_triggers() -> None:
    # A limit's history is never rewritten: a change of amount is a new event with its effective date.
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER limit_events_refuse_{verb.lower()} BEFORE {verb} ON limit_events "
                "BEGIN SELECT RAISE(ABORT, 'limit_events are append-only: "
                "record a new event instead of changing or deleting rows'); END"
            )
        return
    # tradecover_refuse_change() comes with migration 0001.
    op.execute(
        "CREATE TRIGGER limit_events_refuse_change BEFORE UPDATE OR DELETE ON limit_events "
        "FOR EACH ROW EXECUTE FUNCTION tradecover_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER limit_events_refuse_truncate BEFORE TRUNCATE ON limit_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION tradecover_refuse_change()"
    )


def _drop_history_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS limit_events_refuse_{verb}")
        return
    op.execute("DROP TRIGGER IF EXISTS limit_events_refuse_change ON limit_events")
    op.execute("DROP TRIGGER IF EXISTS limit_events_refuse_truncate ON limit_events")
