"""Bounded answers: a request past `[service] request_deadline` ends 503, one beyond
`[service] max_in_flight` is turned away 503 at once, both with Retry-After, and a log-in that
timed out never counts as a failed guess."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select, update

from portico.db.models import LoginAttempt, User
from portico.manager.app import create_app
from portico.manager.container import ManagerServices
from portico.manager.credentials.hashers import PasswordHashers
from tests.conftest import GOOD_PASSWORD, MANAGER_HOST

LOG_IN = {"type": "keypair", "username": "alice", "password": GOOD_PASSWORD}
SLOW_HASH_ROUNDS = 13  # a verify takes a good part of a second on this machine


@pytest.fixture
async def slow_alice(services: ManagerServices, make_account) -> None:
    """alice, whose password hash is costly enough that a deadline passes while it is checked."""
    await make_account()
    slow = PasswordHashers(SLOW_HASH_ROUNDS).make(GOOD_PASSWORD)
    async with services.database.begin() as db:
        await db.execute(update(User).where(User.username == "alice").values(password=slow))


async def client_of(services: ManagerServices, **service: float) -> httpx.AsyncClient:
    """A manager app on `services` whose [service] section says `service`."""
    settings = services.settings.model_copy(deep=True)
    for key, value in service.items():
        setattr(settings.service, key, value)
    transport = httpx.ASGITransport(app=create_app(settings, services), client=("203.0.113.9", 1))
    return httpx.AsyncClient(transport=transport, base_url=f"http://{MANAGER_HOST}", timeout=60)


@pytest.fixture
async def hurried(services: ManagerServices) -> AsyncIterator[httpx.AsyncClient]:
    async with await client_of(services, request_deadline=0.2) as client:
        yield client


def assert_shed(r: httpx.Response, title: str) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert int(r.headers["retry-after"]) > 0
    assert r.json()["title"] == title


async def test_log_ins_past_the_deadline_are_503_in_time_and_are_no_guesses(
    services: ManagerServices, hurried: httpx.AsyncClient, manager: httpx.AsyncClient, slow_alice
) -> None:
    allowed = services.settings.session.login_allowed_fail_count
    for _ in range(allowed + 2):
        started = time.monotonic()
        r = await hurried.post("/auth/authorize", json=LOG_IN)
        assert_shed(r, "Request took too long")
        assert time.monotonic() - started < 2.0  # the deadline (0.2 s), not the hash
    await services.password_check.settle()
    async with services.database() as db:
        counted = await db.scalars(select(LoginAttempt.fail_count))
        assert set(counted) <= {0}, "a timed-out log-in was counted as a guess"
    # Twelve timed-out attempts later the right password still logs in: nothing was blocked.
    r = await manager.post("/auth/authorize", json=LOG_IN)
    assert r.status_code == 200, r.text


async def test_beyond_max_in_flight_requests_are_turned_away_at_once(
    services: ManagerServices, slow_alice
) -> None:
    async with await client_of(services, max_in_flight=2) as client:
        started = time.monotonic()

        async def log_in() -> tuple[httpx.Response, float]:
            r = await client.post("/auth/authorize", json=LOG_IN)
            return r, time.monotonic() - started

        answers = await asyncio.gather(*(log_in() for _ in range(8)))
        # Health probes are never shed, even while the process is full.
        probe = client.get("/health/livez")
        served = [r for r, _ in answers if r.status_code == 200]
        shed = [(r, at) for r, at in answers if r.status_code != 200]
        assert len(served) == 2, [r.status_code for r, _ in answers]
        slowest_served = max(at for _, at in answers)
        for r, at in shed:
            assert_shed(r, "Server busy")
            assert at < slowest_served  # answered before the admitted ones finished
        assert (await probe).status_code == 200
