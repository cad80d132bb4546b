"""The outbox: answers only insert a row; a background sender delivers it, with retries.

SMTP latency never shows in an answer, and a crash loses nothing: a row not marked sent is
picked up again once its claim lapses. Several managers may drain one outbox; each message
is claimed with one atomic UPDATE before it is sent.

Delivery is at least once. A sender that dies after the mail server took a message and before
the row is marked sends it once more when the claim lapses; its Message-ID and Date are fixed
when the mail is queued, so both copies are the same message to every mail system.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portico.common.metrics import OUTBOX_BACKLOG
from portico.common.sealing import SecretBox
from portico.db.models import OutboxMessage, utcnow
from portico.manager.mail.compose import Composed
from portico.manager.mail.transports import Transport
from portico.serving.background import repeat, wait_or_timeout

log = logging.getLogger(__name__)
_T = OutboxMessage.__table__
# A claimed message is another sender's for one send's timeout and this much more (its
# bookkeeping). A sender killed after claiming delays that message by the whole lease.
LEASE_MARGIN_SECONDS = 15
MAX_ATTEMPTS = 12
NEVER = 1e18


def backoff(attempts: int) -> float:
    return min(3600.0, 15.0 * 2.0 ** (attempts - 1))


class Outbox:
    def __init__(
        self,
        database: async_sessionmaker[AsyncSession],
        transport: Transport,
        from_address: str,
        box: SecretBox,
        clock: Callable[[], float] = time.time,
        *,
        send_timeout: float = 30,
    ) -> None:
        self._database = database
        self.transport = transport
        self.from_address = from_address
        self._box = box
        self._clock = clock
        self.lease_seconds = send_timeout + LEASE_MARGIN_SECONDS
        self._wake = asyncio.Event()

    async def enqueue(
        self,
        to: str,
        message: Composed,
        *,
        db: AsyncSession | None = None,
        discard: bool = False,
    ) -> None:
        """Queue a message; with `db`, inside the caller's transaction (call `wake` after it
        commits). `discard`: written like any other, never sent."""
        row = OutboxMessage(
            discard=discard,
            to_address=to,
            subject=message.subject,
            text_body=message.text,
            html_body=message.html,
            link_sealed=self._box.seal(message.link) if message.link else None,
            next_attempt_at=self._clock(),
            message_id=self._new_message_id(),
            created_at=utcnow(),
        )
        if db is not None:
            db.add(row)
            return
        async with self._database.begin() as own:
            own.add(row)
        self.wake()

    def _new_message_id(self) -> str:
        return make_msgid(domain=self.from_address.rpartition("@")[2] or "portico.invalid")

    def wake(self) -> None:
        self._wake.set()

    def _email(self, row: OutboxMessage) -> EmailMessage:
        link = self._box.open(row.link_sealed) if row.link_sealed else ""
        text, html = Composed(row.subject, row.text_body, row.html_body, link).with_link()
        message = EmailMessage()
        message["From"] = self.from_address
        message["To"] = row.to_address
        message["Subject"] = row.subject
        # Both as queued: every attempt sends the same message.
        queued = row.created_at  # SQLite gives it back without its zone, which is UTC
        message["Date"] = format_datetime(
            queued.astimezone(UTC) if queued.tzinfo else queued.replace(tzinfo=UTC)
        )
        message["Message-ID"] = row.message_id or self._new_message_id()
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        return message

    async def backlog(self) -> int:
        """Mails not sent yet (stand-ins that are never sent do not count)."""
        async with self._database() as db:
            waiting = await db.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.sent_at.is_(None), OutboxMessage.discard.is_(False))
            )
        return int(waiting or 0)

    async def drain_once(self, batch: int = 20) -> int:
        """Deliver what is due now; returns how many messages went out."""
        now = self._clock()
        async with self._database() as db:
            due = (
                await db.scalars(
                    select(OutboxMessage.id)
                    .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
                    .order_by(OutboxMessage.id)
                    .limit(batch)
                )
            ).all()
        sent = 0
        for message_id in due:
            row = await self._claim(message_id, now)
            if row is None:
                continue  # another sender took it
            try:
                if not row.discard:
                    await self.transport.send(self._email(row))
            except Exception as exc:  # any delivery failure is retried later
                await self._failed(row, exc)
                continue
            async with self._database.begin() as db:
                # The link is no longer needed: nothing usable stays behind.
                await db.execute(
                    update(_T).where(_T.c.id == row.id).values(sent_at=utcnow(), link_sealed=None)
                )
            sent += 0 if row.discard else 1
        return sent

    async def _claim(self, message_id: int, now: float) -> OutboxMessage | None:
        async with self._database.begin() as db:
            claimed = await db.execute(
                update(_T)
                .where(_T.c.id == message_id, _T.c.sent_at.is_(None), _T.c.next_attempt_at <= now)
                .values(next_attempt_at=now + self.lease_seconds, attempts=_T.c.attempts + 1)
                .returning(_T.c.id)
            )
            if claimed.first() is None:
                return None
            return await db.get(OutboxMessage, message_id)

    async def _failed(self, row: OutboxMessage, exc: Exception) -> None:
        attempts = row.attempts
        gave_up = attempts >= MAX_ATTEMPTS
        retry_at = NEVER if gave_up else self._clock() + backoff(attempts)
        # The error's class and text only: never the message, which holds a live link.
        reason = f"{type(exc).__name__}: {exc}"[:500]
        log.warning("e-mail %d not delivered (attempt %d): %s", row.id, attempts, reason)
        async with self._database.begin() as db:
            await db.execute(
                update(_T)
                .where(_T.c.id == row.id)
                .values(next_attempt_at=retry_at, last_error=reason)
                .values(**({"link_sealed": None} if gave_up else {}))
            )

    async def run(self, poll_seconds: float = 5.0) -> None:
        """The background sender: drains on every enqueue, and every few seconds anyway."""

        async def drain() -> None:
            self._wake.clear()  # before draining: a message enqueued meanwhile wakes us again
            await self.drain_once()
            OUTBOX_BACKLOG.set(await self.backlog())

        await repeat(
            drain, lambda: wait_or_timeout(self._wake, poll_seconds), what="draining the outbox"
        )
