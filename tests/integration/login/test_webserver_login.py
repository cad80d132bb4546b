"""The webserver's log-in, session and relay behaviour, with the manager behind it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from portico.webserver.container import WebServices
from portico.wire import encoded_body
from tests.conftest import GOOD_PASSWORD, WEB_HOST

LOGIN = {"username": "alice@example.com", "password": GOOD_PASSWORD}


@pytest.fixture
async def alice(make_account):  # type: ignore[no-untyped-def]
    return await make_account()


async def test_login_sets_a_hardened_cookie_and_the_header(
    console: httpx.AsyncClient, alice
) -> None:
    r = await console.post("/server/login", json=LOGIN)
    assert r.status_code == 200
    assert r.json() == {
        "authenticated": True,
        "data": {"access_key": alice.access_key, "role": "user", "status": "active"},
    }
    assert "secret_key" not in r.text
    cookie = r.headers["set-cookie"]
    session_id = r.cookies["AIOHTTP_SESSION"]
    assert len(session_id) >= 43  # 256 bits, url-safe base64
    assert r.headers["x-backendai-sessionid"] == session_id
    for attribute in ("HttpOnly", "SameSite=lax", "Path=/", "Max-Age=604800"):
        assert attribute.lower() in cookie.lower()
    assert "secure" not in cookie.lower()  # served over http with cookie_secure = auto
    assert r.headers["cache-control"] == "no-store"


async def test_the_session_relays_signed_calls(console: httpx.AsyncClient, alice) -> None:
    assert (await console.get("/func/auth/role")).status_code == 401
    await console.post("/server/login", json=LOGIN)
    r = await console.get("/func/auth/role")
    assert r.status_code == 200
    assert r.json() == {"global_role": "user", "domain_role": "user", "group_role": None}
    r = await console.post("/func/auth", json={"echo": "через прокси"})
    assert r.json() == {"authorized": "yes", "echo": "через прокси"}
    r = await console.get("/func/auth?echo=a%20b&x=1")  # the query is signed as sent
    assert r.json()["echo"] == "a b"


async def test_no_session_is_a_401_problem(console: httpx.AsyncClient) -> None:
    r = await console.get("/func/auth/role")
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["title"] == "Unauthorized access"


async def test_version_probe_and_ping_are_anonymous(console: httpx.AsyncClient) -> None:
    r = await console.get("/func/")
    assert r.json()["version"] == "v9.20250722"
    assert (await console.get("/func/ping")).json()["details"] == "Success"


async def test_every_login_gets_a_new_id(console: httpx.AsyncClient, alice) -> None:
    console.cookies.set("AIOHTTP_SESSION", "attacker-chosen-id", domain=WEB_HOST)
    r = await console.post("/server/login", json=LOGIN)
    first = r.cookies["AIOHTTP_SESSION"]
    assert first != "attacker-chosen-id"
    again = await console.post("/server/login", json=LOGIN)
    assert again.status_code == 400
    assert again.json()["title"] == "You have already logged in."
    await console.post("/server/logout")
    second = (await console.post("/server/login", json=LOGIN)).cookies["AIOHTTP_SESSION"]
    assert second != first


async def test_logout_ends_the_session_server_side(
    console: httpx.AsyncClient, alice, services
) -> None:
    r = await console.post("/server/login", json=LOGIN)
    stolen = r.cookies["AIOHTTP_SESSION"]
    r = await console.post("/server/logout")
    assert r.status_code == 200
    assert 'AIOHTTP_SESSION=""' in r.headers["set-cookie"] or "Max-Age=0" in r.headers["set-cookie"]
    # A copy of the old cookie is worthless now.
    r = await console.get("/func/auth/role", headers={"X-BackendAI-SessionID": stolen})
    assert r.status_code == 401
    from sqlalchemy import select

    from portico.db.models import LoginSession

    async with services.database() as db:
        assert await db.scalar(select(LoginSession.ended_at)) is not None  # manager was told


async def test_login_check(console: httpx.AsyncClient, alice) -> None:
    r = await console.post("/server/login-check")
    assert r.json() == {"authenticated": False, "data": None, "session_id": None}
    session_id = (await console.post("/server/login", json=LOGIN)).cookies["AIOHTTP_SESSION"]
    r = await console.post("/server/login-check")
    assert r.json()["authenticated"] is True
    assert r.json()["data"]["role"] == "user"
    assert r.json()["session_id"] is None  # cookie mode: the id stays out of page scripts
    console.cookies.clear()
    r = await console.post("/server/login-check", headers={"X-BackendAI-SessionID": session_id})
    assert r.json()["session_id"] == session_id


async def test_failed_login_body_serves_both_clients(console: httpx.AsyncClient, alice) -> None:
    wrong = await console.post("/server/login", json={**LOGIN, "password": "Wr0ng-pass!"})
    missing = await console.post(
        "/server/login", json={"username": "nobody@example.com", "password": "Wr0ng-pass!"}
    )
    assert wrong.status_code == 401
    assert wrong.content == missing.content
    body = wrong.json()
    assert body["authenticated"] is False
    assert body["data"]["details"] == "User credential mismatch."
    assert body["type"].endswith("/auth-failed")
    assert body["title"]
    assert body["msg"] == "User credential mismatch."
    assert "set-cookie" not in wrong.headers


async def test_encoded_login_body(console: httpx.AsyncClient, alice) -> None:
    import json

    payload = encoded_body.encode(f"http://{WEB_HOST}", json.dumps(LOGIN).encode())
    r = await console.post(
        "/server/login",
        content=payload,
        headers={"X-BackendAI-Encoded": "true", "content-type": "application/octet-stream"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["authenticated"] is True


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b"abc:def", {"X-BackendAI-Encoded": "true"}),
        (b"{not json", {"content-type": "application/json"}),
        (b"[1, 2]", {"content-type": "application/json"}),
        (b'{"username": "alice"}', {"content-type": "application/json"}),
        (b'{"username": 3, "password": 4}', {"content-type": "application/json"}),
    ],
)
async def test_bad_login_bodies_are_400(
    console: httpx.AsyncClient, content: bytes, headers: dict[str, str]
) -> None:
    r = await console.post("/server/login", content=content, headers=headers)
    assert r.status_code == 400
    assert r.json()["authenticated"] is False


@pytest.fixture
def manager_overrides() -> dict[str, dict[str, Any]]:
    return {"session": {"login_allowed_fail_count": 3}}


async def test_blocked_login_says_how_long(console: httpx.AsyncClient, alice) -> None:
    for _ in range(3):
        await console.post("/server/login", json={**LOGIN, "password": "Wr0ng-pass!"})
    r = await console.post("/server/login", json=LOGIN)
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 1000
    assert r.json()["minutes_left"] == 20
    assert r.json()["authenticated"] is False
    assert "20 minute" in r.json()["details"]


async def test_the_last_attempts_are_counted_down_alike_for_any_id(
    console: httpx.AsyncClient, alice
) -> None:
    answers: dict[str, list[httpx.Response]] = {"alice": [], "nobody@example.com": []}
    for _ in range(3):
        for login_id, seen in answers.items():
            seen.append(
                await console.post(
                    "/server/login", json={"username": login_id, "password": "Wr0ng-pass!"}
                )
            )
    left = [r.json()["data"].get("attempts_left") for r in answers["alice"]]
    assert left == [2, 1, None]  # the third failure starts the block; the next answer is 429
    assert [r.json()["data"]["code"] for r in answers["alice"]] == ["credential-mismatch"] * 3
    # Byte for byte the same for an account and for an id nobody has.
    assert [r.content for r in answers["alice"]] == [
        r.content for r in answers["nobody@example.com"]
    ]
    for login_id in answers:
        blocked = await console.post("/server/login", json={"username": login_id, "password": "x"})
        assert blocked.status_code == 429


async def test_manager_unreachable_is_502(
    console: httpx.AsyncClient, web_services: WebServices, alice
) -> None:
    await console.post("/server/login", json=LOGIN)
    from portico.webserver.manager_client import ManagerClient
    from tests.support.services import free_port

    await web_services.manager.close()
    web_services.manager = ManagerClient(f"http://127.0.0.1:{free_port()}")
    for r in (
        await console.get("/func/auth/role"),
        await console.post("/server/logout"),
        await console.get("/func/"),
    ):
        assert r.status_code in (200, 502)
    r = await console.post("/server/login", json=LOGIN)
    assert r.status_code == 502
    assert r.json()["type"].endswith("/bad-gateway")


async def test_a_password_change_keeps_this_session_and_ends_the_others(
    console: httpx.AsyncClient, web_services: WebServices, alice
) -> None:
    other = (await console.post("/server/login", json=LOGIN)).cookies["AIOHTTP_SESSION"]
    console.cookies.clear()
    await console.post("/server/login", json=LOGIN)
    new = "Brand-n3w-secret!"
    r = await console.post(
        "/func/auth/update-password",
        json={"old_password": GOOD_PASSWORD, "new_password": new, "new_password2": new},
    )
    assert r.status_code == 200, r.text
    assert (await console.get("/func/auth/role")).status_code == 200
    r = await console.get("/func/auth/role", headers={"X-BackendAI-SessionID": other})
    assert r.status_code == 401
