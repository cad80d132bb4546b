"""An upgrade from a release that kept mailed links in plain text leaves no usable link behind,
on a real database made with the old schema and holding the old rows."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from portico.db.engine import create_engine
from portico.db.migrate import upgrade

RESET = "https://console.example.org/change-password?token=s3cr3t-reset-token-AAAA"
VERIFY = "https://console.example.org/verify-email?verification_code=s3cr3t-verify-BBBB"


async def test_links_written_before_sealing_are_blanked(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await upgrade(engine, "0004")  # the schema of the release before links were sealed
        now = datetime.now(UTC)
        async with engine.begin() as conn:
            for n, (link, sent) in enumerate([(RESET, None), (VERIFY, now)]):
                await conn.execute(
                    sa.text(
                        "INSERT INTO outbox (id, to_address, subject, text_body, html_body,"
                        " created_at, attempts, next_attempt_at, sent_at, last_error)"
                        " VALUES (:id, 'alice@example.com', 'Link', :text, :html, :now, 0, 0,"
                        " :sent, '')"
                    ),
                    {
                        "id": n + 1,
                        "text": f"Open {link} within an hour.\nThanks",
                        "html": f'<p><a href="{link}">{link}</a></p>',
                        "now": now,
                        "sent": sent,
                    },
                )
        await upgrade(engine)
        async with engine.connect() as conn:
            rows = (
                await conn.execute(sa.text("SELECT text_body, html_body FROM outbox ORDER BY id"))
            ).all()
    finally:
        await engine.dispose()
    assert len(rows) == 2
    for text, html in rows:
        assert "s3cr3t" not in text and "s3cr3t" not in html
        assert "link removed on upgrade" in text
        assert text.startswith("Open [link removed") and text.endswith("within an hour.\nThanks")
