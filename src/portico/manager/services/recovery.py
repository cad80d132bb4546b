"""Password recovery by e-mailed link: asking for one (the same answer for every address), and
setting the new password with it through the one password-change path (which ends every
session, revokes the other links, lifts a lock-out and tells the owner)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from portico.common.languages import pick_language
from portico.db.models import TokenPurpose, UserStatus
from portico.manager.credentials.hashing_pool import HashingPool
from portico.manager.credentials.passwords import PasswordChanged, PasswordChanges
from portico.manager.errors import FeatureDisabled, InvalidToken, NotFound, SamePassword
from portico.manager.services.accounts import normalize_login_id
from portico.manager.services.audit import OPERATOR, Actor, AuditKind
from portico.manager.services.email_flow import EmailFlow
from portico.manager.services.links import public_base
from portico.manager.services.passkeys import PasskeyService


class RecoveryService(EmailFlow):
    def __init__(
        self,
        *args: Any,
        passwords: PasswordChanges,
        passkeys: PasskeyService,
        pool: HashingPool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.passwords = passwords
        self.passkeys = passkeys
        self._pool = pool

    def require_enabled(self) -> None:
        if not self.settings.recovery.enabled:
            raise FeatureDisabled("Password recovery by e-mail is disabled on this server.")

    async def request_change(
        self, email: str, *, client_address: str = "", language: str = ""
    ) -> None:
        """Same answer for every address, and the same database work: an address without an
        eligible account gets a revoked token and a message that is never sent. A newer link
        revokes the older ones."""
        self.require_enabled()
        email = normalize_login_id(email)
        # Not an address at all: said plainly (it reveals nothing about any account).
        self.accounts.validate_identity(email, None)
        await self.count_request(email, client_address)
        user = await self.accounts.user_by_email(email)
        eligible = user is not None and user.status in (
            UserStatus.ACTIVE,
            UserStatus.BEFORE_VERIFICATION,
        )
        ttl = self.settings.recovery.token_ttl
        lang = pick_language(user.language if user is not None else None, language)
        await self.mail_link(
            TokenPurpose.RESET,
            to=email,
            user_id=user.uuid if eligible and user is not None else None,
            ttl=ttl,
            page="/change-password",
            kind="reset_password",
            lang=lang,
            minutes=ttl // 60,
        )
        await self.audit.record(
            AuditKind.RESET_REQUESTED,
            actor=Actor(None, "", client_address),
            subject_id=user.uuid if eligible and user is not None else None,
            subject=email,
            outcome="sent" if eligible else "no-account",
        )

    async def operator_link(self, email: str) -> str:
        """`portico user reset-link`: a one-time link that sets a new password, for the
        operator to hand over (nothing is mailed). It revokes the account's earlier links."""
        self.require_enabled()
        user = await self.accounts.user_by_email(email)
        if user is None:
            raise NotFound(f"no account {email!r}")
        token = await self.tokens.issue(
            TokenPurpose.RESET,
            ttl=self.settings.recovery.token_ttl,
            user_id=user.uuid,
            email=user.email,
            supersede=True,
        )
        await self.audit.record(
            AuditKind.RESET_REQUESTED,
            actor=OPERATOR,
            subject_id=user.uuid,
            subject=user.email,
            outcome="link-printed",
        )
        return f"{public_base(self.settings)}/change-password?{urlencode({'token': token})}"

    async def passkeys_of_link(self, token: str) -> list[str]:
        """The names of the passkeys of the account a live reset link is for (nothing is
        spent), so its page can offer to remove them; InvalidToken for any other token."""
        self.require_enabled()
        user_id = await self.tokens.check(TokenPurpose.RESET, token)
        if user_id is None:
            raise InvalidToken()
        return [p.name for p in await self.passkeys.owned_by(user_id)]

    async def change_password(
        self,
        email: str,
        password: str,
        token: str,
        *,
        replace_keypair: bool = True,
        remove_passkeys: bool = True,
    ) -> PasswordChanged:
        """Set a new password with a reset link. Whoever had the old password may have used
        the API keypair, or added a passkey: by default both go (the owner may keep them)."""
        self.require_enabled()
        email = normalize_login_id(email)
        user = await self.accounts.user_by_email(email)
        # The policy speaks before the token is spent, so a rejected password keeps the link.
        self.passwords.check_policy(
            password, email=email, username=user.username if user is not None else email
        )
        # A new password must be new. One hash whether or not the account exists, so the
        # answer's timing says nothing about it.
        same = await self._pool.verify(password, user.password if user else None)
        if same and user is not None:
            raise SamePassword()
        used = await self.tokens.use(TokenPurpose.RESET, token, email=email)
        if user is None or used.user_id != user.uuid:
            raise InvalidToken()
        return await self.passwords.change(
            user,
            password,
            replace_keypair=replace_keypair,
            remove_passkeys=remove_passkeys,
            unlock=True,
            how="reset",
        )
