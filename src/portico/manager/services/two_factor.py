"""A second factor for log-in: an authenticator app (TOTP) and ten single-use recovery codes.

Enrolment is begun (a secret, shown once as text and as a QR code) and confirmed by one code;
only then does a log-in ask for codes, and the recovery codes are made (shown once, stored as
keyed hashes). A code is accepted once: the newest accepted time step is kept, and a code of
that step or an older one is refused. A log-in checks the code first and uses it up with the
session it opens, by one atomic UPDATE, so two log-ins (on two replicas) cannot both use it.
Each enrolment, removal and recovery-code use mails the owner and is audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portico.common.sealing import SecretBox
from portico.db.models import RecoveryCode, TokenPurpose, TotpFactor, User, utcnow
from portico.db.results import rows_changed
from portico.manager.credentials.authentication import PasswordCheck
from portico.manager.credentials.tokens import TokenService, revoke_live
from portico.manager.errors import (
    CodeRequired,
    Conflict,
    FeatureDisabled,
    InvalidOtp,
    InvalidRequest,
    OtpRequired,
    TwoFactorRegistrationRequired,
)
from portico.manager.services import totp
from portico.manager.services.audit import Actor, AuditKind
from portico.manager.services.owner_notices import OwnerNotices

Mode = Literal["off", "optional", "required"]
SETUP_TOKEN_SECONDS = 600
SETUP_TOKEN_USES = 5  # begin (perhaps again) and confirm
MAX_CODE_LENGTH = 32


@dataclass(frozen=True)
class TwoFactorState:
    mode: Mode
    enabled: bool
    recovery_codes_left: int


@dataclass(frozen=True)
class CodeProof:
    """A good code, not yet used up: the TOTP step it belongs to, or a recovery code's hash."""

    user_id: uuid.UUID
    step: int | None = None
    recovery_hash: str | None = None


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str
    qr_svg: str


