"""Which errors mean "a backing service is unavailable" (503 + Retry-After), not a bug (500)."""

from __future__ import annotations

import sqlite3

from portico.asgi.fault_barrier import is_outage


def test_a_locked_sqlite_file_is_an_outage_and_a_missing_table_is_a_bug() -> None:
    assert is_outage(sqlite3.OperationalError("database is locked"))
    assert is_outage(sqlite3.OperationalError("unable to open database file"))
    assert not is_outage(sqlite3.OperationalError("no such table: web_sessions"))


def test_the_cause_is_followed() -> None:
    wrapped = RuntimeError("wrapped")
    wrapped.__cause__ = ConnectionRefusedError("redis")
    assert is_outage(wrapped)
    assert not is_outage(ValueError("a bug"))
