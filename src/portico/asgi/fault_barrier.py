"""The last line: an exception that escapes a route becomes a problem document, and the
connection stays open for the client's next request.

A backing service that cannot be reached (the database, Redis) is an outage, not a bug: the
answer is 503 with `Retry-After`, and the next request tries again, so the process recovers by
itself once the service is back. Anything else is a 500. Either way the exception stops here:
re-raised, it would make the server close a keep-alive connection that the client is about to
reuse for an unrelated request.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portico.common.storage_space import full_paths, is_storage_full
from portico.db.sqlite_busy import sqlite_unavailable
from portico.wire import problems

log = logging.getLogger(__name__)

OUTAGE_RETRY_AFTER = 5


class ServiceUnavailable(Exception):
    """A backing service (database, Redis) did not answer."""


def _outage_types() -> tuple[type[BaseException], ...]:
    """Only libraries this process already loaded can have raised: a webserver keeping its
    sessions in Redis never loads SQLAlchemy, and an error should not make it."""
    types: list[type[BaseException]] = [
        ServiceUnavailable,
        ConnectionError,  # OSError family: refused, reset, aborted
        TimeoutError,
    ]
    if "sqlalchemy" in sys.modules:
        import sqlalchemy.exc

        types += [
            sqlalchemy.exc.OperationalError,
            sqlalchemy.exc.InterfaceError,
            sqlalchemy.exc.TimeoutError,
        ]
    if "redis" in sys.modules:
        from redis import exceptions as redis_errors

        types += [redis_errors.ConnectionError, redis_errors.TimeoutError]
    if "limits" in sys.modules:
        from limits.errors import StorageError

        types.append(StorageError)
    if "asyncpg" in sys.modules:
        import asyncpg

        types += [
            asyncpg.exceptions.ConnectionDoesNotExistError,
            asyncpg.CannotConnectNowError,
            asyncpg.exceptions.InterfaceError,
        ]
    return tuple(types)


def is_outage(exc: BaseException) -> bool:
    """Does `exc` (or what caused it) say that a backing service is unreachable?"""
    outages = _outage_types()
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, outages):
            return True
        if getattr(current, "connection_invalidated", False):
            return True
        if sqlite_unavailable(current):  # the SQL session store's own connection
            return True
        current = current.__cause__ or current.__context__
    return False


# Why a 503 is answered: (title, details), all of type service-unavailable.
UNAVAILABLE = {
    "outage": (
        "Service temporarily unavailable",
        "A service this server depends on is unreachable. Try again shortly.",
    ),
    "storage-full": (
        "Storage is full",
        "The server's storage is full, so nothing was saved. Try again later.",
    ),
    "busy": ("Server busy", "This server has too many requests in hand. Try again shortly."),
    "deadline": (
        "Request took too long",
        "This request could not be answered in time. Try again shortly.",
    ),
}


def _problem_body(status: int, reason: str) -> bytes:
    import json

    if status == 503:
        title, details = UNAVAILABLE[reason]
        doc = problems.problem(problems.SERVICE_UNAVAILABLE, title, 503, details=details)
    else:
        doc = problems.problem(problems.INTERNAL_SERVER_ERROR, "Internal server error", 500)
    return json.dumps(doc).encode()


async def send_problem(send: Send, status: int, reason: str = "outage") -> None:
    """A 500, or a 503 (with Retry-After) for one of the UNAVAILABLE reasons."""
    body = _problem_body(status, reason)
    headers = [
        (b"content-type", problems.PROBLEM_CONTENT_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
    ]
    if status == 503:
        headers.append((b"retry-after", str(OUTAGE_RETRY_AFTER).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class FaultBarrier:
    """Outermost middleware of both apps."""

    def __init__(self, app: ASGIApp, storage: Sequence[Path] = ()) -> None:
        """`storage`: where this process writes (named in the log when one is full)."""
        self.app = app
        self.storage = list(storage)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if is_storage_full(exc):
                where = full_paths(self.storage) or self.storage
                log.error("storage is full at %s: nothing was saved", ", ".join(map(str, where)))
                if not started:
                    await send_problem(send, 503, "storage-full")
                return
            outage = is_outage(exc)
            if outage:
                log.warning("backing service unavailable: %s", type(exc).__name__)
            else:
                # The type and the traceback, never the message: it may hold SQL parameters.
                log.error("unhandled error: %s", type(exc).__name__, exc_info=exc)
            if not started:
                await send_problem(send, 503 if outage else 500)
