"""The per-client-address ceiling reserves before the hash, like the account lock-out, and the
optional per-(account, address) lock-out keeps a stranger from locking a user out."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx
import pytest

from portico.manager.container import ManagerServices
from portico.manager.errors import InvalidCredentials
from tests.conftest import GOOD_PASSWORD
from tests.support.services import require_redis

CEILING = 100


@pytest.fixture(params=["memory", "redis"])
def manager_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    limits = {"session": {"login_address_fail_limit": CEILING, "login_address_window": 600}}
    if request.param == "redis":
        import redis

        url = require_redis()
        redis.Redis.from_url(url).flushdb()
        limits["redis"] = {"url": url}
    return limits


async def test_300_parallel_guesses_from_one_address_get_at_most_the_ceiling(
    manager: httpx.AsyncClient, services: ManagerServices
) -> None:
    checks = 0
    original = services.pool.verify

    async def counting(password: str, encoded: str | None) -> bool:
        nonlocal checks
        checks += 1
        return await original(password, encoded)

    services.pool.verify = counting  # type: ignore[method-assign]
    answers = await asyncio.gather(
        *(
            manager.post(
                "/auth/authorize",
                json={"type": "keypair", "username": f"guess{i}@example.com", "password": "x"},
            )
            for i in range(300)
        )
    )
    statuses = Counter(a.status_code for a in answers)
    assert checks <= CEILING, (checks, statuses)
    assert statuses[401] == checks and statuses[429] == 300 - checks
    assert all(int(a.headers["retry-after"]) > 0 for a in answers if a.status_code == 429)


async def test_successful_log_ins_do_not_fill_the_ceiling(
    manager: httpx.AsyncClient, make_account: Any
) -> None:
    await make_account()
    login = {"type": "keypair", "username": "alice", "password": GOOD_PASSWORD}
    for _ in range(CEILING + 20):
        assert (await manager.post("/auth/authorize", json=login)).status_code == 200


@pytest.mark.parametrize(
    "manager_overrides",
    [
        {
            "session": {"lockout_scope": "account_and_address", "login_allowed_fail_count": 3},
            "manager": {"trusted_proxies": ["203.0.113.0/24"]},
        }
    ],
)
async def test_per_address_lockout_keeps_the_owner_in(
    manager: httpx.AsyncClient, make_account: Any
) -> None:
    await make_account()

    def attempt(password: str, address: str) -> Any:
        return manager.post(
            "/auth/authorize",
            json={"type": "keypair", "username": "alice", "password": password},
            headers={"X-Forwarded-For": address},
        )

    stranger, owner = "198.51.100.66", "192.0.2.10"
    statuses = [(await attempt("wrong", stranger)).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    assert (await attempt(GOOD_PASSWORD, stranger)).status_code == 429
    assert (await attempt(GOOD_PASSWORD, owner)).status_code == 200


async def test_an_admin_unlock_clears_every_per_address_block(
    services: ManagerServices, make_account: Any
) -> None:
    services.password_check.scope = "account_and_address"
    await make_account()
    for address in ("198.51.100.1", "198.51.100.2"):
        for _ in range(services.settings.session.login_allowed_fail_count):
            with pytest.raises(InvalidCredentials):
                await services.log_in.authorize("alice", "wrong", client_address=address)
    await services.accounts.unlock("alice@example.com")
    for address in ("198.51.100.1", "198.51.100.2"):
        granted = await services.log_in.authorize("alice", GOOD_PASSWORD, client_address=address)
        assert granted.email == "alice@example.com"
