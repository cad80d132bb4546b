"""What the e-mail flows (sign-up and verification, password recovery) have in common: their
collaborators, the rate limits on asking for mail, and sending one composed message."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portico.config import Settings
from portico.db.models import TokenPurpose
from portico.manager.credentials.tokens import TokenService
from portico.manager.mail.compose import compose
from portico.manager.mail.outbox import Outbox
from portico.manager.services.accounts import AccountService
from portico.manager.services.audit import AuditLog
from portico.manager.services.links import public_base, site_name
from portico.manager.services.rate_limits import RateLimit


class EmailFlow:
    def __init__(
        self,
        settings: Settings,
        database: async_sessionmaker[AsyncSession],
        *,
        accounts: AccountService,
        audit: AuditLog,
        tokens: TokenService,
        outbox: Outbox,
        per_address: RateLimit,
        per_client: RateLimit,
    ) -> None:
        self.settings = settings
        self._database = database
        self.accounts = accounts
        self.audit = audit
        self.tokens = tokens
        self.outbox = outbox
        self.per_address = per_address
        self.per_client = per_client

    @property
    def site(self) -> str:
        return site_name(self.settings)

    async def count_request(self, email: str, client_address: str) -> None:
        """Asking for an e-mail is limited per client and per requested address alike."""
        await self.per_client.take(client_address or "-")
        await self.per_address.take(email)

    async def mail_link(
        self,
        purpose: TokenPurpose,
        *,
        to: str,
        user_id: uuid.UUID | None,
        ttl: float,
        page: str,
        kind: str,
        lang: str,
        **values: Any,
    ) -> None:
        """Mail `to` a one-use link to `page` for the account `user_id`, the token and the
        mail in one transaction; a newer link revokes the older ones. With no account, the
        same writes: a token born revoked and a mail that is never sent, so the answer and
        its timing say nothing about who has an account."""
        send = user_id is not None
        async with self._database.begin() as db:
            token = await self.tokens.issue(
                purpose, ttl=ttl, user_id=user_id, email=to, supersede=True, db=db, decoy=not send
            )
            link = f"{public_base(self.settings)}{page}?token={token}"
            await self.mail(to, kind, lang, link, db=db, discard=not send, **values)
        self.outbox.wake()

    async def mail(
        self,
        to: str,
        kind: str,
        lang: str,
        link: str,
        *,
        db: AsyncSession | None = None,
        discard: bool = False,
        **values: Any,
    ) -> None:
        """Queue one composed message; with `db`, inside the caller's transaction."""
        message = compose(kind, lang, site=self.site, link=link, **values)
        await self.outbox.enqueue(to, message, db=db, discard=discard)
