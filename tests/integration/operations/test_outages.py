"""Keep-alive, health probes and outages, against real processes on PostgreSQL and Redis.

The database and Redis are reached through a TCP forwarder that the test cuts and restores, so
the services really are unreachable, and really come back, while portico keeps running.
"""

from __future__ import annotations

import asyncio
import http.client
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen

import httpx
import pytest
import redis

from tests.conftest import GOOD_PASSWORD
from tests.support.database import fresh_database_url
from tests.support.processes import create_account, running
from tests.support.services import free_port, require_redis
from tests.support.tcp_proxy import TcpProxy, tcp_proxy

LOGIN = {"username": "alice@example.com", "password": GOOD_PASSWORD}


@dataclass
class Stack:
    manager: str
    web: str
    database: TcpProxy
    redis: TcpProxy
    processes: tuple[Popen, Popen]


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    db_url = asyncio.run(fresh_database_url("postgres", tmp_path))
    redis_url = require_redis()
    redis.Redis.from_url(redis_url).flushdb()
    manager_port, web_port = free_port(), free_port()
    with tcp_proxy("127.0.0.1", 5432) as pg, tcp_proxy("127.0.0.1", 6379) as rd:
        env = {
            "PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"),
            "PORTICO_DB__URL": db_url.replace("127.0.0.1:5432", f"127.0.0.1:{pg.port}"),
            "PORTICO_REDIS__URL": f"redis://127.0.0.1:{rd.port}/15",
            "PORTICO_SESSION__STORE": "redis",
            "PORTICO_AUTH__BCRYPT_ROUNDS": "4",
            "PORTICO_MANAGER__PORT": str(manager_port),
            "PORTICO_SERVICE__PORT": str(web_port),
            "PORTICO_API__ENDPOINT": f"http://127.0.0.1:{manager_port}",
            "PORTICO_AGENT__LOCAL": "false",
        }
        create_account(env)
        manager, web = f"http://127.0.0.1:{manager_port}", f"http://127.0.0.1:{web_port}"
        with (
            running(["manager"], env, manager + "/", tmp_path / "manager.log") as m,
            running(["webserver"], env, web + "/func/ping", tmp_path / "web.log") as w,
        ):
            yield Stack(manager, web, pg, rd, (m, w))
            assert m.poll() is None and w.poll() is None, "a process died"


def assert_outage(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert int(r.headers["retry-after"]) > 0
    assert r.json()["type"].endswith("/service-unavailable") or r.json().get("data", {}).get(
        "type", ""
    ).endswith("/service-unavailable")


def log_in(web: str) -> httpx.Client:
    client = httpx.Client(base_url=web, timeout=30)
    r = client.post("/server/login", json=LOGIN)
    assert r.status_code == 200 and r.json()["authenticated"], r.text
    return client


def test_health_probes(stack: Stack) -> None:
    for base in (stack.manager, stack.web):
        assert httpx.get(base + "/health/livez").json() == {"status": "ok"}
        ready = httpx.get(base + "/health/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "ready", ready.text
    assert set(httpx.get(stack.manager + "/health/readyz").json()["checks"]) == {
        "database",
        "redis",
        "session_store",
        "storage",
        "clock",
    }


def test_database_outage_answers_503_and_recovers_without_a_restart(stack: Stack) -> None:
    browser = log_in(stack.web)
    assert browser.get("/func/auth/role").status_code == 200

    stack.database.cut()
    assert httpx.get(stack.manager + "/health/livez").status_code == 200
    ready = httpx.get(stack.manager + "/health/readyz")
    assert ready.status_code == 503 and ready.json()["checks"]["database"] == "unavailable"
    assert_outage(httpx.post(stack.manager + "/auth/authorize", json={**LOGIN, "type": "keypair"}))
    assert_outage(httpx.post(stack.web + "/server/login", json=LOGIN))
    # A relayed call that reads the database (a plain /auth/role may come from the manager's
    # cache of verified keys, which needs no database).
    assert_outage(browser.get(f"/func/auth/role?group={uuid.uuid4()}"))

    stack.database.restore()
    deadline = time.monotonic() + 20
    while httpx.get(stack.manager + "/health/readyz").status_code != 200:
        assert time.monotonic() < deadline, "the manager did not recover"
        time.sleep(0.2)
    assert browser.get("/func/auth/role").status_code == 200
    log_in(stack.web)


def test_redis_outage_answers_503_and_recovers_without_a_restart(stack: Stack) -> None:
    browser = log_in(stack.web)
    stack.redis.cut()
    for base in (stack.manager, stack.web):
        assert httpx.get(base + "/health/livez").status_code == 200
        ready = httpx.get(base + "/health/readyz")
        assert ready.status_code == 503, ready.text
    assert_outage(httpx.post(stack.web + "/server/login", json=LOGIN))
    assert_outage(browser.get("/func/auth/role"))

    stack.redis.restore()
    deadline = time.monotonic() + 20
    while httpx.get(stack.web + "/health/readyz").status_code != 200:
        assert time.monotonic() < deadline, "the webserver did not recover"
        time.sleep(0.2)
    assert browser.get("/func/auth/role").status_code == 200
    log_in(stack.web)


def _get(conn: http.client.HTTPConnection, path: str) -> int:
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return response.status


def test_idle_keep_alive_connections_survive_20_seconds_and_a_failed_request(
    stack: Stack,
) -> None:
    conns = [
        http.client.HTTPConnection(base.removeprefix("http://"), timeout=30)
        for base in (stack.manager, stack.web)
    ]
    sockets = []
    for conn in conns:
        assert _get(conn, "/health/livez") == 200
        sockets.append(conn.sock)
    time.sleep(20)  # a pooled client's idle time, beyond uvicorn's default of 5 s
    stack.database.cut()
    stack.redis.cut()
    for conn, sock in zip(conns, sockets, strict=True):
        assert _get(conn, "/health/readyz") == 503
        assert conn.sock is sock, "the server closed an idle keep-alive connection"
    # A request that fails on an outage leaves the connection usable for the next one.
    assert _get(conns[0], "/auth/role") in (401, 503)
    stack.database.restore()
    stack.redis.restore()
    for conn, sock in zip(conns, sockets, strict=True):
        assert _get(conn, "/health/livez") == 200
        assert conn.sock is sock
        conn.close()
