"""Hostile input that once got a 5xx: every one now gets a clear 4xx and changes nothing.

Each test runs on SQLite and PostgreSQL (PostgreSQL refuses NUL in text; its columns have
hard lengths).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from portico.manager.container import ManagerServices
from portico.sessions.factory import build_session_store
from portico.webserver.app import create_app as create_web_app
from portico.webserver.container import WebServices
from tests.conftest import GOOD_PASSWORD
from tests.integration.webserver.test_bad_input import assert_problem

LOGIN = {"username": "alice@example.com", "password": GOOD_PASSWORD}


@pytest.fixture
async def alice(make_account):  # type: ignore[no-untyped-def]
    return await make_account()


@pytest.fixture
async def logged_in(console: httpx.AsyncClient, alice) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    r = await console.post("/server/login", json=LOGIN)
    assert r.status_code == 200, r.text
    return console


async def test_deeply_nested_json_is_400(console: httpx.AsyncClient, manager) -> None:  # type: ignore[no-untyped-def]
    deep = b"[" * 100_000 + b"]" * 100_000
    headers = {"content-type": "application/json"}
    r = await console.post("/server/login", content=deep, headers=headers)
    assert r.status_code == 400 and r.json()["authenticated"] is False
    assert_problem(await manager.post("/auth/authorize", content=deep, headers=headers), 400)


@pytest.mark.parametrize("field", ["username", "password"])
async def test_nul_in_a_log_in_is_400_and_the_account_still_works(
    console: httpx.AsyncClient, manager: httpx.AsyncClient, alice: Any, field: str
) -> None:
    bad = {**LOGIN, field: LOGIN[field][:3] + "\x00" + LOGIN[field][3:]}
    assert_problem(await manager.post("/auth/authorize", json={**bad, "type": "keypair"}), 400)
    r = await console.post("/server/login", json=bad)
    assert r.status_code == 400, r.text
    assert (await console.post("/server/login", json=LOGIN)).status_code == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/auth/signup", {"email": "a\x00@example.com", "password": GOOD_PASSWORD}),
        ("/cloud/send-password-change-email", {"email": "alice\x00@example.com"}),
        ("/cloud/send-verification-email", {"email": "alice\x00@example.com"}),
        ("/cloud/verify-email", {"verification_code": "abc\x00def"}),
        (
            "/cloud/change-password",
            {"email": "alice@example.com", "password": GOOD_PASSWORD, "token": "t\x00"},
        ),
    ],
)
async def test_nul_in_e_mail_and_token_fields_is_400(
    manager: httpx.AsyncClient, path: str, body: dict[str, str]
) -> None:
    assert_problem(await manager.post(path, json=body), 400)


async def test_nul_in_a_path_or_query_is_400(
    console: httpx.AsyncClient, manager: httpx.AsyncClient
) -> None:
    assert_problem(await console.get("/js/%00.js"), 400)
    assert_problem(await manager.get("/portico/documents/terms?lang=%00"), 400)


@pytest.mark.parametrize("length", [321, 400, 512])
async def test_an_overlong_log_in_id_is_400(
    manager: httpx.AsyncClient, console: httpx.AsyncClient, alice: Any, length: int
) -> None:
    login = {"username": "a" * (length - 12) + "@example.com", "password": "x"}
    assert_problem(await manager.post("/auth/authorize", json={**login, "type": "keypair"}), 400)
    assert (await console.post("/server/login", json=login)).status_code == 400
    assert (await console.post("/server/login", json=LOGIN)).status_code == 200


async def test_an_overlong_static_path_is_404(console: httpx.AsyncClient) -> None:
    assert_problem(await console.get("/js/" + "a" * 5000 + ".js"), 404)
    assert_problem(await console.get("/" + "/".join(["abcdefgh"] * 600) + ".css"), 404)


async def test_an_encoded_slash_after_func_is_relayed_to_that_path(
    logged_in: httpx.AsyncClient,
) -> None:
    r = await logged_in.get("/func%2fauth/role")
    assert r.status_code == 200, r.text  # the manager's /auth/role, for this session
    assert r.json()["global_role"] == "user"
    r = await logged_in.get("/func%2fadmin/pending-users")
    assert r.status_code == 403, r.text  # relayed, and refused to a non-admin by the manager


@pytest.mark.parametrize(
    "path", ["/func%2f@evil.example:1/x", "/func/@127.0.0.1:1/x", "/func//evil.example/x"]
)
async def test_the_relay_cannot_be_pointed_at_another_host(
    logged_in: httpx.AsyncClient, path: str
) -> None:
    r = await logged_in.get(path)
    # Answered by our manager (no such route), never a connection attempt elsewhere (502).
    assert_problem(r, 404)


async def test_a_streamed_body_over_1_mib_to_the_relay_is_413(
    logged_in: httpx.AsyncClient,
) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(20):
            yield b"x" * 65536

    r = await logged_in.post(
        "/func/auth/update-full-name",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert_problem(r, 413)


async def test_content_type_with_parameters_is_relayed_and_verified(
    logged_in: httpx.AsyncClient,
) -> None:
    r = await logged_in.post(
        "/func/auth/update-full-name",
        content=b'{"email": "alice@example.com", "full_name": "Alice Liddell"}',
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert r.status_code == 200, r.text


async def test_two_concurrent_sign_ups_of_one_new_address(
    manager: httpx.AsyncClient, services: ManagerServices
) -> None:
    services.settings.signup.mode = "open"
    body = {
        "email": "twin@example.com",
        "password": GOOD_PASSWORD,
        "terms_version": "1",
        "privacy_version": "1",
    }
    # Three at once: the per-address limit on sign-ups lets three through a window.
    answers = await asyncio.gather(*(manager.post("/auth/signup", json=body) for _ in range(3)))
    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    users = await services.accounts.list_users()
    assert [u.email for u in users].count("twin@example.com") == 1


async def test_config_json_is_never_cached(console: httpx.AsyncClient) -> None:
    r = await console.get("/config.json", headers={"host": "console.example.org"})
    assert r.json()["apiEndpoint"] == "http://console.example.org"
    assert r.headers["cache-control"] == "no-store"
    assert "host" in r.headers["vary"].lower()


async def test_the_webserver_purges_expired_browser_sessions(
    web_services: WebServices, alice: Any
) -> None:
    settings = web_services.settings
    past = time.time() - settings.session.max_age - 60
    # A session made long ago, past its absolute end.
    old_store = build_session_store(settings, clock=lambda: past)
    user = (await web_services.manager.call("POST", "/auth/authorize", json={**LOGIN})).body
    grant = user["data"]
    session = old_store.start(
        user_id=grant["user_id"],
        email="alice@example.com",
        role="user",
        status="active",
        access_key=grant["access_key"],
        secret_key=grant["secret_key"],
        manager_token="",
    )
    await old_store.create(session)
    assert await old_store._user_records(grant["user_id"])
    if settings.session.store != "sql":
        pytest.skip("Redis expires sessions itself")

    app = create_web_app(settings)
    async with app.router.lifespan_context(app):  # starting up begins the purge
        await asyncio.sleep(0.5)
    assert await old_store._user_records(grant["user_id"]) == []
    await old_store.close()
