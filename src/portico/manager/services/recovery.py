"""Password recovery by e-mailed link, and what every password change sets off.

A change (by link or by the logged-in owner) revokes all outstanding reset links and ends the
browser sessions (all of them after a reset; all but the current one after a change), and a
completed reset also lifts a lockout and tells the owner by e-mail.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from portico.db.models import TokenPurpose, User, UserStatus
from portico.manager.errors import FeatureDisabled, InvalidToken
from portico.manager.mail.compose import pick_language
from portico.manager.services.accounts import AccountService, normalize_login_id
from portico.manager.services.email_flow import EmailFlow
from portico.manager.services.links import public_base
from portico.manager.services.tokens import TokenService
from portico.sessions import SessionStore


class PasswordChangeEffects:
    """Runs after any password change; AccountService calls it for logged-in changes too."""

    def __init__(
        self, tokens: TokenService, browser_sessions: SessionStore, accounts: AccountService
    ) -> None:
        self.tokens = tokens
        self.browser_sessions = browser_sessions
        self.accounts = accounts

    async def __call__(self, user_id: uuid.UUID, keep_session: str | None) -> None:
        """`keep_session`: the hash of the browser session id that made the change, if any."""
        await self.tokens.revoke_all(TokenPurpose.RESET, user_id)
        await self.browser_sessions.revoke_user(str(user_id), keep_hash=keep_session)
        await self.accounts.end_all_login_sessions(user_id)


class RecoveryService(EmailFlow):
    def __init__(self, *args: Any, effects: PasswordChangeEffects, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.effects = effects

    def require_enabled(self) -> None:
        if not self.settings.recovery.enabled:
            raise FeatureDisabled("Password recovery by e-mail is disabled on this server.")

    async def request_change(
        self, email: str, *, client_address: str = "", language: str = ""
    ) -> None:
        """Same answer for every address. A newer link revokes the older ones."""
        self.require_enabled()
        email = normalize_login_id(email)
        await self.count_request(email, client_address)
        async with self._sessions() as db:
            user = await db.scalar(select(User).where(User.email == email))
        if user is None or user.status not in (UserStatus.ACTIVE, UserStatus.BEFORE_VERIFICATION):
            return
        ttl = self.settings.recovery.token_ttl
        token = await self.tokens.issue(
            TokenPurpose.RESET, ttl=ttl, user_id=user.uuid, email=email, supersede=True
        )
        link = f"{public_base(self.settings)}/change-password?token={token}"
        lang = pick_language(user.language, language)
        await self.mail(email, "reset_password", lang, link, minutes=ttl // 60)

    async def change_password(self, email: str, password: str, token: str) -> None:
        self.require_enabled()
        email = normalize_login_id(email)
        async with self._sessions() as db:
            user = await db.scalar(select(User).where(User.email == email))
        # The policy speaks before the token is spent, so a rejected password keeps the link.
        self.accounts.policy.check(
            password, email=email, username=user.username if user is not None else email
        )
        used = await self.tokens.use(TokenPurpose.RESET, token, email=email)
        if user is None or used.user_id != user.uuid:
            raise InvalidToken()
        await self.accounts.set_password(user.uuid, password)
        await self.effects(user.uuid, keep_session=None)
        await self.accounts.password_check.unlock(user, email)
        await self.mail(
            email, "password_changed", pick_language(user.language), public_base(self.settings)
        )
