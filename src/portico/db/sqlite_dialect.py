"""aiosqlite's dialect without the rollbacks that SQLite answers with nothing.

Every session that only read ends with a rollback, and on aiosqlite each one is a round trip
to the connection's thread (9 of a log-in's 51) while no transaction is open. Such a rollback
is skipped; one with a transaction open (a write, or an error mid-transaction) still goes to
SQLite. Registered with SQLAlchemy as `sqlite+portico_aiosqlite`."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite

DRIVER = "portico_aiosqlite"


class QuietRollbackSQLiteDialect(SQLiteDialect_aiosqlite):
    driver = DRIVER
    supports_statement_cache = True

    def do_rollback(self, dbapi_connection: Any) -> None:
        driver = dbapi_connection.driver_connection
        if driver is None or driver.in_transaction:  # when in doubt, roll back
            super().do_rollback(dbapi_connection)  # type: ignore[no-untyped-call]  # (untyped)


registry.register(f"sqlite.{DRIVER}", __name__, QuietRollbackSQLiteDialect.__name__)
