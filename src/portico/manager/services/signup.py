"""Self sign-up (closed / invite / open), e-mail verification and admin approval.

Whether an address is already registered never shows in an answer: its owner gets an e-mail
instead, and the request pays the same password hash as a real sign-up.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from portico.common.languages import pick_language
from portico.db.models import TokenPurpose, User, UserStatus
from portico.db.results import rows_changed
from portico.manager.credentials.hashing_pool import HashingPool
from portico.manager.credentials.password_policy import PasswordPolicy
from portico.manager.errors import AccountExists, FeatureDisabled, NotFound, UsernameTaken
from portico.manager.services.accounts import PENDING_APPROVAL, UserInfo, normalize_login_id
from portico.manager.services.audit import OPERATOR, Actor, AuditKind
from portico.manager.services.consent import ConsentService
from portico.manager.services.email_flow import EmailFlow
from portico.manager.services.links import public_base
from portico.manager.services.rate_limits import RateLimit

VERIFICATION_TTL = 24 * 3600


@dataclass(frozen=True)
class SignupOutcome:
    """Depends only on the server's settings, never on the address."""

    status: str  # "verify-email", "await-approval" or "active"


class SignupService(EmailFlow):
    def __init__(
        self,
        *args: Any,
        consent: ConsentService,
        notices: RateLimit,
        policy: PasswordPolicy,
        pool: HashingPool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.consent = consent
        self.notices = notices
        self._policy = policy
        self._pool = pool

    def outcome(self) -> SignupOutcome:
        s = self.settings.signup
        if s.email_verification:
            return SignupOutcome("verify-email")
        return SignupOutcome("await-approval" if s.approval else "active")

    async def signup(
        self,
        *,
        email: str,
        password: str,
        username: str | None,
        token: str | None,
        terms_version: str | None,
        privacy_version: str | None,
        client_address: str = "",
        language: str = "",
    ) -> SignupOutcome:
        mode = self.settings.signup.mode
        if mode == "closed":
            raise FeatureDisabled("Sign-up is closed on this server.")
        email = normalize_login_id(email)
        username = (username or "").strip() or None
        self.accounts.validate_identity(email, username)
        self.consent.require_current(terms_version, privacy_version)
        self._policy.check(password, email=email, username=username or email)
        # Before anything that costs a hash or reads accounts: the limits, then the invitation.
        await self.count_request(email, client_address)
        if mode == "invite":
            await self.tokens.check(TokenPurpose.INVITATION, token or "", email=email)
        if username and await self._username_taken(username, email):
            raise UsernameTaken()
        lang = pick_language(language)

        if await self._email_registered(email):
            # The owner hears of it (at most once a window); the caller learns nothing.
            if mode == "invite":
                await self.tokens.use(TokenPurpose.INVITATION, token or "", email=email)
            await self._pool.make(password)  # the same cost as a real sign-up
            await self._notify_owner(email, lang)
            await self.audit.record(
                AuditKind.SIGNED_UP,
                actor=Actor(None, email, client_address),
                subject=email,
                outcome="address-taken",
            )
            return self.outcome()

        outcome = self.outcome()
        status = {
            "verify-email": UserStatus.BEFORE_VERIFICATION,
            "await-approval": UserStatus.INACTIVE,
            "active": UserStatus.ACTIVE,
        }[outcome.status]
        # Hashed before the transaction: a sign-up holds no connection and no lock on the
        # invitation while bcrypt runs (a burst of them would otherwise starve the pool).
        user = await self.accounts.new_user(
            email=email,
            username=username,
            password=password,
            status=status.value,
            language=lang,
            status_info=PENDING_APPROVAL if status == UserStatus.INACTIVE else "user-signup",
            created_via="signup",
        )
        # The account, its consent, its verification token and its mail commit together or not
        # at all: a crash can leave no account that was never asked to consent or never mailed.
        try:
            async with self._database.begin() as db:
                group_name = "default"
                if mode == "invite":  # spent with the account, or not at all
                    used = await self.tokens.use(
                        TokenPurpose.INVITATION, token or "", email=email, db=db
                    )
                    group_name = used.group_name or group_name
                created = await self.accounts.insert_user(db, user, group_name)
                await self.consent.record(db, created.user_id, client_address)
                if status == UserStatus.BEFORE_VERIFICATION:
                    await self.send_verification(created.user_id, email, lang, db=db)
        except AccountExists:
            # A concurrent sign-up with the same address won: its owner hears of this one too.
            await self._notify_owner(email, lang)
            return self.outcome()
        self.outbox.wake()
        who = Actor(None, email, client_address)
        await self.audit.record(
            AuditKind.SIGNED_UP,
            actor=who,
            subject_id=created.user_id,
            subject=email,
            outcome=outcome.status,
        )
        if mode == "invite":
            await self.audit.record(
                AuditKind.INVITATION_REDEEMED, actor=who, subject_id=created.user_id, subject=email
            )
        return outcome

    async def _notify_owner(self, email: str, lang: str) -> None:
        """Tell an address's owner that somebody tried to sign up with it; once a window."""
        if await self.notices.allows(email):
            await self.notices.hit(email)
            await self.mail(email, "signup_existing", lang, public_base(self.settings))

    async def _username_taken(self, username: str, email: str) -> bool:
        async with self._database() as db:
            return bool(
                await db.scalar(
                    select(func.count())
                    .select_from(User)
                    .where(
                        or_(
                            func.lower(User.username) == username.lower(),
                            User.email == username.lower(),
                        ),
                        User.email != email,
                    )
                )
            )

    async def _email_registered(self, email: str) -> bool:
        async with self._database() as db:
            return bool(await db.scalar(select(func.count()).where(User.email == email)))

    async def send_verification(
        self,
        user_id: uuid.UUID | None,
        email: str,
        lang: str,
        *,
        db: AsyncSession | None = None,
        decoy: bool = False,
    ) -> None:
        token = await self.tokens.issue(
            TokenPurpose.VERIFICATION,
            ttl=VERIFICATION_TTL,
            user_id=user_id,
            email=email,
            supersede=True,
            db=db,
            decoy=decoy,
        )
        link = f"{public_base(self.settings)}/verify-email?verification_code={token}"
        await self.mail(email, "verify_email", lang, link, db=db, discard=decoy)

    async def verify_email(self, code: str) -> SignupOutcome:
        used = await self.tokens.use(TokenPurpose.VERIFICATION, code)
        approval = self.settings.signup.approval
        async with self._database.begin() as db:
            await db.execute(
                update(User)
                .where(User.uuid == used.user_id, User.status == UserStatus.BEFORE_VERIFICATION)
                .values(
                    status=(UserStatus.INACTIVE if approval else UserStatus.ACTIVE).value,
                    status_info=PENDING_APPROVAL if approval else "email-verified",
                )
            )
            email = await db.scalar(select(User.email).where(User.uuid == used.user_id))
        await self.audit.record(
            AuditKind.EMAIL_VERIFIED, subject_id=used.user_id, subject=email or ""
        )
        return SignupOutcome("await-approval" if approval else "active")

    async def resend_verification(
        self, email: str, *, client_address: str = "", language: str = ""
    ) -> None:
        """Same answer for every address; only an unverified account gets a new link."""
        if self.settings.signup.mode == "closed" or not self.settings.signup.email_verification:
            raise FeatureDisabled("E-mail verification is not used on this server.")
        email = normalize_login_id(email)
        await self.count_request(email, client_address)
        async with self._database() as db:
            user = await db.scalar(select(User).where(User.email == email))
        eligible = user is not None and user.status == UserStatus.BEFORE_VERIFICATION
        lang = pick_language(user.language if user is not None else None, language)
        # Every address costs the same writes; only an unverified account gets a working link.
        async with self._database.begin() as db:
            await self.send_verification(
                user.uuid if eligible and user is not None else None,
                email,
                lang,
                db=db,
                decoy=not eligible,
            )
        self.outbox.wake()
        await self.audit.record(
            AuditKind.VERIFICATION_RESENT,
            actor=Actor(None, "", client_address),
            subject=email,
            outcome="sent" if eligible else "not-needed",
        )

    # -- invitations ----------------------------------------------------------------------------

    async def invite(
        self,
        *,
        ttl: int,
        uses: int = 1,
        email: str | None = None,
        group_name: str | None = None,
        language: str = "",
        actor: Actor = OPERATOR,
    ) -> str:
        """A new invitation, as its sign-up link. With `email`, only that address may use it,
        and the link is mailed there (in `language`, else English)."""
        email = normalize_login_id(email) if email else None
        if email:
            self.accounts.validate_identity(email, None)  # a clear 400, not a mail that bounces
        async with self._database.begin() as db:
            token = await self.tokens.issue(
                TokenPurpose.INVITATION,
                ttl=ttl,
                uses=uses,
                email=email,
                group_name=group_name,
                db=db,
            )
            link = f"{public_base(self.settings)}/?{urlencode({'token': token})}"
            if email:
                expires = time.strftime("%Y-%m-%d %H:%M", time.gmtime(time.time() + ttl))
                await self.mail(
                    email, "invitation", pick_language(language), link, expires=expires, db=db
                )
        self.outbox.wake()
        await self.audit.record(
            AuditKind.INVITATION_CREATED,
            actor=actor,
            subject=email or "",
            details={"uses": uses, "ttl": ttl, "project": group_name or "default"},
        )
        return link

    # -- approval -------------------------------------------------------------------------------

    async def pending(self) -> list[UserInfo]:
        async with self._database() as db:
            users = (
                await db.scalars(
                    select(User)
                    .where(User.status == UserStatus.INACTIVE, User.status_info == PENDING_APPROVAL)
                    .order_by(User.created_at)
                )
            ).all()
        return [UserInfo.of(u) for u in users]

    async def activate(self, email: str, actor: Actor = OPERATOR) -> None:
        async with self._database.begin() as db:
            result = await db.execute(
                update(User)
                .where(
                    User.email == normalize_login_id(email),
                    User.status == UserStatus.INACTIVE,
                    User.status_info == PENDING_APPROVAL,
                )
                .values(status=UserStatus.ACTIVE.value, status_info="approved")
            )
        if not rows_changed(result):
            raise NotFound("no account awaits approval under that address")
        await self.audit.record(AuditKind.APPROVED, actor=actor, subject=normalize_login_id(email))