class TwoFactorService:
    def __init__(
        self,
        database: async_sessionmaker[AsyncSession],
        *,
        mode: Mode,
        box: SecretBox,
        recovery_key: bytes,
        tokens: TokenService,
        notices: OwnerNotices,
        password_check: PasswordCheck,
        site: str,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._database = database
        self._password_check = password_check
        self.mode = mode
        self._box = box
        self._recovery_key = recovery_key
        self._tokens = tokens
        self._notices = notices
        self._site = site
        self._clock = clock

    # -- what an account has

    async def state(self, user_id: uuid.UUID) -> TwoFactorState:
        async with self._database() as db:
            factor = await db.get(TotpFactor, user_id)
            left = await db.scalar(
                select(func.count())
                .select_from(RecoveryCode)
                .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
            )
        enabled = factor is not None and factor.confirmed_at is not None
        return TwoFactorState(self.mode, enabled, int(left or 0) if enabled else 0)

    # -- at log-in (called by the one password check, after the password was right)

    async def verify_at_log_in(self, user: User, otp: str | None) -> CodeProof | None:
        """Check the code of a log-in whose password was right: None when the account needs
        none, a proof to `spend` with the session when it is good; raise OtpRequired (no code
        sent) or InvalidOtp. Nothing is spent here: a log-in that stops at a later step (new
        terms to accept, a password to change) may send the same code again."""
        if self.mode == "off":
            return None
        factor = await self._confirmed(user.uuid)
        if factor is None:
            return None
        if not otp:
            raise OtpRequired()
        if len(otp) > MAX_CODE_LENGTH:
            raise InvalidOtp()
        step = totp.matching_step(self._box.open(factor.secret_sealed), otp, self._now())
        if step is not None and step > factor.last_step:
            return CodeProof(user.uuid, step=step)
        if totp.looks_like_recovery_code(otp):
            digest = totp.recovery_code_hash(self._recovery_key, otp)
            async with self._database() as db:
                unused = await db.scalar(
                    select(RecoveryCode.id).where(*_unused_recovery_code(user.uuid, digest))
                )
            if unused is not None:
                return CodeProof(user.uuid, recovery_hash=digest)
        raise InvalidOtp()

    async def spend(self, db: AsyncSession, user: User, proof: CodeProof, who: Actor) -> None:
        """Use the code up, in the caller's transaction (the one that opens the session): one
        atomic UPDATE, so of two log-ins with one code only one gets a session."""
        if proof.step is not None:
            taken = await db.execute(
                update(TotpFactor)
                .where(TotpFactor.user_id == user.uuid, TotpFactor.last_step < proof.step)
                .values(last_step=proof.step)
            )
        else:
            taken = await db.execute(
                update(RecoveryCode)
                .where(*_unused_recovery_code(user.uuid, proof.recovery_hash or ""))
                .values(used_at=utcnow())
            )
        if not rows_changed(taken):
            raise InvalidOtp()
        if proof.recovery_hash is not None:
            await self._notices.mail(db, user, "recovery_code_used")
            db.add(
                self._notices.audit.entry(
                    AuditKind.RECOVERY_CODE_USED,
                    actor=who,
                    subject_id=user.uuid,
                    subject=user.email,
                )
            )

    def spent(self) -> None:
        """After the spending transaction committed: the owner's notice goes out."""
        self._notices.send()

    async def setup_token_if_required(self, user: User) -> None:
        """Under "required", an account without a factor gets only a token to enrol one."""
        if self.mode != "required" or await self._confirmed(user.uuid) is not None:
            return
        token = await self._tokens.issue(
            TokenPurpose.TWO_FACTOR_SETUP,
            ttl=SETUP_TOKEN_SECONDS,
            user_id=user.uuid,
            uses=SETUP_TOKEN_USES,
            supersede=True,
        )
        raise TwoFactorRegistrationRequired(token)

    async def user_of_setup_token(self, token: str) -> uuid.UUID:
        used = await self._tokens.use(TokenPurpose.TWO_FACTOR_SETUP, token)
        assert used.user_id is not None
        return used.user_id

    # -- enrolment

    async def begin(self, user: User) -> Enrolment:
        """A new secret, not yet asked for at log-in (it replaces an unfinished enrolment)."""
        self._offered()
        secret = totp.new_secret()
        async with self._database.begin() as db:
            factor = await db.get(TotpFactor, user.uuid, with_for_update=True)
            if factor is not None and factor.confirmed_at is not None:
                raise Conflict("Two-factor log-in is on already; turn it off first.")
            if factor is None:
                db.add(TotpFactor(user_id=user.uuid, secret_sealed=self._box.seal(secret)))
            else:
                factor.secret_sealed = self._box.seal(secret)
                factor.last_step = 0
        uri = totp.provisioning_uri(secret, user.email, self._site)
        return Enrolment(secret=secret, uri=uri, qr_svg=totp.qr_svg(uri))

    async def confirm(self, user: User, code: str, who: Actor) -> list[str]:
        """The first code from the app turns the factor on; the answer is the recovery codes,
        shown this once."""
        self._offered()
        async with self._database.begin() as db:
            factor = await db.get(TotpFactor, user.uuid, with_for_update=True)
            if factor is None:
                raise InvalidRequest("Begin the enrolment first.")
            if factor.confirmed_at is not None:
                raise Conflict("Two-factor log-in is on already.")
            step = totp.matching_step(self._box.open(factor.secret_sealed), code, self._now())
            if step is None:
                raise InvalidOtp()
            factor.confirmed_at = utcnow()
            factor.last_step = step
            codes = await self._new_recovery_codes(db, user.uuid)
            await self._notices.mail(db, user, "two_factor_enabled")
            await self._tokens_done(db, user.uuid)
        self._notices.send()
        await self._notices.record(AuditKind.TWO_FACTOR_ENABLED, who, user)
        return codes

    async def disable(
        self, user: User, who: Actor, *, outcome: str = "by-owner", passkeys: int = 0
    ) -> bool:
        """Remove the factor and the recovery codes (the caller has checked the password and a
        code, or is an administrator, who has removed `passkeys` passkeys too). False when
        there was nothing to remove."""
        if outcome != "by-admin":
            self.owner_may_disable()
        async with self._database.begin() as db:
            removed = await db.execute(delete(TotpFactor).where(TotpFactor.user_id == user.uuid))
            await db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.uuid))
            if not rows_changed(removed) and not passkeys:
                return False
            kind = "two_factor_cleared" if outcome == "by-admin" else "two_factor_disabled"
            await self._notices.mail(db, user, kind)
        self._notices.send()
        audit_kind = (
            AuditKind.TWO_FACTOR_CLEARED if outcome == "by-admin" else AuditKind.TWO_FACTOR_DISABLED
        )
        await self._notices.record(audit_kind, who, user, outcome)
        return True

    async def _password_and_code(
        self, user: User, password: str, code: str, client_address: str
    ) -> CodeProof | None:
        """The owner's password and a code (or a recovery code), checked as a log-in is: they
        count toward the lock-out. None when the account has no factor; CodeRequired when the
        code is missing."""
        proof: CodeProof | None = None

        async def check_code() -> None:
            nonlocal proof
            proof = await self.verify_at_log_in(user, code)

        try:
            await self._password_check.check(
                user, user.email, password, client_address, second_factor=check_code
            )
        except OtpRequired:
            raise CodeRequired() from None
        return proof

    async def disable_by_owner(self, user: User, password: str, code: str, who: Actor) -> bool:
        """The owner turns the factor off, giving the password and a code of it."""
        self.owner_may_disable()  # before the check: a refusal costs no attempt
        await self._password_and_code(user, password, code, who.client_address)
        return await self.disable(user, who)

    async def renew_recovery_codes_by_owner(
        self, user: User, password: str, code: str, who: Actor
    ) -> list[str]:
        """Ten new recovery codes for the owner, who gives the password and a code."""
        await self.may_renew_recovery_codes(user.uuid)
        proof = await self._password_and_code(user, password, code, who.client_address)
        return await self.renew_recovery_codes(user, proof, who)

    async def may_renew_recovery_codes(self, user_id: uuid.UUID) -> None:
        """Conflict when there are no codes to renew (asked before the password check, so a
        refusal costs no attempt)."""
        self._offered()
        if await self._confirmed(user_id) is None:
            raise _no_codes_to_renew()

    async def renew_recovery_codes(
        self, user: User, proof: CodeProof | None, who: Actor
    ) -> list[str]:
        """Ten new recovery codes in place of the old ones, shown this once. The caller has
        checked the password and `proof`, a code of the factor, which is used up here (None:
        the account had no factor by the time of the check)."""
        self._offered()
        async with self._database.begin() as db:
            factor = await db.get(TotpFactor, user.uuid, with_for_update=True)
            if proof is None or factor is None or factor.confirmed_at is None:
                raise _no_codes_to_renew()
            if proof.step is not None:
                await self.spend(db, user, proof, who)
            # A recovery code given as the proof goes with the rest.
            codes = await self._new_recovery_codes(db, user.uuid)
            await self._notices.mail(db, user, "recovery_codes_renewed")
        self._notices.send()
        await self._notices.record(AuditKind.RECOVERY_CODES_RENEWED, who, user)
        return codes

    def owner_may_disable(self) -> None:
        if self.mode == "required":
            raise Conflict("This service requires two-factor log-in; it cannot be turned off.")

    # -- the parts

    def _offered(self) -> None:
        if self.mode == "off":
            raise FeatureDisabled("Two-factor log-in is turned off on this service.")

    def _now(self) -> float | None:
        return self._clock() if self._clock is not None else None

    async def _confirmed(self, user_id: uuid.UUID) -> TotpFactor | None:
        async with self._database() as db:
            factor = await db.get(TotpFactor, user_id)
        return factor if factor is not None and factor.confirmed_at is not None else None

    async def _new_recovery_codes(self, db: AsyncSession, user_id: uuid.UUID) -> list[str]:
        codes = totp.new_recovery_codes()
        await db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
        db.add_all(
            RecoveryCode(user_id=user_id, code_hash=totp.recovery_code_hash(self._recovery_key, c))
            for c in codes
        )
        return codes

    async def _tokens_done(self, db: AsyncSession, user_id: uuid.UUID) -> None:
        await db.execute(revoke_live(TokenPurpose.TWO_FACTOR_SETUP, user_id))


def _no_codes_to_renew() -> Conflict:
    return Conflict("Two-factor log-in is off: there are no recovery codes to renew.")


def _unused_recovery_code(user_id: uuid.UUID, digest: str) -> tuple[Any, ...]:
    return (
        RecoveryCode.user_id == user_id,
        RecoveryCode.code_hash == digest,
        RecoveryCode.used_at.is_(None),
    )
