"""Two webserver processes and one manager, on PostgreSQL and Redis, as in production."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
import redis

from tests.conftest import GOOD_PASSWORD
from tests.support.database import fresh_database_url
from tests.support.processes import create_account, running
from tests.support.services import free_port, require_redis


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[tuple[str, str]]:
    import asyncio

    db_url = asyncio.run(fresh_database_url("postgres", tmp_path))
    redis_url = require_redis()
    redis.Redis.from_url(redis_url).flushdb()
    manager_port, web_a, web_b = free_port(), free_port(), free_port()
    common = {
        "PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"),
        "PORTICO_DB__URL": db_url,
        "PORTICO_REDIS__URL": redis_url,
        "PORTICO_SESSION__STORE": "redis",
        "PORTICO_AUTH__BCRYPT_ROUNDS": "4",
        "PORTICO_SECURITY__SECRET_KEY": "shared-by-every-replica-of-this-deployment",
        "PORTICO_API__ENDPOINT": f"http://127.0.0.1:{manager_port}",
        "PORTICO_MANAGER__PORT": str(manager_port),
    }
    create_account(common)
    with ExitStack() as stack:
        stack.enter_context(
            running(
                ["manager"], common, f"http://127.0.0.1:{manager_port}/", tmp_path / "manager.log"
            )
        )
        urls = []
        for name, port in (("a", web_a), ("b", web_b)):
            url = f"http://127.0.0.1:{port}"
            stack.enter_context(
                running(
                    ["webserver"],
                    {**common, "PORTICO_SERVICE__PORT": str(port)},
                    url + "/func/ping",
                    tmp_path / f"web-{name}.log",
                )
            )
            urls.append(url)
        yield urls[0], urls[1]


def test_a_session_made_on_one_webserver_works_on_the_other(deployment: tuple[str, str]) -> None:
    a, b = deployment
    login = httpx.post(a + "/server/login", json={"username": "alice", "password": GOOD_PASSWORD})
    assert login.status_code == 200
    cookie = {"AIOHTTP_SESSION": login.cookies["AIOHTTP_SESSION"]}
    on_b = httpx.get(b + "/func/auth/role", cookies=cookie)
    assert on_b.status_code == 200
    assert on_b.json()["global_role"] == "user"
    assert httpx.post(b + "/server/logout", cookies=cookie).status_code == 200
    assert httpx.get(a + "/func/auth/role", cookies=cookie).status_code == 401


def test_the_lockout_holds_across_webservers(deployment: tuple[str, str]) -> None:
    a, b = deployment
    for url in (a, b) * 5:
        r = httpx.post(url + "/server/login", json={"username": "alice", "password": "Wr0ng-1!"})
        assert r.status_code == 401
    for url in (a, b):
        r = httpx.post(url + "/server/login", json={"username": "alice", "password": GOOD_PASSWORD})
        assert r.status_code == 429
        assert int(r.headers["retry-after"]) > 0
