"""What an administrator does to other accounts: find them, activate or deactivate them, set
a role, lift a block, require a new password, end their browser sessions, resend a
verification, approve or reject a sign-up. Every action is audited with the acting admin.

Rank rules: `user < admin < superadmin`. An account acts only on accounts of a lower rank (a
superadmin on any); each refusal is a Forbidden and an audit row. Only a superadmin grants or
takes a role, and the last active superadmin can never be deactivated, demoted, forced to
change its password or stripped of its second factor (nobody could administer the server
after that).
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portico.common.languages import pick_language
from portico.db.models import (
    Keypair,
    LoginHistory,
    LoginSession,
    User,
    UserRole,
    UserStatus,
    utcnow,
)
from portico.manager.errors import Conflict, Forbidden, InvalidRequest, NotFound
from portico.manager.mail.outbox import Outbox
from portico.manager.services.accounts import PENDING_APPROVAL, AccountService
from portico.manager.services.audit import Actor, AuditKind, AuditLog
from portico.manager.services.credential_cache import CredentialCache
from portico.manager.services.links import public_base
from portico.manager.services.passkeys import PasskeyService
from portico.manager.services.signup import SignupService
from portico.manager.services.two_factor import TwoFactorService
from portico.sessions.store import SessionStore

ADMIN_ROLES = (UserRole.SUPERADMIN, UserRole.ADMIN)
_RANKS = {UserRole.SUPERADMIN.value: 2, UserRole.ADMIN.value: 1}


def rank(role: str) -> int:
    return _RANKS.get(role, 0)


STATUSES = ("active", "inactive", "pending", "before-verification", "deleted")
DEACTIVATED = "deactivated-by-admin"


@dataclass(frozen=True)
class AccountView:
    user_id: uuid.UUID
    email: str
    username: str
    full_name: str
    role: str
    status: str  # "pending" for a sign-up awaiting approval
    need_password_change: bool
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> AccountView:
        pending = user.status == UserStatus.INACTIVE and user.status_info == PENDING_APPROVAL
        return cls(
            user.uuid,
            user.email,
            user.username,
            user.full_name,
            user.role,
            "pending" if pending else user.status,
            user.need_password_change,
            user.created_at,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.user_id),
            "email": self.email,
            "username": self.username,
            "full_name": self.full_name,
            "role": self.role,
            "status": self.status,
            "need_password_change": self.need_password_change,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class Page:
    accounts: list[AccountView]
    total: int
    page: int
    pages: int


class Administration:
    def __init__(
        self,
        database: async_sessionmaker[AsyncSession],
        *,
        accounts: AccountService,
        audit: AuditLog,
        outbox: Outbox,
        signup: SignupService,
        browser_sessions: SessionStore,
        credentials: CredentialCache,
        two_factor: TwoFactorService,
        passkeys: PasskeyService,
    ) -> None:
        self._database = database
        self.accounts = accounts
        self.signup = signup
        self.browser_sessions = browser_sessions
        self.credentials = credentials
        self.two_factor = two_factor
        self.passkeys = passkeys
        self.audit = audit
        self._outbox = outbox

    @staticmethod
    def require_admin(role: str) -> None:
        if role not in ADMIN_ROLES:
            raise Forbidden("Administrators only.")

    # -- finding accounts ---------------------------------------------------------------------

    async def find(
        self,
        *,
        search: str = "",
        status: str = "",
        role: str = "",
        page: int = 1,
        per_page: int = 20,
    ) -> Page:
        """Accounts whose e-mail, user name or name contains `search`, newest first."""
        if status and status not in STATUSES:
            raise InvalidRequest(f"status is one of {', '.join(STATUSES)}")
        if role and role not in {r.value for r in UserRole}:
            raise InvalidRequest("unknown role")
        per_page = max(1, min(per_page, 100))
        query = select(User)
        if search.strip():
            needle = f"%{search.strip().lower()}%"
            query = query.where(
                or_(
                    User.email.like(needle),
                    func.lower(User.username).like(needle),
                    func.lower(User.full_name).like(needle),
                )
            )
        if status == "pending":
            query = query.where(
                User.status == UserStatus.INACTIVE, User.status_info == PENDING_APPROVAL
            )
        elif status == "inactive":
            query = query.where(
                User.status == UserStatus.INACTIVE, User.status_info != PENDING_APPROVAL
            )
        elif status:
            query = query.where(User.status == status)
        if role:
            query = query.where(User.role == role)
        async with self._database() as db:
            total = await db.scalar(select(func.count()).select_from(query.subquery())) or 0
            pages = max(1, math.ceil(total / per_page))
            page = max(1, min(page, pages))
            rows = (
                await db.scalars(
                    query.order_by(User.created_at.desc(), User.email)
                    .offset((page - 1) * per_page)
                    .limit(per_page)
                )
            ).all()
        return Page([AccountView.of(u) for u in rows], total, page, pages)

    async def _user(self, user_id: uuid.UUID) -> User:
        async with self._database() as db:
            user = await db.get(User, user_id)
        if user is None:
            raise NotFound("no such account")
        return user

    async def _target(self, user_id: uuid.UUID, actor: Actor, action: str) -> User:
        """The account `actor` may act on: of a lower rank, or anyone for a superadmin."""
        user = await self._user(user_id)
        if actor.role != UserRole.SUPERADMIN and rank(actor.role) <= rank(user.role):
            await self._record(AuditKind.ADMIN_REFUSED, actor, user, "rank", action=action)
            raise Forbidden("You can act only on accounts of a lower rank than yours.")
        return user

    async def target(self, user_id: uuid.UUID, actor: Actor, action: str) -> None:
        """The rank rule alone, for actions another service carries out."""
        await self._target(user_id, actor, action)

    async def target_by_email(self, email: str, actor: Actor, action: str) -> None:
        """The rank rule for the routes that name an account by its e-mail address."""
        user = await self.accounts.user_by_email(email)
        if user is not None:
            await self._target(user.uuid, actor, action)

    async def detail(self, user_id: uuid.UUID) -> dict[str, Any]:
        """The account, its last log-ins and failures, and its browser sessions."""
        user = await self._user(user_id)
        async with self._database() as db:
            history = (
                await db.scalars(
                    select(LoginHistory)
                    .where(LoginHistory.user_id == user_id)
                    .order_by(LoginHistory.created_at.desc())
                    .limit(20)
                )
            ).all()
            policy = await db.scalar(
                select(Keypair.resource_policy).where(
                    Keypair.user_id == user_id, Keypair.is_default, Keypair.is_active
                )
            )
        sessions = await self.browser_sessions.list_user(str(user_id))
        factors = await self.two_factor.state(user_id)
        return {
            **AccountView.of(user).as_dict(),
            "two_factor": factors.enabled,
            "passkeys": len(await self.passkeys.owned_by(user_id)),
            "log_ins": [
                {
                    "at": h.created_at,
                    "success": h.success,
                    "client_address": h.client_address,
                    "user_agent": h.user_agent,
                }
                for h in history
            ],
            "browser_sessions": len(sessions),
            "resource_policy": policy,
        }

    # -- actions --------------------------------------------------------------------------------

    async def _record(
        self, kind: AuditKind, actor: Actor, user: User, outcome: str = "", **details: Any
    ) -> None:
        await self.audit.record(
            kind,
            actor=actor,
            subject_id=user.uuid,
            subject=user.email,
            outcome=outcome,
            details=details,
        )

    async def _last_superadmin(self, user: User) -> bool:
        if user.role != UserRole.SUPERADMIN:
            return False
        async with self._database() as db:
            others = await db.scalar(
                select(func.count())
                .select_from(User)
                .where(
                    User.role == UserRole.SUPERADMIN,
                    User.status == UserStatus.ACTIVE,
                    User.uuid != user.uuid,
                )
            )
        return not others

    async def _cut_off(self, user: User) -> None:
        """Nothing the account opened keeps working: browser sessions, log-in sessions, the
        cached credential on every manager."""
        async with self._database.begin() as db:
            await db.execute(
                update(LoginSession)
                .where(LoginSession.user_id == user.uuid, LoginSession.ended_at.is_(None))
                .values(ended_at=utcnow())
            )
        await self.browser_sessions.revoke_user(str(user.uuid))
        await self.credentials.forget(user.uuid)

    async def set_active(self, user_id: uuid.UUID, active: bool, actor: Actor) -> None:
        user = await self._target(user_id, actor, "status")
        if not active and user.uuid == actor.user_id:
            raise Conflict("You cannot deactivate your own account.")
        if not active and await self._last_superadmin(user):
            raise Conflict("The last superadmin cannot be deactivated.")
        if active and user.status == UserStatus.BEFORE_VERIFICATION:
            raise Conflict("The e-mail address is not verified yet.")
        values = (
            {"status": UserStatus.ACTIVE.value, "status_info": "activated-by-admin"}
            if active
            else {"status": UserStatus.INACTIVE.value, "status_info": DEACTIVATED}
        )
        async with self._database.begin() as db:
            await db.execute(update(User).where(User.uuid == user_id).values(**values))
        if not active:
            await self._cut_off(user)
        await self._record(AuditKind.ACTIVATED if active else AuditKind.DEACTIVATED, actor, user)

    async def set_role(self, user_id: uuid.UUID, role: str, actor: Actor, actor_role: str) -> None:
        if actor_role != UserRole.SUPERADMIN:
            await self._record(
                AuditKind.ADMIN_REFUSED, actor, await self._user(user_id), "rank", action="role"
            )
            raise Forbidden("Only a superadmin changes roles.")
        if role not in {r.value for r in UserRole}:
            raise InvalidRequest("unknown role")
        user = await self._target(user_id, actor, "role")
        if role != UserRole.SUPERADMIN and await self._last_superadmin(user):
            raise Conflict("The last superadmin keeps the role.")
        async with self._database.begin() as db:
            await db.execute(update(User).where(User.uuid == user_id).values(role=role))
        await self.credentials.forget(user.uuid)  # the cached role goes with it
        await self._record(AuditKind.ROLE_CHANGED, actor, user, role, previous=user.role)

    async def unlock(self, user_id: uuid.UUID, actor: Actor) -> None:
        user = await self._target(user_id, actor, "unlock")
        await self.accounts.unlock(user.email, actor)

    async def clear_two_factor(self, user_id: uuid.UUID, actor: Actor) -> None:
        """For someone who lost the app and the codes (or the passkeys): the app, the codes and
        the passkeys go, and the owner is told by mail."""
        user = await self._target(user_id, actor, "clear-two-factor")
        if await self._last_superadmin(user):
            raise Conflict("The last superadmin keeps its second factor.")
        passkeys = await self.passkeys.remove_all(user_id)
        if not await self.two_factor.disable(user, actor, outcome="by-admin", passkeys=passkeys):
            raise Conflict("This account has no second factor.")

    async def require_password_change(self, user_id: uuid.UUID, actor: Actor) -> None:
        user = await self._target(user_id, actor, "require-password-change")
        if await self._last_superadmin(user):
            raise Conflict("The last superadmin cannot be forced to change its password.")
        async with self._database.begin() as db:
            await db.execute(
                update(User).where(User.uuid == user_id).values(need_password_change=True)
            )
        await self._cut_off(user)
        await self._record(AuditKind.PASSWORD_CHANGE_REQUIRED, actor, user)

    async def end_sessions(self, user_id: uuid.UUID, actor: Actor) -> None:
        user = await self._target(user_id, actor, "end-sessions")
        await self.browser_sessions.revoke_user(str(user.uuid))
        await self._record(AuditKind.SESSIONS_ENDED, actor, user, "by-admin")

    async def resend_verification(self, user_id: uuid.UUID, actor: Actor) -> None:
        user = await self._target(user_id, actor, "resend-verification")
        if user.status != UserStatus.BEFORE_VERIFICATION:
            raise Conflict("This account's e-mail address is verified already.")
        async with self._database.begin() as db:
            await self.signup.send_verification(
                user.uuid, user.email, pick_language(user.language), db=db
            )
        self._outbox.wake()
        await self._record(AuditKind.VERIFICATION_RESENT, actor, user, "by-admin")

    async def decide(self, user_id: uuid.UUID, approve: bool, actor: Actor) -> None:
        """Approve or reject a pending sign-up; the person gets a mail either way."""
        user = await self._user(user_id)
        if not (user.status == UserStatus.INACTIVE and user.status_info == PENDING_APPROVAL):
            raise Conflict("This account does not await approval.")
        values = (
            {"status": UserStatus.ACTIVE.value, "status_info": "approved"}
            if approve
            else {"status": UserStatus.DELETED.value, "status_info": "rejected"}
        )
        async with self._database.begin() as db:
            await db.execute(update(User).where(User.uuid == user_id).values(**values))
            await self.signup.mail(
                user.email,
                "signup_approved" if approve else "signup_rejected",
                pick_language(user.language),
                public_base(self.signup.settings),
                db=db,
            )
        self._outbox.wake()
        await self._record(AuditKind.APPROVED if approve else AuditKind.REJECTED, actor, user)
