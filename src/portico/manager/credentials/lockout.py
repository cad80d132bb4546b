"""The login lockout: N consecutive failures block an account (or an unknown id) for a fixed time.

Each attempt first *reserves* a slot with one atomic UPDATE ... RETURNING, before the password is
checked, so concurrent guesses can never get more than `allowed_failures` checks between them.
A refused attempt writes nothing, so it cannot extend the block.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portico.db.models import LoginAttempt
from portico.db.results import rows_changed
from portico.db.upsert import insert_ignoring_conflicts
from portico.manager.errors import TooManyFailedLogins

_T = LoginAttempt.__table__


class LoginLockout:
    def __init__(
        self,
        database: async_sessionmaker[AsyncSession],
        *,
        allowed_failures: int,
        block_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._database = database
        self.allowed_failures = allowed_failures
        self.block_seconds = block_seconds
        self._clock = clock

    async def reserve(self, key: str) -> int:
        """Take a slot for one password check and return its number in the streak of failures
        (1 for the first), or raise TooManyFailedLogins."""
        now = self._clock()
        stale = now - self.block_seconds  # a streak with no attempt for this long is forgotten
        block_over = and_(_T.c.blocked_until.is_not(None), _T.c.blocked_until <= now)
        fresh_start = or_(block_over, _T.c.last_attempt_at <= stale)
        async with self._database.begin() as db:
            await db.execute(
                insert_ignoring_conflicts(
                    db, _T, key=key, fail_count=0, last_attempt_at=now, blocked_until=None
                )
            )
            reserved = await db.execute(
                update(_T)
                .where(
                    _T.c.key == key,
                    or_(
                        block_over,
                        and_(
                            _T.c.blocked_until.is_(None),
                            or_(
                                _T.c.fail_count < self.allowed_failures,
                                _T.c.last_attempt_at <= stale,
                            ),
                        ),
                    ),
                )
                .values(
                    fail_count=case((fresh_start, 1), else_=_T.c.fail_count + 1),
                    blocked_until=None,
                    last_attempt_at=now,
                )
                .returning(_T.c.fail_count)
            )
            slot = reserved.first()
            if slot is not None:
                return int(slot.fail_count)
            row = (
                await db.execute(
                    select(_T.c.blocked_until, _T.c.last_attempt_at).where(_T.c.key == key)
                )
            ).one()
        ends = row.blocked_until if row.blocked_until is not None else row.last_attempt_at
        if row.blocked_until is None:
            ends += self.block_seconds
        raise TooManyFailedLogins(retry_after=max(1, math.ceil(ends - now)))

    async def ensure_open(self, key: str) -> None:
        """Raise TooManyFailedLogins when `key` is blocked now; take no slot, write nothing."""
        now = self._clock()
        async with self._database() as db:
            ends = await db.scalar(select(_T.c.blocked_until).where(_T.c.key == key))
        if ends is not None and ends > now:
            raise TooManyFailedLogins(retry_after=max(1, math.ceil(ends - now)))

    async def block_left(self, key: str) -> float | None:
        """Seconds until the latest block of `key`, or of any per-address counter of it
        (`key|address`), ends; None when none is in force."""
        prefix = key + "|"
        async with self._database() as db:
            ends = await db.scalar(
                select(func.max(_T.c.blocked_until)).where(
                    or_(_T.c.key == key, func.substr(_T.c.key, 1, len(prefix)) == prefix)
                )
            )
        left = ends - self._clock() if ends is not None else 0.0
        return left if left > 0 else None

    async def record_failure(self, key: str) -> bool:
        """The reserved check failed; the failure that fills the quota starts the block (and
        says so: True)."""
        now = self._clock()
        async with self._database.begin() as db:
            started = await db.execute(
                update(_T)
                .where(
                    _T.c.key == key,
                    _T.c.fail_count >= self.allowed_failures,
                    _T.c.blocked_until.is_(None),
                )
                .values(blocked_until=now + self.block_seconds)
            )
        return bool(rows_changed(started))

    async def give_back(self, key: str) -> None:
        """A reserved check never finished (it timed out, or its request was cancelled): it
        was no guess, so its slot is returned."""
        async with self._database.begin() as db:
            await db.execute(
                update(_T)
                .where(_T.c.key == key, _T.c.fail_count > 0, _T.c.blocked_until.is_(None))
                .values(fail_count=_T.c.fail_count - 1)
            )

    async def clear(self, key: str) -> None:
        """A success, a completed password reset or an admin's unlock: start from zero."""
        async with self._database.begin() as db:
            await db.execute(
                update(_T).where(_T.c.key == key).values(fail_count=0, blocked_until=None)
            )

    record_success = clear

    async def clear_all(self, key: str) -> None:
        """`clear` for `key` and every per-address counter of it (`key|address`)."""
        prefix = key + "|"
        async with self._database.begin() as db:
            await db.execute(
                update(_T)
                .where(or_(_T.c.key == key, func.substr(_T.c.key, 1, len(prefix)) == prefix))
                .values(fail_count=0, blocked_until=None)
            )

    async def purge(self) -> int:
        """Forget counters that can no longer matter, so unknown ids do not pile up."""
        now = self._clock()
        async with self._database.begin() as db:
            result = await db.execute(
                delete(_T).where(
                    _T.c.last_attempt_at <= now - self.block_seconds,
                    or_(_T.c.blocked_until.is_(None), _T.c.blocked_until <= now),
                )
            )
        return rows_changed(result)
