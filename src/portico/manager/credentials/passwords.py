"""The one way a password changes, whoever changes it (the owner, a reset link, an operator):

    policy -> hash -> store, in one transaction with its effects: outstanding reset links
    revoked, every set-up in progress ended (a second factor's set-up token and unconfirmed
    secret, a passkey's registration challenge: whoever began one with the old password must
    not finish it), log-in sessions ended, optionally a new API keypair and the passkeys
    removed, the notice mail queued
    -> then the browser sessions ended (all but the one that made the change) and, after a
    reset, the lock-out lifted.

Sign-up shares the first half (policy -> hash) through AccountService.create_user.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portico.common.languages import pick_language
from portico.common.sealing import SecretBox
from portico.db.models import (
    Keypair,
    LoginSession,
    Passkey,
    TokenPurpose,
    TotpFactor,
    User,
    UserStatus,
    utcnow,
)
from portico.manager.credentials.authentication import PasswordCheck
from portico.manager.credentials.hashing_pool import HashingPool
from portico.manager.credentials.password_policy import PasswordPolicy
from portico.manager.credentials.step_up import end_step_ups
from portico.manager.credentials.tokens import revoke_live
from portico.manager.errors import (
    AccountInactive,
    InvalidCredentials,
    NotFound,
    OldPasswordMismatch,
    PasswordMismatch,
    PasswordNotExpired,
    SamePassword,
)
from portico.manager.mail.compose import compose
from portico.manager.mail.outbox import Outbox
from portico.manager.services.accounts import AccountService, normalize_login_id
from portico.manager.services.audit import OPERATOR, SYSTEM, Actor, AuditKind, AuditLog
from portico.manager.services.credential_cache import CredentialCache
from portico.manager.services.keypairs import NewKeypair, default_keypair_for
from portico.sessions.store import SessionStore


@dataclass(frozen=True)
class PasswordChanged:
    keypair: NewKeypair | None  # the new API keypair, when it was replaced
    passkeys_removed: int = 0


async def end_set_ups(db: AsyncSession, user_id: uuid.UUID) -> None:
    """Every set-up of a new authenticator still in progress ends: the two-factor set-up token,
    an authenticator app's unconfirmed secret, a passkey's registration challenge, and every
    step-up given with the old password."""
    await db.execute(revoke_live(TokenPurpose.TWO_FACTOR_SETUP, user_id))
    await db.execute(revoke_live(TokenPurpose.PASSKEY_REGISTER, user_id))
    await db.execute(
        delete(TotpFactor).where(TotpFactor.user_id == user_id, TotpFactor.confirmed_at.is_(None))
    )
    await end_step_ups(db, user_id)


async def _remove_passkeys(db: AsyncSession, user_id: uuid.UUID) -> list[str]:
    """The account's passkeys go; their names, for the owner's notice."""
    names = list(
        (
            await db.scalars(
                select(Passkey.name).where(Passkey.user_id == user_id).order_by(Passkey.id)
            )
        ).all()
    )
    await db.execute(delete(Passkey).where(Passkey.user_id == user_id))
    return names


class PasswordChanges:
    def __init__(
        self,
        database: async_sessionmaker[AsyncSession],
        *,
        accounts: AccountService,
        pool: HashingPool,
        policy: PasswordPolicy,
        password_check: PasswordCheck,
        audit: AuditLog,
        browser_sessions: SessionStore,
        credentials: CredentialCache,
        outbox: Outbox,
        box: SecretBox,
        site: str,
        public_base: str,
    ) -> None:
        self._database = database
        self.accounts = accounts
        self._pool = pool
        self._policy = policy
        self._password_check = password_check
        self._audit = audit
        self.browser_sessions = browser_sessions
        self.credentials = credentials
        self.outbox = outbox
        self._box = box
        self._site = site
        self._public_base = public_base

    def check_policy(self, password: str, *, email: str, username: str) -> None:
        self._policy.check(password, email=email, username=username)

    async def change(
        self,
        user: User,
        new_password: str,
        *,
        keep_session: str | None = None,
        replace_keypair: bool = False,
        remove_passkeys: bool = False,
        unlock: bool = False,
        how: str = "own",
        actor: Actor = SYSTEM,
    ) -> PasswordChanged:
        """`keep_session`: the hash of the browser session that made the change, if any.
        `how` ("own", "expired", "reset", "operator") and `actor` go to the audit trail."""
        self.check_policy(new_password, email=user.email, username=user.username)
        password_hash = await self._pool.make(new_password)
        async with self._database.begin() as db:
            await db.execute(
                update(User)
                .where(User.uuid == user.uuid)
                .values(
                    password=password_hash,
                    password_changed_at=utcnow(),
                    need_password_change=False,
                )
            )
            await db.execute(revoke_live(TokenPurpose.RESET, user.uuid))
            await end_set_ups(db, user.uuid)
            removed = await _remove_passkeys(db, user.uuid) if remove_passkeys else []
            await db.execute(
                update(LoginSession)
                .where(LoginSession.user_id == user.uuid, LoginSession.ended_at.is_(None))
                .values(ended_at=utcnow())
            )
            keypair: NewKeypair | None = None
            if replace_keypair:
                await db.execute(
                    update(Keypair).where(Keypair.user_id == user.uuid).values(is_active=False)
                )
                keypair, row = default_keypair_for(user, self._box)
                db.add(row)
            notes: tuple[str, ...] = ("keypair_replaced" if replace_keypair else "keypair_kept",)
            if removed:
                notes += ("passkeys_removed",)
            message = compose(
                "password_changed",
                pick_language(user.language),
                site=self._site,
                link=self._public_base,
                note=notes,
                passkeys=", ".join(removed),
            )
            await self.outbox.enqueue(user.email, message, db=db)
        self.outbox.wake()
        # Every replica forgets the cached credential now: an old key stops working, and a
        # password that had to be changed no longer blocks the account's calls.
        await self.credentials.forget(user.uuid)
        await self.browser_sessions.revoke_user(str(user.uuid), keep_hash=keep_session)
        if unlock:
            await self._password_check.unlock(user, user.email)
        await self._audit.record(
            AuditKind.RESET_USED if how == "reset" else AuditKind.PASSWORD_CHANGED,
            actor=actor,
            subject_id=user.uuid,
            subject=user.email,
            outcome=how,
            details={"keypair_replaced": replace_keypair, "passkeys_removed": len(removed)},
        )
        return PasswordChanged(keypair, len(removed))

    async def change_own(
        self,
        user_id: uuid.UUID,
        old_password: str,
        new_password: str,
        new_password2: str,
        *,
        keep_session: str | None = None,
        client_address: str = "",
    ) -> None:
        """The owner's change, with the old password; the session making it stays."""
        user = await self.accounts.user_row(user_id)
        if new_password != new_password2:
            raise PasswordMismatch()
        try:
            await self.accounts.verify_own_password(user, old_password, client_address)
        except InvalidCredentials as wrong:
            raise OldPasswordMismatch(wrong.attempts_left) from None
        if new_password == old_password:
            raise SamePassword()
        await self.change(
            user,
            new_password,
            keep_session=keep_session,
            actor=Actor(user.uuid, user.email, client_address),
        )

    async def change_expired(
        self, login_id: str, current_password: str, new_password: str, client_address: str = ""
    ) -> datetime:
        """Backend.AI's change without a session, for a password that must be changed before
        any log-in: the current password is checked as a log-in is (lock-out included)."""
        normalized = normalize_login_id(login_id)
        user = await self.accounts.find(normalized)
        await self._password_check.check(user, normalized, current_password, client_address)
        assert user is not None  # a missing account never passes the check
        if user.status != UserStatus.ACTIVE:
            raise AccountInactive()
        if not user.need_password_change:
            raise PasswordNotExpired()
        if new_password == current_password:
            raise SamePassword()
        await self.change(
            user, new_password, how="expired", actor=Actor(user.uuid, user.email, client_address)
        )
        return (await self.accounts.user_row(user.uuid)).password_changed_at

    async def set_by_operator(self, email: str, new_password: str) -> None:
        """`portico user set-password`: no old password asked; a block on the account ends."""
        user = await self.accounts.user_by_email(email)
        if user is None:
            raise NotFound("no such user")
        await self.change(user, new_password, unlock=True, how="operator", actor=OPERATOR)

    async def replace_keypair(
        self, user_id: uuid.UUID, actor: Actor, *, keep_session: str | None = None
    ) -> NewKeypair:
        """The owner's new API keypair (its secret, to show once); the old ones stop working
        on every manager at once, and so do the other browser sessions, which signed with them."""
        user = await self.accounts.user_row(user_id)
        async with self._database.begin() as db:
            await db.execute(
                update(Keypair).where(Keypair.user_id == user.uuid).values(is_active=False)
            )
            keypair, row = default_keypair_for(user, self._box)
            db.add(row)
        await self.credentials.forget(user.uuid)
        await self.browser_sessions.revoke_user(str(user.uuid), keep_hash=keep_session)
        await self._audit.record(
            AuditKind.KEYPAIR_REPLACED,
            actor=actor,
            subject_id=user.uuid,
            subject=user.email,
            details={"access_key": keypair.access_key},
        )
        return keypair
