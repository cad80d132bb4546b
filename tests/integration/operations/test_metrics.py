"""/metrics on both services: Prometheus's text format (checked by promtool), the figures an
operator watches, and only for the scraper's network."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import AsyncIterator

import httpx
import pytest

from portico.manager.app import create_app
from portico.manager.container import ManagerServices
from portico.webserver.app import create_app as create_web_app
from portico.webserver.container import WebServices
from tests.conftest import GOOD_PASSWORD, MANAGER_HOST, WEB_HOST
from tests.support.services import unavailable


@pytest.fixture
async def local_manager(services: ManagerServices) -> AsyncIterator[httpx.AsyncClient]:
    """The manager as a scraper on this machine sees it."""
    transport = httpx.ASGITransport(
        app=create_app(services.settings, services), client=("127.0.0.1", 9)
    )
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{MANAGER_HOST}") as c:
        yield c


@pytest.fixture
async def local_web(web_services: WebServices) -> AsyncIterator[httpx.AsyncClient]:
    app = create_web_app(web_services.settings, web_services)
    transport = httpx.ASGITransport(app=app, client=("::1", 9))
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{WEB_HOST}") as c:
        yield c


def promtool_accepts(text: str) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        unavailable("promtool is not installed (apt-get install prometheus)")
    checked = subprocess.run(
        [promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def sample(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or (
            line.startswith(name + "{") and line.split(" ")[0] == name
        ):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_the_manager_counts_log_ins_and_times_hashes(
    local_manager: httpx.AsyncClient,
    make_account,  # type: ignore[no-untyped-def]
) -> None:
    await make_account()
    before = (await local_manager.get("/metrics")).text
    ok = 'portico_logins_total{outcome="success"}'
    wrong = 'portico_logins_total{outcome="credential-mismatch"}'
    for password in ("Wr0ng-pass!", GOOD_PASSWORD):
        await local_manager.post(
            "/auth/authorize", json={"username": "alice", "password": password}
        )
    answer = await local_manager.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    text = answer.text
    assert sample(text, ok) == sample(before, ok) + 1
    assert sample(text, wrong) == sample(before, wrong) + 1
    assert 'portico_password_hash_seconds_count{operation="verify"}' in text
    assert "portico_outbox_backlog" in text
    promtool_accepts(text)


async def test_the_webserver_times_relayed_calls(
    local_web: httpx.AsyncClient,
    make_account,  # type: ignore[no-untyped-def]
) -> None:
    await make_account()
    before = sample((await local_web.get("/metrics")).text, "portico_relay_seconds_count")
    login = await local_web.post(
        "/server/login", json={"username": "alice", "password": GOOD_PASSWORD}
    )
    assert login.json()["authenticated"] is True
    assert (await local_web.get("/func/auth/role")).status_code == 200
    text = (await local_web.get("/metrics")).text
    assert sample(text, "portico_relay_seconds_count") == before + 1
    assert "portico_active_browser_sessions" in text
    promtool_accepts(text)


async def test_metrics_are_not_public(
    manager: httpx.AsyncClient, console: httpx.AsyncClient
) -> None:
    for client in (manager, console):  # from 203.0.113.7 and 198.51.100.23
        refused = await client.get("/metrics")
        assert refused.status_code == 403
        assert "portico_" not in refused.text


async def test_metrics_relayed_by_a_local_proxy_are_refused(local_web: httpx.AsyncClient) -> None:
    # A TLS terminator on this machine connects from loopback and names the real client.
    proxied = await local_web.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 403
    assert (await local_web.get("/metrics")).status_code == 200
