"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27 20:32:35.431094
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "domains",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=512), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("total_resource_slots", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "keypair_resource_policies",
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("total_resource_slots", sa.JSON(), nullable=False),
        sa.Column("max_session_lifetime", sa.Integer(), nullable=False),
        sa.Column("max_concurrent_sessions", sa.Integer(), nullable=False),
        sa.Column("max_containers_per_session", sa.Integer(), nullable=False),
        sa.Column("idle_timeout", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "login_attempts",
        sa.Column("key", sa.String(length=320), nullable=False),
        sa.Column("fail_count", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", sa.Double(), nullable=False),
        sa.Column("blocked_until", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "groups",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("domain_name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=512), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["domain_name"],
            ["domains.name"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "domain_name", name="uq_groups_name_domain"),
    )
    op.create_table(
        "users",
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=64), nullable=False),
        sa.Column("password", sa.String(length=256), nullable=True),
        sa.Column("need_password_change", sa.Boolean(), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("full_name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("status_info", sa.String(length=64), nullable=False),
        sa.Column("domain_name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("resource_policy", sa.String(length=256), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["domain_name"],
            ["domains.name"],
        ),
        sa.PrimaryKeyConstraint("uuid"),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_email"), ["email"], unique=True)
    # User names are unique regardless of case (log-in by user name is case-insensitive).
    op.create_index("ix_users_username_folded", "users", [sa.text("lower(username)")], unique=True)

    op.create_table(
        "association_groups_users",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.uuid"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("group_id", "user_id"),
    )
    op.create_table(
        "keypairs",
        sa.Column("access_key", sa.String(length=20), nullable=False),
        sa.Column("secret_key_sealed", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("rate_limit", sa.Integer(), nullable=False),
        sa.Column("resource_policy", sa.String(length=256), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["resource_policy"],
            ["keypair_resource_policies.name"],
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.uuid"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("access_key"),
    )
    op.create_table(
        "login_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("access_key", sa.String(length=20), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=512), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.uuid"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_sessions_user_id"), ["user_id"], unique=False)

    _seed()


def _seed() -> None:
    """The rows every installation starts with: Backend.AI's 'default' domain, project and policy."""
    now = datetime.now(UTC)

    def column(name: str) -> sa.ColumnClause[Any]:
        types: dict[str, sa.types.TypeEngine[Any]] = {
            "id": sa.Uuid(),
            "is_active": sa.Boolean(),
            "total_resource_slots": sa.JSON(),
            "created_at": sa.DateTime(timezone=True),
        }
        return sa.column(name, types.get(name))

    domains = sa.table(
        "domains",
        *map(column, ("name", "description", "is_active", "total_resource_slots", "created_at")),
    )
    op.bulk_insert(
        domains,
        [
            {
                "name": "default",
                "description": "The default domain",
                "is_active": True,
                "total_resource_slots": {},
                "created_at": now,
            }
        ],
    )
    groups = sa.table(
        "groups",
        *map(column, ("id", "name", "domain_name", "description", "is_active", "created_at")),
    )
    op.bulk_insert(
        groups,
        [
            {
                "id": uuid.uuid4(),
                "name": "default",
                "domain_name": "default",
                "description": "The default project",
                "is_active": True,
                "created_at": now,
            }
        ],
    )
    policies = sa.table(
        "keypair_resource_policies",
        *map(
            column,
            (
                "name",
                "total_resource_slots",
                "max_session_lifetime",
                "max_concurrent_sessions",
                "max_containers_per_session",
                "idle_timeout",
                "created_at",
            ),
        ),
    )
    op.bulk_insert(
        policies,
        [
            {
                "name": "default",
                "total_resource_slots": {},
                "max_session_lifetime": 0,
                "max_concurrent_sessions": 5,
                "max_containers_per_session": 1,
                "idle_timeout": 3600,
                "created_at": now,
            }
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_sessions_user_id"))

    op.drop_table("login_sessions")
    op.drop_table("keypairs")
    op.drop_table("association_groups_users")
    op.drop_index("ix_users_username_folded", table_name="users")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_email"))

    op.drop_table("users")
    op.drop_table("groups")
    op.drop_table("login_attempts")
    op.drop_table("keypair_resource_policies")
    op.drop_table("domains")
