"""Real backing services for tests: PostgreSQL and Redis on loopback.

Where one is missing, its tests skip with the reason; under CI (CI=true) they fail instead,
so a CI run always proves them.
"""

from __future__ import annotations

import os
import socket

import pytest

POSTGRES_URL = os.environ.get(
    "PORTICO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("PORTICO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> None:
    """Skip here, fail in CI."""
    if in_ci():
        pytest.fail(f"{reason} (CI must prove this, so the test fails instead of skipping)")
    pytest.skip(reason)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_postgres() -> str:
    if not port_open("127.0.0.1", 5432):
        unavailable("PostgreSQL is not listening on 127.0.0.1:5432")
    return POSTGRES_URL


def require_redis() -> str:
    if not port_open("127.0.0.1", 6379):
        unavailable("Redis is not listening on 127.0.0.1:6379")
    return REDIS_URL


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port nothing listens on, and one this test run has not handed out already: the
    kernel may offer a just-released port again, and two servers of one deployment picked
    before either binds would then get the same one (seen: a manager answering on the port
    meant for a webserver that could not bind)."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port
