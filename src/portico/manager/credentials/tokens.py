"""Single-purpose tokens: invitations, e-mail verification, password reset.

A token carries 256 random bits and is stored only as its SHA-256. Using one is a single
atomic UPDATE (uses left, not expired, not revoked, right purpose, right address), so two
concurrent uses of a one-use token can never both succeed. Every way a token can be wrong
raises the same InvalidToken.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.dml import Update

from portico.common.sealing import token_hash
from portico.db.models import AuthToken, TokenPurpose, utcnow
from portico.db.results import rows_changed
from portico.manager.errors import InvalidToken

_T = AuthToken.__table__


@dataclass(frozen=True)
class UsedToken:
    id: int
    user_id: uuid.UUID | None
    email: str | None
    group_name: str | None


@dataclass(frozen=True)
class TokenInfo:
    id: int
    purpose: str
    email: str | None
    group_name: str | None
    max_uses: int
    uses_left: int
    expires_at: float
    created_at: datetime
    revoked: bool


def revoke_live(purpose: TokenPurpose, user_id: uuid.UUID | None) -> Update:
    return (
        update(_T)
        .where(_T.c.purpose == purpose.value, _T.c.user_id == user_id, _T.c.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


class TokenService:
    def __init__(
        self, database: async_sessionmaker[AsyncSession], clock: Callable[[], float] = time.time
    ) -> None:
        self._database = database
        self._clock = clock

    async def issue(
        self,
        purpose: TokenPurpose,
        *,
        ttl: float,
        user_id: uuid.UUID | None = None,
        email: str | None = None,
        uses: int = 1,
        group_name: str | None = None,
        supersede: bool = False,
        db: AsyncSession | None = None,
        decoy: bool = False,
    ) -> str:
        """A new token. `supersede` revokes the user's earlier live tokens of this purpose.
        With `db`, inside the caller's transaction. A `decoy` is born revoked: the same writes
        as a real one, for an address that must not get a working link."""
        if db is None:
            async with self._database.begin() as own:
                return await self.issue(
                    purpose,
                    ttl=ttl,
                    user_id=user_id,
                    email=email,
                    uses=uses,
                    group_name=group_name,
                    supersede=supersede,
                    db=own,
                    decoy=decoy,
                )
        token = secrets.token_urlsafe(32)
        if supersede:  # (with no user, it matches nothing: the same statement either way)
            await db.execute(revoke_live(purpose, user_id))
        db.add(
            AuthToken(
                purpose=purpose.value,
                token_hash=token_hash(token),
                user_id=user_id,
                email=email,
                group_name=group_name,
                max_uses=uses,
                uses_left=uses,
                expires_at=self._clock() + ttl,
                revoked_at=utcnow() if decoy else None,
            )
        )
        return token

    def _usable(self, purpose: TokenPurpose, token: str, email: str | None) -> list[Any]:
        """The conditions under which `token` may be spent now."""
        if not token or len(token) > 256:
            raise InvalidToken()
        conditions = [
            _T.c.token_hash == token_hash(token),
            _T.c.purpose == purpose.value,
            _T.c.uses_left > 0,
            _T.c.expires_at > self._clock(),
            _T.c.revoked_at.is_(None),
        ]
        if email is not None:
            conditions.append(or_(_T.c.email.is_(None), _T.c.email == email))
        return conditions

    async def check(
        self, purpose: TokenPurpose, token: str, *, email: str | None = None
    ) -> uuid.UUID | None:
        """Raise InvalidToken unless `token` could be spent now (spends nothing); the account
        it is for, if any."""
        conditions = self._usable(purpose, token, email)
        async with self._database() as db:
            row = (await db.execute(select(_T.c.id, _T.c.user_id).where(*conditions))).first()
        if row is None:
            raise InvalidToken()
        user_id: uuid.UUID | None = row.user_id
        return user_id

    async def use(
        self,
        purpose: TokenPurpose,
        token: str,
        *,
        email: str | None = None,
        db: AsyncSession | None = None,
    ) -> UsedToken:
        """Spend one use of a token, atomically; `email` must match a token bound to one.
        With `db`, inside the caller's transaction (a rollback gives the use back)."""
        if db is None:
            async with self._database.begin() as own:
                return await self.use(purpose, token, email=email, db=own)
        row = (
            await db.execute(
                update(_T)
                .where(*self._usable(purpose, token, email))
                .values(uses_left=_T.c.uses_left - 1)
                .returning(_T.c.id, _T.c.user_id, _T.c.email, _T.c.group_name)
            )
        ).first()
        if row is None:
            raise InvalidToken()
        return UsedToken(row.id, row.user_id, row.email, row.group_name)

    async def revoke(self, token_id: int, purpose: TokenPurpose | None = None) -> bool:
        async with self._database.begin() as db:
            query = update(_T).where(_T.c.id == token_id, _T.c.revoked_at.is_(None))
            if purpose is not None:
                query = query.where(_T.c.purpose == purpose.value)
            result = await db.execute(query.values(revoked_at=utcnow()))
        return bool(rows_changed(result))

    async def revoke_all(self, purpose: TokenPurpose, user_id: uuid.UUID) -> None:
        async with self._database.begin() as db:
            await db.execute(revoke_live(purpose, user_id))

    async def purge_expired(self, purposes: tuple[TokenPurpose, ...]) -> int:
        """Forget expired tokens of short-lived ceremonies (passkey challenges, two-factor
        set-up), which anyone can have made and nobody lists."""
        async with self._database.begin() as db:
            result = await db.execute(
                delete(_T).where(
                    _T.c.purpose.in_([p.value for p in purposes]), _T.c.expires_at <= self._clock()
                )
            )
        return rows_changed(result)

    async def all_for(self, purpose: TokenPurpose) -> list[TokenInfo]:
        async with self._database() as db:
            rows = (
                await db.scalars(
                    select(AuthToken)
                    .where(AuthToken.purpose == purpose.value)
                    .order_by(AuthToken.id)
                )
            ).all()
        return [
            TokenInfo(
                r.id,
                r.purpose,
                r.email,
                r.group_name,
                r.max_uses,
                r.uses_left,
                r.expires_at,
                r.created_at,
                r.revoked_at is not None,
            )
            for r in rows
        ]
