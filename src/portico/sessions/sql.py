"""Browser sessions in the `web_sessions` table (the default store).

The webserver reaches this one table through the database driver directly (aiosqlite or
asyncpg): it needs four statements, and leaving out the ORM keeps the webserver small.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any, Protocol

from portico.db.deadlines import DEFAULT_DEADLINES, Deadlines, postgres_deadlines
from portico.db.sqlite_busy import sqlite_busy
from portico.sessions.store import SessionStore

INSERT = (
    "INSERT INTO web_sessions (id_hash, user_id, data, expires_at, last_seen) "
    "VALUES (?, ?, ?, ?, ?)"
)
SELECT = "SELECT data FROM web_sessions WHERE id_hash = ?"
TOUCH = "UPDATE web_sessions SET data = ?, last_seen = ? WHERE id_hash = ?"
DELETE = "DELETE FROM web_sessions WHERE id_hash = ?"
DELETE_USER = "DELETE FROM web_sessions WHERE user_id = ? AND id_hash <> ?"
SELECT_USER = "SELECT id_hash, data FROM web_sessions WHERE user_id = ?"
BUSY_ATTEMPTS = 6  # waits 0.05 + 0.1 + ... + 0.8 s between them
PURGE = "DELETE FROM web_sessions WHERE expires_at <= ? OR last_seen <= ?"
COUNT = "SELECT count(*) FROM web_sessions WHERE expires_at > ? AND last_seen > ?"


class _Database(Protocol):
    now_sql: str

    def user_id(self, value: str) -> Any: ...
    async def execute(self, sql: str, *args: Any) -> None: ...
    async def fetch_value(self, sql: str, *args: Any) -> Any: ...
    async def fetch_all(self, sql: str, *args: Any) -> list[tuple[Any, ...]]: ...
    async def close(self) -> None: ...


class _OpenedOnce:
    """The driver's connection (or pool), opened by the first statement and shared.

    The first statements arrive together (the purge and the count start with the service):
    the lock makes them open one, not one each with all but the last left unclosed (an
    unclosed aiosqlite connection's thread holds the process open at exit)."""

    def __init__(self) -> None:
        self._handle: Any = None
        self._opening = asyncio.Lock()

    async def _open(self) -> Any:
        raise NotImplementedError

    async def _connection(self) -> Any:
        if self._handle is None:
            async with self._opening:
                if self._handle is None:
                    self._handle = await self._open()
        return self._handle

    async def close(self) -> None:
        async with self._opening:  # waits for one being opened, and closes it
            handle, self._handle = self._handle, None
        if handle is not None:
            await handle.close()


class _Sqlite(_OpenedOnce):
    now_sql = "SELECT (julianday('now') - 2440587.5) * 86400.0"

    """One shared connection in autocommit mode; aiosqlite serialises the statements.

    The manager writes the same file. SQLite waits up to `timeout` for its lock, except where
    waiting could deadlock, when it answers "database is locked" at once: such a statement
    is tried again a few times before the error counts as an outage (503)."""

    def __init__(self, path: str, deadlines: Deadlines) -> None:
        super().__init__()
        self._busy_timeout = deadlines.statement
        # Read-write, never create: the database is the manager's to make (until it has, a
        # request finds it unavailable: 503).
        self._uri = Path(path).resolve().as_uri() + "?mode=rw"

    async def _open(self) -> Any:
        import aiosqlite

        conn = await aiosqlite.connect(
            self._uri, uri=True, timeout=self._busy_timeout, isolation_level=None
        )
        try:
            await conn.execute("PRAGMA foreign_keys=ON")
        except BaseException:
            await asyncio.shield(conn.close())
            raise
        return conn

    def user_id(self, value: str) -> Any:
        return uuid.UUID(value).hex  # how SQLAlchemy's Uuid type stores it on SQLite

    async def execute(self, sql: str, *args: Any) -> None:
        await self._fetch(sql, args, many=False)

    async def fetch_value(self, sql: str, *args: Any) -> Any:
        rows = await self._fetch(sql, args, many=False)
        return rows[0][0] if rows else None

    async def fetch_all(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        return await self._fetch(sql, args, many=True)

    async def _fetch(self, sql: str, args: tuple[Any, ...], *, many: bool) -> list[tuple[Any, ...]]:
        for attempt in range(BUSY_ATTEMPTS):
            try:
                # One trip to aiosqlite's thread (a cursor, then a fetch, then closing it
                # would take three: most of the cost of reading a session per relayed call).
                rows = await (await self._connection()).execute_fetchall(sql, args)
                return [tuple(row) for row in (rows if many else list(rows)[:1])]
            except Exception as exc:
                if not sqlite_busy(exc) or attempt == BUSY_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")


class _Postgres(_OpenedOnce):
    now_sql = "SELECT extract(epoch from clock_timestamp())::float8"

    def __init__(self, dsn: str, deadlines: Deadlines) -> None:
        super().__init__()
        self._dsn = dsn
        self._deadlines = deadlines

    async def _open(self) -> Any:
        import asyncpg

        return await asyncpg.create_pool(
            self._dsn, min_size=1, max_size=10, **postgres_deadlines(self._deadlines)
        )

    def _acquire(self, pool: Any) -> Any:
        # Waiting for a free connection has a deadline too.
        return pool.acquire(timeout=self._deadlines.pool)

    @staticmethod
    def _numbered(sql: str) -> str:
        parts = sql.split("?")
        return "".join(p + (f"${i}" if i < len(parts) else "") for i, p in enumerate(parts, 1))

    def user_id(self, value: str) -> Any:
        return uuid.UUID(value)

    async def execute(self, sql: str, *args: Any) -> None:
        async with self._acquire(await self._connection()) as conn:
            await conn.execute(self._numbered(sql), *args)

    async def fetch_value(self, sql: str, *args: Any) -> Any:
        async with self._acquire(await self._connection()) as conn:
            return await conn.fetchval(self._numbered(sql), *args)

    async def fetch_all(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        async with self._acquire(await self._connection()) as conn:
            rows = await conn.fetch(self._numbered(sql), *args)
        return [tuple(row) for row in rows]


def _database(url: str, deadlines: Deadlines) -> _Database:
    scheme, _, rest = url.partition("://")
    if scheme.startswith("sqlite"):
        return _Sqlite(rest[1:] if rest.startswith("/") else rest, deadlines)
    if scheme.startswith("postgresql"):
        return _Postgres("postgresql://" + rest, deadlines)
    raise ValueError(f"the sql session store does not support {scheme} databases")


class SqlSessionStore(SessionStore):
    def __init__(
        self,
        database_url: str,
        *args: Any,
        deadlines: Deadlines = DEFAULT_DEADLINES,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._db = _database(database_url, deadlines)

    async def _put(
        self,
        key: str,
        user_id: str,
        record: dict[str, Any],
        expires_at: float,
        last_seen: float,
        ttl: int,
    ) -> None:
        await self._db.execute(
            INSERT,
            key,
            self._db.user_id(user_id),
            json.dumps(record),
            expires_at,
            last_seen,
        )

    async def _get(self, key: str) -> dict[str, Any] | None:
        raw = await self._db.fetch_value(SELECT, key)
        return json.loads(raw) if raw is not None else None

    async def _touch(self, key: str, record: dict[str, Any], now: float, ttl: int) -> None:
        await self._db.execute(TOUCH, json.dumps(record), now, key)

    async def _delete(self, key: str) -> None:
        await self._db.execute(DELETE, key)

    async def _delete_user(self, user_id: str, keep_key: str | None) -> None:
        await self._db.execute(DELETE_USER, self._db.user_id(user_id), keep_key or "")

    async def _user_records(self, user_id: str) -> list[tuple[str, dict[str, Any]]]:
        rows = await self._db.fetch_all(SELECT_USER, self._db.user_id(user_id))
        return [(key, json.loads(data)) for key, data in rows]

    async def ping(self) -> None:
        await self._db.fetch_value("SELECT 1")

    async def _server_time(self) -> float:
        return float(await self._db.fetch_value(self._db.now_sql))

    async def purge(self) -> None:
        """Drop sessions past their absolute or idle end."""
        now = self.now()
        await self._db.execute(PURGE, now, now - self.idle_timeout)

    async def count(self) -> int:
        now = self.now()
        return int(await self._db.fetch_value(COUNT, now, now - self.idle_timeout) or 0)

    async def close(self) -> None:
        await self._db.close()
        await super().close()
