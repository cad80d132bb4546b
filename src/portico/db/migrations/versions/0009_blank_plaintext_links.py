"""blank the plaintext links of mail written before links were sealed

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 22:00:00

Before 0005 a mail's link (which carries a reset, verification or invitation token) was
written into `outbox.text_body` and `outbox.html_body` as it is. Rows of that time, sent or
not, still held usable links after the upgrade. Every link with a query in such a row (no
`link_sealed`, no placeholder) is replaced by a notice; the token it carried is then known to
no one, and the person asks for a new link.
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# An http(s) URL with a query: every mailed link that carries a token has one.
_LINK = re.compile(r"https?://[^\s\"'<>]*\?[^\s\"'<>]*", re.IGNORECASE)
REMOVED = "[link removed on upgrade: please ask for a new one]"


def upgrade() -> None:
    outbox = sa.table(
        "outbox",
        sa.column("id", sa.Integer),
        sa.column("text_body", sa.Text),
        sa.column("html_body", sa.Text),
        sa.column("link_sealed", sa.Text),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(outbox.c.id, outbox.c.text_body, outbox.c.html_body).where(
            outbox.c.link_sealed.is_(None)
        )
    ).all()
    for row in rows:
        text, html = _LINK.sub(REMOVED, row.text_body), _LINK.sub(REMOVED, row.html_body)
        if (text, html) != (row.text_body, row.html_body):
            connection.execute(
                outbox.update().where(outbox.c.id == row.id).values(text_body=text, html_body=html)
            )


def downgrade() -> None:
    pass  # what was blanked stays blank
