"""Coinsurance pools, members, shares and member capacity

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 10:40:00
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_KINDS = ["insurer", "policyholder", "bank", "programme_body", "regulator", "platform_operator"]


def _kind_check(kinds: list[str]) -> str:
    return "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def _set_kinds(kinds: list[str]) -> None:
    # organisations.kind is a VARCHAR with a CHECK named after the enum (str_enum; 0001 named it
    # "organisationkind" on both databases): replace the CHECK's list of values.
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint("organisationkind", "organisations", type_="check")
        op.create_check_constraint(op.f("organisationkind"), "organisations", _kind_check(kinds))
        return
    # A batch rebuild would drop organisations, which every other table references (foreign keys
    # are on and cannot be turned off inside the migration's transaction). SQLite's documented way to
    # change only a CHECK is to edit the table's schema text and bump the schema version.
    table_sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'organisations'"
    ).scalar_one()
    new_sql, found = re.subn(
        r"CONSTRAINT organisationkind CHECK \(kind IN \([^)]*\)\)",
        f"CONSTRAINT organisationkind CHECK ({_kind_check(kinds)})",
        table_sql,
    )
    if found != 1:
        raise RuntimeError("organisations has no CHECK named organisationkind to change")
    version = int(bind.exec_driver_sql("PRAGMA schema_version").scalar_one())
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'organisations'"),
        {"sql": new_sql},
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    _set_kinds([*_KINDS, "pool"])
    op.create_table(
        "pools",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("leader_id", sa.Uuid(), nullable=False),
        sa.Column("leader_commission", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("leader_id <> id", name=op.f("ck_pools_leader_is_a_member")),
        sa.ForeignKeyConstraint(["id"], ["organisations.id"], name=op.f("fk_pools_id_organisations")),
        sa.ForeignKeyConstraint(
            ["leader_id"], ["organisations.id"], name=op.f("fk_pools_leader_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pools")),
    )
    with op.batch_alter_table("pools", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pools_leader_id"), ["leader_id"], unique=False)

    op.create_table(
        "pool_members",
        sa.Column("pool_id", sa.Uuid(), nullable=False),
        sa.Column("insurer_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("share", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_capacity_minor", sa.BigInteger(), nullable=False),
        sa.Column("per_buyer_capacity_minor", sa.BigInteger(), nullable=True),
        sa.Column("per_country_capacity_minor", sa.BigInteger(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "per_buyer_capacity_minor IS NULL OR per_buyer_capacity_minor >= 0",
            name=op.f("ck_pool_members_per_buyer_capacity"),
        ),
        sa.CheckConstraint(
            "per_country_capacity_minor IS NULL OR per_country_capacity_minor >= 0",
            name=op.f("ck_pool_members_per_country_capacity"),
        ),
        sa.CheckConstraint("position >= 0", name=op.f("ck_pool_members_position")),
        sa.CheckConstraint("total_capacity_minor >= 0", name=op.f("ck_pool_members_total_capacity")),
        sa.ForeignKeyConstraint(
            ["insurer_id"], ["organisations.id"], name=op.f("fk_pool_members_insurer_id_organisations")
        ),
        sa.ForeignKeyConstraint(["pool_id"], ["pools.id"], name=op.f("fk_pool_members_pool_id_pools")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pool_members")),
        sa.UniqueConstraint("pool_id", "insurer_id", name=op.f("uq_pool_members_pool_id_insurer_id")),
        sa.UniqueConstraint("pool_id", "position", name=op.f("uq_pool_members_pool_id_position")),
    )
    with op.batch_alter_table("pool_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pool_members_insurer_id"), ["insurer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pool_members_pool_id"), ["pool_id"], unique=False)

    op.create_table(
        "pool_limit_takes",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("limit_id", sa.Uuid(), nullable=False),
        sa.Column("pool_id", sa.Uuid(), nullable=False),
        sa.Column("insurer_id", sa.Uuid(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("fx_rate", sa.String(length=64), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_minor >= 0", name=op.f("ck_pool_limit_takes_amount")),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["buyers.id"], name=op.f("fk_pool_limit_takes_buyer_id_buyers")
        ),
        sa.ForeignKeyConstraint(
            ["insurer_id"], ["organisations.id"], name=op.f("fk_pool_limit_takes_insurer_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["limit_id"], ["credit_limits.id"], name=op.f("fk_pool_limit_takes_limit_id_credit_limits")
        ),
        sa.ForeignKeyConstraint(["pool_id"], ["pools.id"], name=op.f("fk_pool_limit_takes_pool_id_pools")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pool_limit_takes")),
        sa.UniqueConstraint("limit_id", "insurer_id", name=op.f("uq_pool_limit_takes_limit_id_insurer_id")),
    )
    with op.batch_alter_table("pool_limit_takes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pool_limit_takes_limit_id"), ["limit_id"], unique=False)
        batch_op.create_index(
            "ix_pool_limit_takes_member_buyer", ["pool_id", "insurer_id", "buyer_id"], unique=False
        )
        batch_op.create_index(
            "ix_pool_limit_takes_member_country", ["pool_id", "insurer_id", "country"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pool_limit_takes", schema=None) as batch_op:
        batch_op.drop_index("ix_pool_limit_takes_member_country")
        batch_op.drop_index("ix_pool_limit_takes_member_buyer")
        batch_op.drop_index(batch_op.f("ix_pool_limit_takes_limit_id"))
    op.drop_table("pool_limit_takes")
    with op.batch_alter_table("pool_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pool_members_pool_id"))
        batch_op.drop_index(batch_op.f("ix_pool_members_insurer_id"))
    op.drop_table("pool_members")
    with op.batch_alter_table("pools", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pools_leader_id"))
    op.drop_table("pools")
    # The pools' organisation rows stay (tables of older revisions still reference them as insurers):
    # while any is left, the kind "pool" stays allowed.
    pools_left = op.get_bind().execute(sa.text("SELECT count(*) FROM organisations WHERE kind = 'pool'"))
    if not pools_left.scalar_one():
        _set_kinds(_KINDS)
