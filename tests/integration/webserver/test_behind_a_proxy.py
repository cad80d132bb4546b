"""Behind a TLS-terminating proxy the webserver sees what the browser sent to the proxy, when
(and only when) the proxy is one it was told to trust."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from portico.webserver.app import create_app as create_web_app
from portico.webserver.container import WebServices
from portico.wire import encoded_body
from tests.conftest import GOOD_PASSWORD

PROXY = ("198.51.100.23", 51000)  # the console fixture's peer address
STRANGER = ("203.0.113.99", 52000)
FORWARDED = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "console.example.org",
    "X-Forwarded-For": "192.0.2.44",
}
LOGIN = {"username": "alice", "password": GOOD_PASSWORD}


@pytest.fixture
def web_overrides() -> dict[str, dict[str, Any]]:
    return {
        "service": {"trusted_proxies": ["198.51.100.0/24"]},
        "security": {"hsts_max_age": 31536000},
    }


@pytest.fixture
async def alice(make_account):  # type: ignore[no-untyped-def]
    return await make_account()


def client_from(web: WebServices, peer: tuple[str, int]) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_web_app(web.settings, web), client=peer)
    return httpx.AsyncClient(transport=transport, base_url="http://10.0.0.5:8090")


async def test_a_trusted_proxy_makes_the_cookie_secure_and_sends_hsts(
    web_services: WebServices, alice: Any
) -> None:
    async with client_from(web_services, PROXY) as proxy:
        r = await proxy.post(
            "/server/login",
            json=LOGIN,
            headers={**FORWARDED, "Origin": "https://console.example.org"},
        )
    assert r.status_code == 200, r.text
    cookie = r.headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie
    assert r.headers["strict-transport-security"].startswith("max-age=31536000")


async def test_the_encoded_log_in_uses_the_browsers_endpoint(
    web_services: WebServices, alice: Any
) -> None:
    payload = encoded_body.encode("https://console.example.org", json.dumps(LOGIN).encode())
    async with client_from(web_services, PROXY) as proxy:
        r = await proxy.post(
            "/server/login",
            content=payload,
            headers={**FORWARDED, encoded_body.HEADER: "true", "Content-Type": "text/plain"},
        )
    assert r.status_code == 200, r.text


async def test_the_client_address_is_the_browsers(
    web_services: WebServices, alice: Any, services: Any
) -> None:
    async with client_from(web_services, PROXY) as proxy:
        r = await proxy.post("/server/login", json=LOGIN, headers=FORWARDED)
        assert r.status_code == 200
        # The cookie is Secure (the browser spoke https to the proxy): send it by hand.
        cookie = f"AIOHTTP_SESSION={r.cookies['AIOHTTP_SESSION']}"
        sessions = await proxy.get("/func/summary", headers={**FORWARDED, "Cookie": cookie})
    assert "192.0.2.44" in sessions.text


async def test_anyone_else_s_forwarded_headers_are_ignored(
    web_services: WebServices, alice: Any
) -> None:
    async with client_from(web_services, STRANGER) as stranger:
        same_host = await stranger.post(
            "/server/login",
            json=LOGIN,
            headers={**FORWARDED, "Origin": "https://console.example.org"},
        )
        assert same_host.status_code == 403  # not this server's origin, whatever it claims
        r = await stranger.post("/server/login", json=LOGIN, headers=FORWARDED)
    assert r.status_code == 200
    assert "Secure" not in r.headers["set-cookie"]
    assert "strict-transport-security" not in r.headers
