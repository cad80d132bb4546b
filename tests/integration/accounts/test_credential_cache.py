"""After its first call, a signed call is answered without a database query; a replaced keypair
stops working at once, on this replica and, through Redis, on every other one."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from sqlalchemy import event

from portico.manager.app import create_app
from portico.manager.container import ManagerServices, build_services
from portico.serving.background import stop
from tests.conftest import MANAGER_HOST, Account, make_settings, signed
from tests.support.database import fresh_database_url
from tests.support.services import require_redis

NEW_PASSWORD = "Brand-n3w-secret!"


async def test_after_the_first_call_a_signed_call_queries_nothing(
    manager: httpx.AsyncClient, services: ManagerServices, make_account
) -> None:
    alice = await make_account()
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(services.engine.sync_engine, "before_cursor_execute", count)
    assert (await signed(manager, "GET", "/auth/role", alice)).status_code == 200
    assert statements, "the first call reads the key from the database"
    first = len(statements)
    for _ in range(5):
        assert (await signed(manager, "GET", "/auth/role", alice)).status_code == 200
    assert len(statements) == first
    wrong = await signed(manager, "GET", "/auth/role", alice, secret_key="not-the-secret")
    assert wrong.status_code == 401  # a cached key still checks every signature


async def test_a_replaced_keypair_stops_working_at_once(
    manager: httpx.AsyncClient, services: ManagerServices, make_account
) -> None:
    alice = await make_account()
    assert (await signed(manager, "GET", "/auth/role", alice)).status_code == 200  # cached
    user = await services.accounts.user_by_email(alice.email)
    assert user is not None
    changed = await services.passwords.change(user, NEW_PASSWORD, replace_keypair=True)
    assert changed.keypair is not None
    assert (await signed(manager, "GET", "/auth/role", alice)).status_code == 401
    renewed = Account(
        alice.email,
        alice.username,
        NEW_PASSWORD,
        changed.keypair.access_key,
        changed.keypair.secret_key,
    )
    assert (await signed(manager, "GET", "/auth/role", renewed)).status_code == 200


@contextlib.asynccontextmanager
async def replica(
    tmp_path: Path, db_url: str, **sections: dict[str, Any]
) -> AsyncIterator[tuple[ManagerServices, httpx.AsyncClient]]:
    """One manager replica: its own services (and cache) on the shared database."""
    svc = await build_services(make_settings(tmp_path, db_url, **sections))
    listener = asyncio.create_task(svc.credentials.listen())
    transport = httpx.ASGITransport(app=create_app(svc.settings, svc))
    try:
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{MANAGER_HOST}") as c:
            yield svc, c
    finally:
        await stop([listener])
        await svc.close()


async def _replaced_on_a_is_refused_by_b(
    tmp_path: Path, db_url: str, within: float, **shared: dict[str, Any]
) -> bool:
    """B has the key in its cache; A replaces it. Is it refused by B within `within` s?"""
    async with (
        replica(tmp_path / "a", db_url, **shared) as (a, _),
        replica(tmp_path / "b", db_url, **shared) as (_, b_client),
    ):
        created = await a.accounts.create_user(
            email="alice@example.com", username="alice", password=NEW_PASSWORD
        )
        alice = Account(
            "alice@example.com", "alice", NEW_PASSWORD, created.access_key, created.secret_key
        )
        assert (await signed(b_client, "GET", "/auth/role", alice)).status_code == 200
        user = await a.accounts.user_by_email(alice.email)
        assert user is not None
        await a.passwords.change(user, "An0ther-fine-secret!", replace_keypair=True)
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if (await signed(b_client, "GET", "/auth/role", alice)).status_code == 401:
                return True
            await asyncio.sleep(0.05)
        return False


@pytest.mark.postgres
@pytest.mark.redis
async def test_through_redis_the_other_replica_refuses_a_replaced_key_at_once(
    tmp_path: Path,
) -> None:
    db_url = await fresh_database_url("postgres", tmp_path)
    redis_url = require_redis()
    redis.Redis.from_url(redis_url).flushdb()
    shared = {
        "redis": {"url": redis_url},
        "security": {"secret_key": "one-secret-for-both-replicas"},
        # Far longer than the test: only the message can end the entry in time.
        "manager": {"credential_cache_seconds": 300},
    }
    assert await _replaced_on_a_is_refused_by_b(tmp_path, db_url, 2.0, **shared)


async def test_without_redis_the_other_replica_refuses_it_within_the_ttl(tmp_path: Path) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    shared = {
        "security": {"secret_key": "one-secret-for-both-replicas"},
        "manager": {"credential_cache_seconds": 1},
    }
    assert await _replaced_on_a_is_refused_by_b(tmp_path, db_url, 1.5, **shared)
