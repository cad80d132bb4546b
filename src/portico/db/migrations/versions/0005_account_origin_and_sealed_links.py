"""account origin and sealed links

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 05:00:00

`users.created_via` tells a self-signed-up account (which must have consented) from one an
operator created. `outbox.link_sealed` keeps a mail's link sealed until delivery, so the table
never holds a usable token. `outbox.discard` marks the stand-in message written for an
address that gets no mail, so that every address costs the same database work.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGNUP_STATUS_INFO = ("user-signup", "pending-approval", "email-verified", "approved")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("created_via", sa.String(16), nullable=False, server_default="operator")
        )
    users = sa.table("users", sa.column("uuid"), sa.column("status_info"), sa.column("created_via"))
    consents = sa.table("consents", sa.column("user_id"))
    op.execute(
        users.update()
        .where(
            sa.or_(
                users.c.status_info.in_(SIGNUP_STATUS_INFO),
                users.c.uuid.in_(sa.select(consents.c.user_id)),
            )
        )
        .values(created_via="signup")
    )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("link_sealed", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("discard", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("discard")
        batch.drop_column("link_sealed")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("created_via")
