"""Who a signed caller may see, and the accounts and keypairs it sees, listed as Backend.AI's
API lists them: a page by limit and offset, the total, and its filter and order language.

The rule is the admin console's: a user or monitor sees only herself; an administrator sees
herself and the accounts of lower rank; a superadmin sees everyone. No secret key is shown:
portico shows a secret once, when it is made."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portico.db import filters
from portico.db.models import (
    ComputeSession,
    Domain,
    Group,
    GroupMember,
    Keypair,
    TotpFactor,
    User,
    UserRole,
    UserStatus,
)
from portico.manager.errors import InvalidRequest
from portico.manager.services.administration import rank
from portico.manager.services.request_auth import Caller
from portico.wire.minilang import Expression, OrderKey, QueryLanguageError, Value

MAX_PAGE = 100  # rows in one page of any list
T = TypeVar("T")
Rows = Select[*tuple[Any, ...]]  # a select of any columns


@dataclass(frozen=True)
class Account:
    user_id: uuid.UUID
    username: str
    email: str
    full_name: str
    description: str
    status: str
    status_info: str
    role: str
    domain_name: str
    resource_policy: str
    need_password_change: bool
    created_at: datetime
    modified_at: datetime
    groups: list[tuple[uuid.UUID, str]]
    main_access_key: str | None
    totp_activated: bool


@dataclass(frozen=True)
class KeypairRow:
    access_key: str
    owner_id: uuid.UUID
    owner_email: str
    owner_full_name: str
    is_active: bool
    is_admin: bool
    resource_policy: str
    rate_limit: int
    created_at: datetime
    last_used: datetime | None
    projects: list[str]
    sessions_running: int


@dataclass(frozen=True)
class Project:
    id: uuid.UUID
    name: str
    description: str
    is_active: bool
    created_at: datetime
    domain_name: str


@dataclass(frozen=True)
class DomainRow:
    name: str
    description: str
    is_active: bool
    created_at: datetime
    total_resource_slots: dict[str, Any]


@dataclass(frozen=True)
class ListQuery:
    """One page of a list, as Backend.AI's list queries ask for it."""

    limit: int
    offset: int
    condition: Expression | None = None
    order: Sequence[OrderKey] = ()

    def __post_init__(self) -> None:
        if self.limit < 0 or self.offset < 0:
            raise InvalidRequest("limit and offset are never negative")
        if self.limit > MAX_PAGE:
            raise InvalidRequest(f"a page holds at most {MAX_PAGE} rows")


@dataclass(frozen=True)
class Listed(Generic[T]):
    items: list[T]
    total: int


def _status(value: Value) -> object:
    """Backend.AI's status names, as its clients write them ("ACTIVE", "before-verification")."""
    if not isinstance(value, str):
        raise QueryLanguageError('a status is a string, such as "ACTIVE"')
    return value.lower().replace("_", "-")


def _role(value: Value) -> object:
    if not isinstance(value, str):
        raise QueryLanguageError('a role is a string, such as "USER"')
    return value.lower()


USER_FIELDS: filters.Fields = {
    "uuid": filters.Field(User.uuid),
    "username": filters.Field(User.username),
    "email": filters.Field(User.email),
    "full_name": filters.Field(User.full_name),
    "description": filters.Field(User.description),
    "status": filters.Field(User.status, _status),
    "status_info": filters.Field(User.status_info),
    "role": filters.Field(User.role, _role),
    "domain_name": filters.Field(User.domain_name),
    "resource_policy": filters.Field(User.resource_policy),
    "need_password_change": filters.Field(User.need_password_change),
    "created_at": filters.Field(User.created_at),
    "modified_at": filters.Field(User.modified_at),
}

KEYPAIR_FIELDS: filters.Fields = {
    "access_key": filters.Field(Keypair.access_key),
    "user_id": filters.Field(User.email),  # Backend.AI's name for the owner's e-mail
    "email": filters.Field(User.email),
    "full_name": filters.Field(User.full_name),
    "is_active": filters.Field(Keypair.is_active),
    "is_admin": filters.Field(Keypair.is_admin),
    "resource_policy": filters.Field(Keypair.resource_policy),
    "rate_limit": filters.Field(Keypair.rate_limit),
    "created_at": filters.Field(Keypair.created_at),
    "last_used": filters.Field(Keypair.last_used),
}


