"""Log-in: the password check, the account's state, consent, and the manager session that a
log-in opens. Existing, missing and locked ids fail alike and cost one hash each; the history
and the audit trail of a failure are written in the background, for a missing id too, so that
the answer's timing tells nothing.
"""

from __future__ import annotations

import secrets
import time
import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portico.common.metrics import LOCKOUTS, LOGINS
from portico.common.sealing import SecretBox, token_hash
from portico.db.models import Keypair, LoginHistory, LoginSession, User, UserStatus, utcnow
from portico.manager.credentials.authentication import PasswordCheck
from portico.manager.credentials.hashing_pool import HashingPool
from portico.manager.errors import (
    AccountInactive,
    AccountNotVerified,
    AccountPendingApproval,
    ConsentRequired,
    DomainError,
    InvalidCredentials,
    InvalidOtp,
    NoKeypair,
    OtpRequired,
    PasswordExpired,
    TooManyFailedLogins,
)
from portico.manager.services.accounts import (
    PENDING_APPROVAL,
    AccountService,
    Authorization,
    normalize_login_id,
    password_set_on,
)
from portico.manager.services.audit import Actor, AuditKind, AuditLog
from portico.manager.services.consent import ConsentService
from portico.manager.services.passkeys import PasskeyService
from portico.manager.services.two_factor import CodeProof, TwoFactorService
from portico.serving.background import TaskSet


