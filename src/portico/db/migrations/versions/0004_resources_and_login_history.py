"""resources and login history

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 21:26:12.622340
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "resource_groups",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=512), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    resource_groups = sa.table(
        "resource_groups",
        sa.column("name"),
        sa.column("description"),
        sa.column("is_active", sa.Boolean()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(
        resource_groups,
        [
            {
                "name": "default",
                "description": "The default resource group",
                "is_active": True,
                "created_at": datetime.now(UTC),
            }
        ],
    )
    op.create_table(
        "agents",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("resource_group", sa.String(length=64), nullable=False),
        sa.Column("hostname", sa.String(length=255), nullable=False),
        sa.Column("capacity", sa.JSON(), nullable=False),
        sa.Column("cpu_util", sa.Double(), nullable=False),
        sa.Column("mem_used", sa.BigInteger(), nullable=False),
        sa.Column("last_heartbeat", sa.Double(), nullable=False),
        sa.Column("credential_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_group"],
            ["resource_groups.name"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("credential_hash"),
    )
    op.create_table(
        "compute_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("access_key", sa.String(length=20), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=True),
        sa.Column("resource_group", sa.String(length=64), nullable=False),
        sa.Column("slots", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("terminated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.uuid"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("compute_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_compute_sessions_access_key"), ["access_key"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_compute_sessions_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_compute_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "login_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=512), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.uuid"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("login_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_history_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_login_history_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_history_user_id"))
        batch_op.drop_index(batch_op.f("ix_login_history_created_at"))

    op.drop_table("login_history")
    with op.batch_alter_table("compute_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compute_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_compute_sessions_status"))
        batch_op.drop_index(batch_op.f("ix_compute_sessions_access_key"))

    op.drop_table("compute_sessions")
    op.drop_table("agents")
    op.drop_table("resource_groups")