def visible_to(caller: Caller) -> ColumnElement[bool]:
    """The accounts `caller` may see."""
    if caller.role == UserRole.SUPERADMIN:
        return true()
    if rank(caller.role) == 0:
        return User.uuid == caller.user_id
    lower = [r.value for r in UserRole if rank(r.value) < rank(caller.role)]
    return or_(User.uuid == caller.user_id, User.role.in_(lower))


def _narrowed(
    query: Rows, fields: filters.Fields, page: ListQuery, default_order: Sequence[Any]
) -> tuple[Rows, list[Any]]:
    if page.condition is not None:
        query = query.where(filters.where(page.condition, fields))
    ordering = filters.order_by(list(page.order), fields) if page.order else list(default_order)
    return query, ordering


class Directory:
    def __init__(self, database: async_sessionmaker[AsyncSession]) -> None:
        self._database = database

    # -- accounts -----------------------------------------------------------------------------

    async def account(self, caller: Caller, email: str | None = None) -> Account | None:
        """The caller, or the visible account with this e-mail address (None when there is
        none the caller may see: the same answer whether it exists or not)."""
        query = select(User).where(visible_to(caller))
        query = query.where(User.uuid == caller.user_id if not email else User.email == email)
        async with self._database() as db:
            user = await db.scalar(query)
            return None if user is None else (await self._accounts(db, [user]))[0]

    async def accounts(
        self,
        caller: Caller,
        page: ListQuery,
        *,
        status: str | None = None,
        is_active: bool | None = None,
        group_id: uuid.UUID | None = None,
        domain_name: str | None = None,
    ) -> Listed[Account]:
        query = select(User).where(visible_to(caller))
        if status:
            query = query.where(User.status == _status(status))
        if is_active is not None:
            active = User.status == UserStatus.ACTIVE
            query = query.where(active if is_active else ~active)
        if domain_name:
            query = query.where(User.domain_name == domain_name)
        if group_id is not None:
            members = select(GroupMember.user_id).where(GroupMember.group_id == group_id)
            query = query.where(User.uuid.in_(members))
        query, ordering = _narrowed(query, USER_FIELDS, page, (User.created_at.desc(), User.email))
        async with self._database() as db:
            total = await db.scalar(select(func.count()).select_from(query.subquery())) or 0
            users = (
                await db.scalars(query.order_by(*ordering).offset(page.offset).limit(page.limit))
            ).all()
            return Listed(await self._accounts(db, list(users)), total)

    async def _accounts(self, db: AsyncSession, users: list[User]) -> list[Account]:
        ids = [u.uuid for u in users]
        groups: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = {i: [] for i in ids}
        for user_id, group_id, name in await db.execute(
            select(GroupMember.user_id, Group.id, Group.name)
            .join(Group, Group.id == GroupMember.group_id)
            .where(GroupMember.user_id.in_(ids))
            .order_by(Group.name)
        ):
            groups[user_id].append((group_id, name))
        keys: dict[uuid.UUID, str] = {}
        for user_id, access_key in await db.execute(
            select(Keypair.user_id, Keypair.access_key)
            .where(Keypair.user_id.in_(ids), Keypair.is_active == true())
            .order_by(Keypair.is_default.desc(), Keypair.created_at)
        ):
            keys.setdefault(user_id, access_key)
        factors = set(
            await db.scalars(
                select(TotpFactor.user_id).where(
                    TotpFactor.user_id.in_(ids), TotpFactor.confirmed_at.is_not(None)
                )
            )
        )
        return [
            Account(
                user_id=u.uuid,
                username=u.username,
                email=u.email,
                full_name=u.full_name,
                description=u.description,
                status=u.status,
                status_info=u.status_info,
                role=u.role,
                domain_name=u.domain_name,
                resource_policy=u.resource_policy,
                need_password_change=u.need_password_change,
                created_at=u.created_at,
                modified_at=u.modified_at,
                groups=groups[u.uuid],
                main_access_key=keys.get(u.uuid),
                totp_activated=u.uuid in factors,
            )
            for u in users
        ]

    # -- keypairs -----------------------------------------------------------------------------

    async def keypair(self, caller: Caller, access_key: str | None = None) -> KeypairRow | None:
        """The caller's own keypair (the one it signed with), or a visible one by key."""
        query = self._keypairs(caller).where(
            Keypair.access_key == (access_key or caller.access_key)
        )
        async with self._database() as db:
            rows = await self._keypair_rows(db, list((await db.execute(query)).all()))
        return rows[0] if rows else None

    async def keypairs(
        self,
        caller: Caller,
        page: ListQuery,
        *,
        is_active: bool | None = None,
        email: str | None = None,
        domain_name: str | None = None,
    ) -> Listed[KeypairRow]:
        query = self._keypairs(caller)
        if is_active is not None:
            query = query.where(Keypair.is_active == (true() if is_active else false()))
        if email:
            query = query.where(User.email == email)
        if domain_name:
            query = query.where(User.domain_name == domain_name)
        query, ordering = _narrowed(
            query, KEYPAIR_FIELDS, page, (Keypair.created_at.desc(), Keypair.access_key)
        )
        async with self._database() as db:
            total = await db.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = (
                await db.execute(query.order_by(*ordering).offset(page.offset).limit(page.limit))
            ).all()
            return Listed(await self._keypair_rows(db, list(rows)), total)

    @staticmethod
    async def _keypair_rows(db: AsyncSession, rows: list[Any]) -> list[KeypairRow]:
        owners = {r.user_id for r in rows}
        projects: dict[uuid.UUID, list[str]] = {o: [] for o in owners}
        for user_id, name in await db.execute(
            select(GroupMember.user_id, Group.name)
            .join(Group, Group.id == GroupMember.group_id)
            .where(GroupMember.user_id.in_(owners))
            .order_by(Group.name)
        ):
            projects[user_id].append(name)
        keys = [r.access_key for r in rows]
        counted = await db.execute(
            select(ComputeSession.access_key, func.count())
            .where(ComputeSession.access_key.in_(keys), ComputeSession.status == "running")
            .group_by(ComputeSession.access_key)
        )
        running: dict[str, int] = {key: count for key, count in counted.all()}
        return [
            KeypairRow(
                access_key=r.access_key,
                owner_id=r.user_id,
                owner_email=r.email,
                owner_full_name=r.full_name,
                is_active=r.is_active,
                is_admin=r.is_admin,
                resource_policy=r.resource_policy,
                rate_limit=r.rate_limit,
                created_at=r.created_at,
                last_used=r.last_used,
                projects=projects[r.user_id],
                sessions_running=running.get(r.access_key, 0),
            )
            for r in rows
        ]

    # -- projects and domains -----------------------------------------------------------------

    async def projects(
        self, caller: Caller, *, domain_name: str | None = None, is_active: bool | None = None
    ) -> list[Project]:
        """The projects the caller belongs to; every project, for an administrator."""
        query = select(Group).order_by(Group.name)
        if rank(caller.role) == 0:
            mine = select(GroupMember.group_id).where(GroupMember.user_id == caller.user_id)
            query = query.where(Group.id.in_(mine))
        if domain_name:
            query = query.where(Group.domain_name == domain_name)
        if is_active is not None:
            query = query.where(Group.is_active == (true() if is_active else false()))
        async with self._database() as db:
            found = (await db.scalars(query)).all()
        return [
            Project(g.id, g.name, g.description, g.is_active, g.created_at, g.domain_name)
            for g in found
        ]

    async def domains(self, caller: Caller, *, is_active: bool | None = None) -> list[DomainRow]:
        """The caller's own domain; every domain, for a superadmin."""
        query = select(Domain).order_by(Domain.name)
        if caller.role != UserRole.SUPERADMIN:
            query = query.where(Domain.name == caller.domain_name)
        if is_active is not None:
            query = query.where(Domain.is_active == (true() if is_active else false()))
        async with self._database() as db:
            found = (await db.scalars(query)).all()
        return [
            DomainRow(
                d.name, d.description, d.is_active, d.created_at, dict(d.total_resource_slots)
            )
            for d in found
        ]

    @staticmethod
    def _keypairs(caller: Caller) -> Rows:
        return (
            select(
                Keypair.access_key,
                Keypair.user_id,
                User.email,
                User.full_name,
                Keypair.is_active,
                Keypair.is_admin,
                Keypair.resource_policy,
                Keypair.rate_limit,
                Keypair.created_at,
                Keypair.last_used,
            )
            .join(User, User.uuid == Keypair.user_id)
            .where(visible_to(caller))
        )
