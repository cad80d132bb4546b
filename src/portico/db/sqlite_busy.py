"""What SQLite's "locked" errors mean: a writer held the file (worth another try soon), or the
file could not be opened at all. Both are the database being unavailable, not a bug."""

from __future__ import annotations

import sqlite3

_BUSY = ("database is locked", "database is busy")
_UNAVAILABLE = (*_BUSY, "unable to open database")


def sqlite_busy(exc: BaseException) -> bool:
    """Another connection held the lock: the same statement may succeed a moment later."""
    return isinstance(exc, sqlite3.OperationalError) and str(exc).startswith(_BUSY)


def sqlite_unavailable(exc: BaseException) -> bool:
    """Busy, or the file is gone: the database cannot be used right now."""
    return isinstance(exc, sqlite3.OperationalError) and str(exc).startswith(_UNAVAILABLE)
