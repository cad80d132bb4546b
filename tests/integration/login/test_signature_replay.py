"""A captured signed call that changes state cannot be sent again within the signing window,
with its own body or another; reading calls and freshly signed calls are untouched."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from portico.db.models import UsedSignature, User
from portico.manager.app import create_app
from portico.manager.container import ManagerServices, build_services
from portico.wire import problems
from portico.wire.signing import signed_headers
from portico.wire.versions import API_VERSION
from tests.conftest import MANAGER_HOST, Account, signed
from tests.support.services import require_redis


@pytest.fixture(params=["database", "redis"])
def manager_overrides(request: pytest.FixtureRequest, backend: str) -> dict[str, Any]:
    """Where the used signatures are kept: the database, or Redis when one is configured."""
    if request.param == "redis":
        if backend == "postgres":
            pytest.skip("the Redis ledger does not depend on the SQL backend")
        return {"redis": {"url": require_redis()}}
    return {}


def captured(account: Account, method: str, path: str) -> dict[str, str]:
    """The headers of one signed call, as someone who saw it on the wire keeps them."""
    return signed_headers(
        method=method,
        path=path,
        host=MANAGER_HOST,
        content_type="application/json",
        api_version=API_VERSION,
        access_key=account.access_key,
        secret_key=account.secret_key,
    )


async def full_name(services: ManagerServices, email: str) -> str:
    async with services.database() as db:
        return await db.scalar(select(User.full_name).where(User.email == email)) or ""


@pytest.fixture
async def second_manager(services: ManagerServices) -> AsyncIterator[httpx.AsyncClient]:
    """Another manager process on the same database (and Redis, when configured)."""
    other = await build_services(services.settings, migrate=False)
    transport = httpx.ASGITransport(
        app=create_app(other.settings, other), client=("203.0.113.8", 1)
    )
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{MANAGER_HOST}") as c:
        yield c
    await other.close()


async def test_a_captured_call_sent_again_is_refused_with_any_body_on_any_manager(
    manager: httpx.AsyncClient,
    second_manager: httpx.AsyncClient,
    make_account,
    services: ManagerServices,
) -> None:
    alice = await make_account()
    headers = captured(alice, "POST", "/auth/update-full-name")
    body = {"email": alice.email, "full_name": "Alice Liddell"}
    first = await manager.post("/auth/update-full-name", json=body, headers=headers)
    assert first.status_code == 200, first.text

    for client, sent in [
        (manager, body),
        (manager, {"email": alice.email, "full_name": "Mallory was here"}),
        (second_manager, {"email": alice.email, "full_name": "Mallory again"}),
    ]:
        again = await client.post("/auth/update-full-name", json=sent, headers=headers)
        assert again.status_code == 401, again.text
        assert again.headers["content-type"] == "application/problem+json"
        assert again.json()["type"] == problems.AUTH_FAILED
        assert again.json()["code"] == "signature-reused"
        assert "already used" in again.json()["details"]
    assert await full_name(services, alice.email) == "Alice Liddell"


async def test_a_reading_call_may_be_sent_again(
    manager: httpx.AsyncClient, make_account, services: ManagerServices
) -> None:
    alice = await make_account()
    headers = captured(alice, "GET", "/auth/role")
    for _ in range(3):
        r = await manager.get("/auth/role", headers=headers)
        assert r.status_code == 200, r.text
    if not services.settings.redis.url:
        async with services.database() as db:
            assert await db.scalar(select(func.count()).select_from(UsedSignature)) == 0


async def test_calls_signed_one_by_one_all_pass_in_a_burst(
    manager: httpx.AsyncClient, make_account
) -> None:
    """Backend.AI's clients sign each call with the current time: a burst of them, even
    sent together, never collides with itself."""
    alice = await make_account()
    answers = await asyncio.gather(
        *(signed(manager, "POST", "/auth", alice, json={"echo": str(i)}) for i in range(40))
    )
    assert [r.status_code for r in answers] == [200] * 40
    assert sorted(r.json()["echo"] for r in answers) == sorted(str(i) for i in range(40))


async def test_the_console_relays_the_same_call_twice_in_a_row(
    console: httpx.AsyncClient, make_account, services: ManagerServices
) -> None:
    """The webserver signs every relayed call afresh: a user who presses a button twice gets
    two answers, not a refusal."""
    alice = await make_account()
    r = await console.post("/server/login", json={"username": "alice", "password": alice.password})
    assert r.status_code == 200, r.text
    body = {"email": alice.email, "full_name": "Twice"}
    first, second = await asyncio.gather(
        console.post("/func/auth/update-full-name", json=body),
        console.post("/func/auth/update-full-name", json=body),
    )
    assert (first.status_code, second.status_code) == (200, 200), (first.text, second.text)


async def test_remembered_signatures_are_forgotten_once_their_window_has_passed(
    manager: httpx.AsyncClient, make_account, services: ManagerServices
) -> None:
    if services.settings.redis.url:
        pytest.skip("Redis expires them itself")
    alice = await make_account()
    r = await signed(manager, "POST", "/auth", alice, json={"echo": "x"})
    assert r.status_code == 200
    ledger = services.used_signatures
    assert await ledger.purge() == 0  # still within the window: kept
    ledger._clock = lambda: 4_000_000_000.0  # type: ignore[attr-defined]
    assert await ledger.purge() == 1
