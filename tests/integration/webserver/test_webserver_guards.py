"""CSRF, CORS, security headers, body limits, the UI config and the static files."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import GOOD_PASSWORD

LOGIN = {"username": "alice", "password": GOOD_PASSWORD}


@pytest.fixture
def web_overrides() -> dict[str, dict[str, Any]]:
    return {"security": {"allowed_origins": ["https://ui.example.org"], "cookie_secure": "true"}}


async def test_security_headers_everywhere(console: httpx.AsyncClient) -> None:
    for r in (
        await console.get("/"),
        await console.get("/func/ping"),
        await console.post("/server/login-check"),
    ):
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert "server" not in r.headers


async def test_foreign_origin_cannot_change_state(console: httpx.AsyncClient, make_account) -> None:
    await make_account()
    r = await console.post("/server/login", json=LOGIN, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"
    assert "set-cookie" not in r.headers
    ok = await console.post("/server/login", json=LOGIN, headers={"Origin": "http://console.test"})
    assert ok.status_code == 200


async def test_form_encoded_bodies_are_refused(console: httpx.AsyncClient, make_account) -> None:
    await make_account()
    r = await console.post("/server/login", data=LOGIN)  # what a cross-site <form> would send
    assert r.status_code == 415
    r = await console.post(
        "/server/login", content=b"username=alice", headers={"content-type": "text/plain"}
    )
    assert r.status_code == 415


async def test_configured_origin_gets_cors_with_credentials(
    console: httpx.AsyncClient, make_account
) -> None:
    await make_account()
    pre = await console.options(
        "/server/login",
        headers={
            "Origin": "https://ui.example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] == "https://ui.example.org"
    assert pre.headers["access-control-allow-credentials"] == "true"
    r = await console.post(
        "/server/login", json=LOGIN, headers={"Origin": "https://ui.example.org"}
    )
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "https://ui.example.org"
    assert "secure" in r.headers["set-cookie"].lower()  # cookie_secure = true
    other = await console.get("/func/ping", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


async def test_body_over_1_mib_is_413(console: httpx.AsyncClient) -> None:
    r = await console.post(
        "/server/login",
        content=b"{" + b" " * (1024 * 1024) + b"}",
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413


async def test_ui_config_reflects_the_managers_settings(console: httpx.AsyncClient) -> None:
    r = await console.get("/config.json")
    cfg = r.json()
    assert cfg["apiEndpoint"] == "http://console.test"
    assert cfg["endpointPinned"] is False
    assert cfg["signup"]["enabled"] is False
    assert cfg["signup"]["mode"] == "closed"
    assert cfg["recovery"]["enabled"] is False
    assert cfg["passwordPolicy"]["mode"] == "backendai"
    assert cfg["passwordPolicy"]["min_length"] == 8
    assert cfg["languages"] == ["en", "ja", "ko"]


async def test_static_files_and_app_routes(console: httpx.AsyncClient) -> None:
    index = await console.get("/")
    assert index.status_code == 200
    assert "<title>portico</title>" in index.text
    assert (await console.get("/summary")).text == index.text  # SPA route
    assert (await console.get("/missing.js")).status_code == 404
    assert (await console.get("/../pyproject.toml")).status_code in (404, 200)
    assert "[project]" not in (await console.get("/%2e%2e/%2e%2e/pyproject.toml")).text
    assert (await console.get("/server/nothing")).status_code == 404


async def test_the_page_may_connect_only_to_the_endpoints_the_operator_allows(
    console: httpx.AsyncClient,
) -> None:
    csp = (await console.get("/")).headers["content-security-policy"]
    connect = next(d for d in csp.split("; ") if d.startswith("connect-src"))
    sources = connect.split()[1:]
    assert "http:" not in sources
    assert "https:" not in sources
    assert sources[0] == "'self'"
    # [api] endpoint (the manager) and nothing else, since no other endpoint is allowed.
    assert len(sources) == 2
    assert sources[1].startswith("http://127.0.0.1:")
