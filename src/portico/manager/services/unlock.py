"""A way out of the log-in block for its victim: an e-mailed link that lifts it.

Ten failures block an account for everyone (the seed's rule), so a stranger who knows a user
name can keep its owner out. The owner asks the log-in dialog for an unlock link: it goes to
the account's address only, lifts the block of that account once, and expires when the block
would have ended. Asking gives the same answer, after the same database work, for every id,
locked or not, known or not; it is rate-limited like every mail a stranger can trigger.
"""

from __future__ import annotations

import uuid
from typing import Any

from portico.common.languages import pick_language
from portico.db.models import TokenPurpose, User, UserStatus
from portico.manager.credentials.authentication import PasswordCheck, lockout_key
from portico.manager.credentials.lockout import LoginLockout
from portico.manager.errors import FeatureDisabled, InvalidRequest, InvalidToken
from portico.manager.services.accounts import normalize_login_id
from portico.manager.services.audit import Actor, AuditKind
from portico.manager.services.email_flow import EmailFlow

MAX_ID_LENGTH = 256


class UnlockLinks(EmailFlow):
    def __init__(
        self, *args: Any, lockout: LoginLockout, password_check: PasswordCheck, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lockout = lockout
        self._password_check = password_check

    @property
    def enabled(self) -> bool:
        recovery = self.settings.recovery
        return recovery.enabled and recovery.unlock_link

    def require_enabled(self) -> None:
        if not self.enabled:
            raise FeatureDisabled("Unlock links are not offered by this server.")

    async def request(self, login_id: str, *, client_address: str = "", language: str = "") -> None:
        """Mail an unlock link if `login_id` names an active account that is blocked now;
        otherwise do the same work and send nothing."""
        self.require_enabled()
        normalized = normalize_login_id(login_id)
        if not normalized or len(normalized) > MAX_ID_LENGTH:
            raise InvalidRequest("Give the e-mail address or user name you log in with.")
        await self.count_request(normalized, client_address)
        user = await self.accounts.find(normalized)
        # Looked up for unknown ids too: the answer's timing is the same.
        left = await self.lockout.block_left(lockout_key(user, normalized))
        eligible = user is not None and user.status == UserStatus.ACTIVE and left is not None
        # The link expires with the block.
        ttl = left if eligible and left is not None else float(self.lockout.block_seconds)
        lang = pick_language(user.language if user is not None else None, language)
        to = user.email if user is not None else normalized
        await self.mail_link(
            TokenPurpose.UNLOCK,
            to=to,
            user_id=user.uuid if eligible and user is not None else None,
            ttl=max(1.0, ttl),
            page="/unlock",
            kind="unlock",
            lang=lang,
            minutes=max(1, round(ttl / 60)),
        )
        await self.audit.record(
            AuditKind.UNLOCK_REQUESTED,
            actor=Actor(None, "", client_address),
            subject_id=user.uuid if user is not None else None,
            subject=user.email if user is not None else normalized,
            outcome=_outcome(user, left),
        )

    async def unlock(self, token: str, *, client_address: str = "") -> None:
        """Spend the link and lift the block of its account (every counter of it)."""
        self.require_enabled()
        used = await self.tokens.use(TokenPurpose.UNLOCK, token)
        if used.user_id is None:
            raise InvalidToken()
        user = await self._account(used.user_id)
        await self._password_check.unlock(user, user.email)
        await self.audit.record(
            AuditKind.ACCOUNT_UNLOCKED,
            actor=Actor(user.uuid, user.email, client_address),
            subject_id=user.uuid,
            subject=user.email,
            outcome="by-link",
        )

    async def _account(self, user_id: uuid.UUID) -> User:
        async with self._database() as db:
            user = await db.get(User, user_id)
        if user is None or user.status != UserStatus.ACTIVE:
            raise InvalidToken()
        return user


def _outcome(user: User | None, left: float | None) -> str:
    if user is None:
        return "no-account"
    if user.status != UserStatus.ACTIVE:
        return "inactive"
    return "sent" if left is not None else "not-locked"
