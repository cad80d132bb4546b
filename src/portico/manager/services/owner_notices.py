"""What an account's owner is told when the way it logs in changes (a second factor set up or
removed, a recovery code used, a passkey added or removed): a mail in their language, and a row
in the audit trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from portico.common.languages import pick_language
from portico.db.models import User
from portico.manager.mail.compose import compose
from portico.manager.mail.outbox import Outbox
from portico.manager.services.audit import Actor, AuditKind, AuditLog


class OwnerNotices:
    def __init__(self, outbox: Outbox, audit: AuditLog, *, site: str, public_base: str) -> None:
        self._outbox = outbox
        self.audit = audit
        self._site = site
        self._public_base = public_base

    async def mail(self, db: AsyncSession, user: User, kind: str) -> None:
        """Queued in the caller's transaction; call `send` once it committed."""
        message = compose(
            kind, pick_language(user.language), site=self._site, link=self._public_base
        )
        await self._outbox.enqueue(user.email, message, db=db)

    def send(self) -> None:
        self._outbox.wake()

    async def record(
        self, kind: AuditKind, who: Actor, user: User, outcome: str = "", **details: Any
    ) -> None:
        await self.audit.record(
            kind,
            actor=who,
            subject_id=user.uuid,
            subject=user.email,
            outcome=outcome,
            details=details,
        )
