"""What a write statement's result says."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy.engine import CursorResult, Result


def rows_changed(result: Result[Any]) -> int:
    """The rows an UPDATE, DELETE or INSERT changed (0 when the driver cannot tell). Every
    write answers a CursorResult; `session.execute` is typed for any result."""
    return cast(CursorResult[Any], result).rowcount or 0
