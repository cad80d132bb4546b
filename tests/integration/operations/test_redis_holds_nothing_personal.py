"""Whoever reads Redis (sessions, rate limits, used signatures) learns no e-mail address, user
name, client address, key or token: every personal value there is sealed or a pseudonym."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import redis.asyncio as redis

from portico.manager.container import ManagerServices
from tests.conftest import GOOD_PASSWORD, signed
from tests.support.services import require_redis

BROWSER = "198.51.100.23"  # the console fixture's client


@pytest.fixture
def manager_overrides(backend: str) -> dict[str, Any]:
    if backend == "postgres":
        pytest.skip("what Redis holds does not depend on the SQL backend")
    return {
        "redis": {"url": require_redis()},
        "session": {"store": "redis"},
        "recovery": {"enabled": True},
        "signup": {"mode": "open", "email_verification": True},
    }


async def everything_in(client: redis.Redis) -> str:
    """Every key and every value of the database, as one text."""
    found = []
    async for key in client.scan_iter(count=1000):
        kind = (await client.type(key)).decode()
        value: Any
        if kind == "string":
            value = await client.get(key)
        elif kind == "set":
            value = await client.smembers(key)
        elif kind == "zset":
            value = await client.zrange(key, 0, -1, withscores=True)
        elif kind == "list":
            value = await client.lrange(key, 0, -1)
        elif kind == "hash":
            value = await client.hgetall(key)
        else:
            value = kind
        found.append(f"{key!r} {value!r}")
    return "\n".join(found)


async def test_after_a_day_of_use_redis_names_nobody(
    services: ManagerServices, console: httpx.AsyncClient, manager: httpx.AsyncClient, make_account
) -> None:
    client = redis.Redis.from_url(services.settings.redis.url)
    await client.flushdb()
    alice = await make_account(email="alice.liddell@example.com", username="alice")
    wrong = await console.post("/server/login", json={"username": "alice", "password": "Nope-123!"})
    assert wrong.status_code == 401
    stranger = await console.post(
        "/server/login", json={"username": "mallory@example.net", "password": "Nope-123!"}
    )
    assert stranger.status_code == 401
    r = await console.post("/server/login", json={"username": "alice", "password": GOOD_PASSWORD})
    assert r.status_code == 200, r.text
    mail = {"email": "alice.liddell@example.com"}
    assert (
        await console.post("/func/cloud/send-password-change-email", json=mail)
    ).status_code == 200
    assert (await console.post("/func/portico/password-check", json={"password": "x"})).status_code
    assert (await signed(manager, "POST", "/auth", alice, json={"echo": "x"})).status_code == 200
    cookie = next(iter(console.cookies.values()))

    stored = await everything_in(client)
    await client.aclose()
    assert "portico:websession:" in stored  # the session is there, sealed
    for personal in (
        "alice.liddell",
        "example.com",
        "mallory",
        "alice",
        BROWSER,
        "203.0.113.7",
        alice.access_key,
        alice.secret_key,
        cookie,
    ):
        assert personal not in stored, personal
