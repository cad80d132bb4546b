"""outbox message ids

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 01:00:00

`outbox.message_id`: the Message-ID of a mail, fixed when it is queued and reused by every
attempt. Mails still waiting get one now.
"""

from collections.abc import Sequence
from email.utils import make_msgid

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.String(255), nullable=True))
    outbox = sa.table("outbox", sa.column("id", sa.Integer), sa.column("message_id", sa.String))
    connection = op.get_bind()
    waiting = connection.execute(sa.text("SELECT id FROM outbox WHERE sent_at IS NULL")).scalars()
    for row_id in list(waiting):
        connection.execute(
            outbox.update()
            .where(outbox.c.id == row_id)
            .values(message_id=make_msgid(domain="portico.invalid"))
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("message_id")
