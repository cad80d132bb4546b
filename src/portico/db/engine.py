"""Engine creation for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from portico.common.private_files import private_file
from portico.db.deadlines import DEFAULT_DEADLINES, Deadlines, postgres_deadlines


def create_engine(url: str, deadlines: Deadlines = DEFAULT_DEADLINES) -> AsyncEngine:
    parsed = make_url(url)
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            private_file(Path(parsed.database))
        # Writers wait for each other (this long) instead of failing with "database is locked".
        kwargs["connect_args"] = {"timeout": deadlines.statement}
    else:
        kwargs["pool_size"] = 10
        kwargs["max_overflow"] = 20
        kwargs["pool_pre_ping"] = True
        kwargs["pool_timeout"] = deadlines.pool
        kwargs["connect_args"] = postgres_deadlines(deadlines)
    # hide_parameters: a failed statement must not put a hash or a typed log-in id in the log.
    engine = create_async_engine(url, hide_parameters=True, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        _skip_idle_rollbacks(engine.sync_engine.dialect)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _skip_idle_rollbacks(dialect: Dialect) -> None:
    """Every session that only read ends with a rollback, and on aiosqlite each one is a round
    trip to the connection's thread (9 of a log-in's 51) that SQLite answers with nothing: no
    transaction is open after a read. Such a rollback is skipped; one with a transaction open
    (a write, or an error mid-transaction) still goes to SQLite."""
    rollback = dialect.do_rollback

    def do_rollback(dbapi_connection: PoolProxiedConnection) -> None:
        driver = dbapi_connection.driver_connection
        if driver is None or driver.in_transaction:  # when in doubt, roll back
            rollback(dbapi_connection)

    dialect.do_rollback = do_rollback  # type: ignore[method-assign]


def database_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
