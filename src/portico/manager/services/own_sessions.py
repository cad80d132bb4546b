"""A person's own browser sessions: end one, or every one but the current (which takes the
password again, counted as a log-in guess)."""

from __future__ import annotations

from portico.manager.errors import NotFound
from portico.manager.services.accounts import AccountService
from portico.manager.services.audit import AccountActor, AuditKind, AuditLog
from portico.sessions.store import SessionStore


class OwnSessions:
    def __init__(
        self, *, accounts: AccountService, browser_sessions: SessionStore, audit: AuditLog
    ) -> None:
        self._accounts = accounts
        self._browser_sessions = browser_sessions
        self._audit = audit

    async def end_one(self, actor: AccountActor, session_id: str) -> None:
        """NotFound unless `session_id` names one of the actor's own sessions."""
        if not await self._browser_sessions.revoke_one(str(actor.user_id), session_id):
            raise NotFound("No such session of yours.")
        await self._audit.record(
            AuditKind.SESSION_REVOKED, actor=actor, subject_id=actor.user_id, subject=actor.email
        )

    async def end_others(self, actor: AccountActor, password: str, keep_hash: str | None) -> None:
        """Every session of the actor's but the one whose id hashes to `keep_hash`; raises
        InvalidCredentials (or TooManyFailedLogins) for a wrong password."""
        await self._accounts.verify_own_password(actor.user_id, password, actor.client_address)
        await self._browser_sessions.revoke_user(str(actor.user_id), keep_hash=keep_hash)
        await self._audit.record(
            AuditKind.SESSIONS_ENDED,
            actor=actor,
            subject_id=actor.user_id,
            subject=actor.email,
            outcome="others",
        )
