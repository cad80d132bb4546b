"""Signed calls that change state are accepted once.

Backend.AI's signature covers the method, path, date and host but not the body, and a date is
accepted for a quarter of an hour either side: a captured POST could be sent again, with
another body, for that long. Every call but GET and HEAD is therefore remembered by its
signature until its date leaves the window; a second use is refused. Backend.AI's clients
and portico's relay sign each call with a fresh date (to the microsecond), so they never
send the same signature twice.

Remembered in Redis when one is configured (shared by every manager), else in the database.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portico.common.redis_client import RedisTimeouts, open_redis
from portico.common.sealing import token_hash
from portico.config import RedisConfig
from portico.db.models import UsedSignature
from portico.db.results import rows_changed
from portico.db.upsert import insert_ignoring_conflicts

_T = UsedSignature.__table__
_REDIS_PREFIX = "portico:used-signature:"

# Methods that only read: sending one again changes nothing.
READING_METHODS = frozenset({"GET", "HEAD"})


def fingerprint(access_key: str, signature: str) -> str:
    return token_hash(f"{access_key}:{signature.lower()}")


class UsedSignatures(ABC):
    @abstractmethod
    async def first_use(self, fingerprint: str, until: float) -> bool:
        """Remember `fingerprint` until `until` (epoch seconds); False if it was already."""

    async def purge(self) -> int:
        """Forget what can no longer be replayed (Redis expires its keys itself)."""
        return 0

    async def close(self) -> None:  # noqa: B027 - only the Redis one holds a connection
        pass


class SqlUsedSignatures(UsedSignatures):
    def __init__(
        self, database: async_sessionmaker[AsyncSession], clock: Callable[[], float] = time.time
    ) -> None:
        self._database = database
        self._clock = clock

    async def first_use(self, fingerprint: str, until: float) -> bool:
        async with self._database.begin() as db:
            result = await db.execute(
                insert_ignoring_conflicts(db, _T, fingerprint=fingerprint, expires_at=until)
            )
        return bool(rows_changed(result))

    async def purge(self) -> int:
        async with self._database.begin() as db:
            result = await db.execute(delete(_T).where(_T.c.expires_at < self._clock()))
        return rows_changed(result)


class RedisUsedSignatures(UsedSignatures):
    def __init__(
        self, url: str, timeouts: RedisTimeouts, clock: Callable[[], float] = time.time
    ) -> None:
        self._redis = open_redis(url, timeouts)
        self._clock = clock

    async def first_use(self, fingerprint: str, until: float) -> bool:
        seconds = max(1, int(until - self._clock()) + 1)
        return bool(await self._redis.set(_REDIS_PREFIX + fingerprint, 1, nx=True, ex=seconds))

    async def close(self) -> None:
        await self._redis.aclose()


def used_signatures(
    config: RedisConfig,
    database: async_sessionmaker[AsyncSession],
    clock: Callable[[], float] = time.time,
) -> UsedSignatures:
    if config.url:
        return RedisUsedSignatures(config.url, RedisTimeouts.of(config), clock)
    return SqlUsedSignatures(database, clock)
