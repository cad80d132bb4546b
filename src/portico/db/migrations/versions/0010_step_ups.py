"""step-ups

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 22:15:00

`step_ups`: when the holder of a browser session (or an API key) last gave the password or a
second factor again, for the actions that add or remove an authenticator.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "step_ups",
        sa.Column("holder", sa.String(128), primary_key=True),
        sa.Column(
            "user_id", sa.Uuid(), sa.ForeignKey("users.uuid", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("verified_at", sa.Double(), nullable=False),
    )
    op.create_index("ix_step_ups_user_id", "step_ups", ["user_id"])


def downgrade() -> None:
    op.drop_table("step_ups")
