"""Accounts: look-ups, creation, the owner's own changes (name, password re-entry), unlocking.
Log-in lives in log_in.py, projects in projects.py."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portico.common.sealing import SecretBox
from portico.db.models import (
    Group,
    GroupMember,
    Keypair,
    User,
    UserRole,
    UserStatus,
    utcnow,
)
from portico.manager.credentials.authentication import PasswordCheck
from portico.manager.credentials.hashing_pool import HashingPool
from portico.manager.credentials.password_policy import PasswordPolicy
from portico.manager.errors import (
    AccountExists,
    Forbidden,
    InvalidRequest,
    NotFound,
)
from portico.manager.services.audit import OPERATOR, Actor, AuditKind, AuditLog
from portico.manager.services.keypairs import default_keypair_for

# The status_info of an account that signed up and awaits an administrator's approval.
PENDING_APPROVAL = "pending-approval"
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
# ASCII only, so that SQL lower() folds user names exactly as Python does on every database.
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$")


def password_set_on(user: User) -> str:
    """When the account's password was set, as Backend.AI words an expiry ("... on <when>")."""
    when = user.password_changed_at
    if when.tzinfo is None:  # SQLite hands back naive UTC
        when = when.replace(tzinfo=UTC)
    return when.isoformat(timespec="seconds")


def normalize_login_id(login_id: str) -> str:
    return login_id.strip().lower()


@dataclass(frozen=True)
class Authorization:
    user_id: uuid.UUID
    email: str
    role: str
    status: str
    access_key: str
    secret_key: str
    session_token: str


@dataclass(frozen=True)
class UserInfo:
    user_id: uuid.UUID
    email: str
    username: str
    full_name: str
    role: str
    status: str
    domain_name: str
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserInfo:
        return cls(
            user.uuid,
            user.email,
            user.username,
            user.full_name,
            user.role,
            user.status,
            user.domain_name,
            user.created_at,
        )


@dataclass(frozen=True)
class CreatedAccount:
    user_id: uuid.UUID
    access_key: str
    secret_key: str


@dataclass(frozen=True)
class Roles:
    global_role: str
    domain_role: str
    group_role: str | None


