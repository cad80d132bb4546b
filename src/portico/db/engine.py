"""Engine creation for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from portico.common.private_files import private_file
from portico.db import sqlite_dialect
from portico.db.deadlines import DEFAULT_DEADLINES, Deadlines, postgres_deadlines


def create_engine(url: str, deadlines: Deadlines = DEFAULT_DEADLINES) -> AsyncEngine:
    parsed = make_url(url)
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            private_file(Path(parsed.database))
        # Writers wait for each other (this long) instead of failing with "database is locked".
        kwargs["connect_args"] = {"timeout": deadlines.statement}
        if parsed.drivername == "sqlite+aiosqlite":
            parsed = parsed.set(drivername=f"sqlite+{sqlite_dialect.DRIVER}")
    else:
        kwargs["pool_size"] = 10
        kwargs["max_overflow"] = 20
        kwargs["pool_pre_ping"] = True
        kwargs["pool_timeout"] = deadlines.pool
        kwargs["connect_args"] = postgres_deadlines(deadlines)
    # hide_parameters: a failed statement must not put a hash or a typed log-in id in the log.
    engine = create_async_engine(parsed, hide_parameters=True, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def database_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