class LogInService:
    def __init__(
        self,
        database: async_sessionmaker[AsyncSession],
        *,
        accounts: AccountService,
        password_check: PasswordCheck,
        pool: HashingPool,
        consent: ConsentService,
        audit: AuditLog,
        box: SecretBox,
        two_factor: TwoFactorService,
        passkeys: PasskeyService,
    ) -> None:
        self._database = database
        self.accounts = accounts
        self._password_check = password_check
        self._pool = pool
        self.consent = consent
        self.audit = audit
        self._box = box
        self.two_factor = two_factor
        self.passkeys = passkeys
        self._background = TaskSet()

    async def authorize(
        self,
        login_id: str,
        password: str,
        *,
        client_address: str = "",
        user_agent: str = "",
        agreed_terms_version: str | None = None,
        agreed_privacy_version: str | None = None,
        otp: str | None = None,
    ) -> Authorization:
        """Check a log-in. Existing, missing and locked ids fail alike and cost one hash each;
        the second factor is asked for only once the password was right."""
        normalized = normalize_login_id(login_id)
        user = await self.accounts.find(normalized)
        who = Actor(None, normalized, client_address, user_agent)

        proof: list[CodeProof] = []  # the good code, spent with the session it opens

        async def second_factor() -> None:
            assert user is not None  # a missing account never passes the password check
            if (good := await self.two_factor.verify_at_log_in(user, otp)) is not None:
                proof.append(good)

        try:
            await self._password_check.check(
                user, normalized, password, client_address, second_factor=second_factor
            )
        except OtpRequired:
            LOGINS.labels(OtpRequired.code).inc()
            self._background.spawn(self._failed(user, who, OtpRequired.code))
            raise
        except InvalidCredentials as failed:
            LOGINS.labels(failed.code).inc()
            if failed.blocked:
                LOCKOUTS.inc()
            # In the background, for a missing id too: it must not answer faster than an
            # existing account, whose history is written.
            self._background.spawn(self._failed(user, who, failed.code, failed.blocked))
            raise
        except TooManyFailedLogins:
            LOGINS.labels(TooManyFailedLogins.code).inc()
            self._background.spawn(self._failed(user, who, TooManyFailedLogins.code))
            raise
        assert user is not None  # a missing account never passes the check
        return await self._admit(
            user, who, agreed_terms_version, agreed_privacy_version, proof, password=password
        )

    async def authorize_passkey(
        self,
        credential: dict[str, Any],
        *,
        client_address: str = "",
        user_agent: str = "",
        agreed_terms_version: str | None = None,
        agreed_privacy_version: str | None = None,
    ) -> Authorization:
        """A log-in with a passkey: no password, and the second factor is satisfied."""
        who = Actor(None, "", client_address, user_agent)
        try:
            user = await self.accounts.user_row(await self.passkeys.authenticate(credential))
        except InvalidCredentials:
            LOGINS.labels("passkey-invalid").inc()
            self._background.spawn(self._failed(None, who, "passkey-invalid"))
            raise
        who = Actor(None, user.email, client_address, user_agent)
        return await self._admit(
            user, who, agreed_terms_version, agreed_privacy_version, [], password=None
        )

    async def _failed(
        self, user: User | None, who: Actor, outcome: str, blocked: bool = False
    ) -> None:
        subject = user.email if user is not None else who.email
        subject_id = user.uuid if user is not None else None
        if user is not None and outcome in (InvalidCredentials.code, InvalidOtp.code):
            async with self._database.begin() as db:
                db.add(_history(user.uuid, False, who))
        await self.audit.record(
            AuditKind.LOGIN_FAILED,
            actor=who,
            subject_id=subject_id,
            subject=subject,
            outcome=outcome,
        )
        if blocked:
            await self.audit.record(
                AuditKind.ACCOUNT_LOCKED, actor=who, subject_id=subject_id, subject=subject
            )

    async def _admit(
        self,
        user: User,
        who: Actor,
        agreed_terms_version: str | None,
        agreed_privacy_version: str | None,
        proof: list[CodeProof],
        *,
        password: str | None,
    ) -> Authorization:
        """Admit an account whose credentials were right, counting the outcome."""
        try:
            granted = await self._admission(
                user, who, agreed_terms_version, agreed_privacy_version, proof, password=password
            )
        except DomainError as refused:
            LOGINS.labels(refused.code).inc()
            self._background.spawn(self._failed(user, who, refused.code))
            raise
        LOGINS.labels("success").inc()
        return granted

    async def _admission(
        self,
        user: User,
        who: Actor,
        agreed_terms_version: str | None,
        agreed_privacy_version: str | None,
        proof: list[CodeProof],
        *,
        password: str | None,
    ) -> Authorization:
        """The password (and code), or a passkey (`password` None), was right: open a session
        unless the account's state forbids it."""
        # Only now, after the right password, may the answer reveal the account's state.
        if user.status == UserStatus.BEFORE_VERIFICATION:
            raise AccountNotVerified()
        if user.status == UserStatus.INACTIVE and user.status_info == PENDING_APPROVAL:
            raise AccountPendingApproval()
        if user.status != UserStatus.ACTIVE:
            raise AccountInactive()
        if user.need_password_change:
            # No session until it is changed (POST /auth/update-password-no-auth).
            raise PasswordExpired(password_set_on(user))
        if await self.consent.outdated(user):
            # No session until the current documents are accepted (sent back with the log-in).
            versions = self.consent.versions
            if (agreed_terms_version, agreed_privacy_version) != (
                versions["terms"],
                versions["privacy"],
            ):
                raise ConsentRequired(versions["terms"], versions["privacy"])
            await self.consent.accept(user.uuid, who.client_address)
            await self.audit.record(
                AuditKind.CONSENT_GIVEN,
                actor=who,
                subject_id=user.uuid,
                subject=user.email,
                details={"terms": versions["terms"], "privacy": versions["privacy"]},
            )
        if password is None:  # a passkey: both factors at once
            return await self._open_login_session(user, who, None)
        await self.two_factor.setup_token_if_required(user)
        if self._pool.must_update(password, user.password or ""):
            await self.accounts.store_password(
                user.uuid, await self._pool.make(password), changed=False
            )
        return await self._open_login_session(user, who, proof[0] if proof else None)

    async def settle(self) -> None:
        """Wait for background bookkeeping (tests, shutdown)."""
        await self._background.settle()

    async def _open_login_session(
        self, user: User, who: Actor, proof: CodeProof | None
    ) -> Authorization:
        """The session, the history line and the audit row, and the second factor's code used
        up: one transaction (a log-in storm is bound by the database's writes as much as by
        bcrypt)."""
        token = secrets.token_hex(32)
        async with self._database.begin() as db:
            if proof is not None:
                await self.two_factor.spend(db, user, proof, who)
            keypair = await db.scalar(
                select(Keypair).where(
                    Keypair.user_id == user.uuid, Keypair.is_default, Keypair.is_active
                )
            )
            if keypair is None:
                raise NoKeypair()
            db.add_all(
                [
                    LoginSession(
                        token_hash=token_hash(token),
                        user_id=user.uuid,
                        access_key=keypair.access_key,
                        client_address=who.client_address[:64],
                        user_agent=who.user_agent[:512],
                    ),
                    _history(user.uuid, True, who),
                    self.audit.entry(
                        AuditKind.LOGIN_SUCCEEDED,
                        actor=who,
                        subject_id=user.uuid,
                        subject=user.email,
                    ),
                ]
            )
        if proof is not None:
            self.two_factor.spent()
        return Authorization(
            user_id=user.uuid,
            email=user.email,
            role=user.role,
            status=user.status,
            access_key=keypair.access_key,
            secret_key=self._box.open(keypair.secret_key_sealed),
            session_token=token,
        )

    async def end_login_session(self, session_token: str) -> None:
        async with self._database.begin() as db:
            await db.execute(
                update(LoginSession)
                .where(
                    LoginSession.token_hash == token_hash(session_token),
                    LoginSession.ended_at.is_(None),
                )
                .values(ended_at=utcnow())
            )


def _history(user_id: uuid.UUID, success: bool, who: Actor) -> LoginHistory:
    return LoginHistory(
        user_id=user_id,
        success=success,
        client_address=who.client_address[:64],
        user_agent=who.user_agent[:512],
        created_at=time.time(),
    )