class AccountService:
    def __init__(
        self,
        database: async_sessionmaker[AsyncSession],
        *,
        pool: HashingPool,
        policy: PasswordPolicy,
        password_check: PasswordCheck,
        box: SecretBox,
        audit: AuditLog,
    ) -> None:
        self._audit = audit
        self._database = database
        self._pool = pool
        self._policy = policy
        self._password_check = password_check
        self._box = box

    # -- look-ups -----------------------------------------------------------------------------

    @staticmethod
    async def _find(db: AsyncSession, normalized_id: str) -> User | None:
        users = (
            await db.scalars(
                select(User).where(
                    or_(User.email == normalized_id, func.lower(User.username) == normalized_id)
                )
            )
        ).all()
        # An e-mail match wins over another account whose user name looks like that address.
        return next((u for u in users if u.email == normalized_id), users[0] if users else None)

    async def find(self, normalized_id: str) -> User | None:
        """The account an id (e-mail address or user name, normalized) names, if any."""
        async with self._database() as db:
            return await self._find(db, normalized_id)

    async def user_row(self, user_id: uuid.UUID) -> User:
        async with self._database() as db:
            user = await db.get(User, user_id)
        if user is None:
            raise NotFound("no such user")
        return user

    async def user_by_email(self, email: str) -> User | None:
        async with self._database() as db:
            return await db.scalar(select(User).where(User.email == normalize_login_id(email)))

    async def get_user(self, user_id: uuid.UUID) -> UserInfo:
        async with self._database() as db:
            user = await db.get(User, user_id)
        if user is None:
            raise NotFound("no such user")
        return UserInfo.of(user)

    async def list_users(self) -> list[UserInfo]:
        async with self._database() as db:
            users = (await db.scalars(select(User).order_by(User.created_at))).all()
        return [UserInfo.of(u) for u in users]

    async def default_keypair(self, email: str) -> tuple[str, str]:
        """(access key, secret key) of the account's default keypair."""
        async with self._database() as db:
            row = (
                await db.execute(
                    select(Keypair.access_key, Keypair.secret_key_sealed)
                    .join(User, User.uuid == Keypair.user_id)
                    .where(User.email == normalize_login_id(email), Keypair.is_default)
                )
            ).first()
        if row is None:
            raise NotFound("no such user")
        return row.access_key, self._box.open(row.secret_key_sealed)

    # -- creation -----------------------------------------------------------------------------

    @staticmethod
    def validate_identity(email: str, username: str | None) -> None:
        if not _EMAIL.match(email) or len(email) > 64:
            raise InvalidRequest("A valid e-mail address of at most 64 characters is required.")
        if username is not None and not _USERNAME.match(username):
            raise InvalidRequest(
                "A user name has 1-64 characters: letters, digits and . _ @ + - "
                "(starting with a letter or digit)."
            )
        if username is not None and "@" in username and normalize_login_id(username) != email:
            # Otherwise anyone could occupy another person's address as a log-in name.
            raise InvalidRequest("A user name with an @ must be the account's own e-mail address.")

    async def create_user(
        self, *, group_name: str = "default", db: AsyncSession | None = None, **fields: Any
    ) -> CreatedAccount:
        """Create an account (`fields` as for `new_user`) with its default keypair and project
        membership.

        With `db`, the rows join the caller's transaction; otherwise they are committed here.
        The password is hashed first either way, but a caller holding a transaction should
        call `new_user` before opening it and `insert_user` inside.
        """
        user = await self.new_user(**fields)
        if db is not None:
            return await self.insert_user(db, user, group_name)
        async with self._database.begin() as own:
            return await self.insert_user(own, user, group_name)

    async def new_user(
        self,
        *,
        email: str,
        password: str,
        username: str | None = None,
        role: str = UserRole.USER.value,
        domain_name: str = "default",
        status: str = UserStatus.ACTIVE.value,
        need_password_change: bool = False,
        language: str = "",
        status_info: str = "",
        created_via: str = "operator",
    ) -> User:
        """A validated account with its password hashed, not yet stored. Hashing is the slow
        part: done here, it holds no database connection and no lock."""
        email = normalize_login_id(email)
        username = (username or email).strip()
        self.validate_identity(email, username)
        if role not in {r.value for r in UserRole}:
            raise InvalidRequest(f"unknown role {role!r}")
        self._policy.check(password, email=email, username=username)
        return User(
            uuid=uuid.uuid4(),
            email=email,
            username=username,
            password=await self._pool.make(password),
            role=role,
            status=status,
            domain_name=domain_name,
            need_password_change=need_password_change,
            language=language,
            status_info=status_info,
            created_via=created_via,
        )

    async def insert_user(self, db: AsyncSession, user: User, group_name: str) -> CreatedAccount:
        folded = user.username.lower()
        taken = await db.scalar(
            select(func.count())
            .select_from(User)
            .where(
                or_(
                    User.email.in_([user.email, folded]),
                    func.lower(User.username).in_([user.email, folded]),
                )
            )
        )
        if taken:
            raise AccountExists("the e-mail address or user name is taken")
        group = await db.scalar(
            select(Group).where(Group.name == group_name, Group.domain_name == user.domain_name)
        )
        if group is None:
            raise InvalidRequest(f"no project {group_name!r} in domain {user.domain_name!r}")
        db.add(user)
        try:
            await db.flush()  # the user row first: the others refer to it
        except IntegrityError as exc:  # lost a race with a concurrent creation
            raise AccountExists("the e-mail address or user name is taken") from exc
        keypair, row = default_keypair_for(user, self._box)
        db.add(row)
        db.add(GroupMember(group_id=group.id, user_id=user.uuid))
        await db.flush()
        return CreatedAccount(user.uuid, keypair.access_key, keypair.secret_key)

    # -- changes by the account's owner -------------------------------------------------------

    async def verify_own_password(
        self, user: User | uuid.UUID, password: str, client_address: str = ""
    ) -> None:
        """Re-entering one's password is a guess like any other: it counts toward the lockout."""
        if not isinstance(user, User):
            user = await self.user_row(user)
        await self._password_check.check(user, user.email, password, client_address)

    async def unlock(self, login_id: str, actor: Actor = OPERATOR) -> None:
        """An administrator lifts the log-in block of an account; NotFound for an unknown id."""
        normalized = normalize_login_id(login_id)
        user = await self.find(normalized)
        if user is None:
            raise NotFound(f"no account {login_id!r}")
        await self._password_check.unlock(user, normalized)
        await self._audit.record(
            AuditKind.ACCOUNT_UNLOCKED, actor=actor, subject_id=user.uuid, subject=user.email
        )

    async def store_password(self, user_id: uuid.UUID, password_hash: str, changed: bool) -> None:
        values: dict[str, object] = {"password": password_hash}
        if changed:
            values.update(password_changed_at=utcnow(), need_password_change=False)
        async with self._database.begin() as db:
            await db.execute(update(User).where(User.uuid == user_id).values(**values))

    async def update_full_name(self, user_id: uuid.UUID, email: str, full_name: str) -> None:
        if len(full_name) > 64:
            raise InvalidRequest("full_name has at most 64 characters")
        async with self._database.begin() as db:
            user = await db.get(User, user_id)
            if user is None or user.email != normalize_login_id(email):
                raise Forbidden("Not the account owner")
            user.full_name = full_name

    async def roles(self, user_id: uuid.UUID, role: str, group_id: uuid.UUID | None) -> Roles:
        """The roles of an authenticated caller (`role`: its account's), in a project if given."""
        group_role = None
        if group_id is not None:
            async with self._database() as db:
                member = await db.get(GroupMember, (group_id, user_id))
            group_role = "user" if member is not None else None
        return Roles(
            global_role="superadmin" if role == UserRole.SUPERADMIN else "user",
            domain_role="admin" if role in (UserRole.SUPERADMIN, UserRole.ADMIN) else "user",
            group_role=group_role,
        )
