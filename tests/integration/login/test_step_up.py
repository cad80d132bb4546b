"""Step-up: adding an authenticator (an app, a passkey) or replacing the API keypair needs the
password or a code given again within [auth] step_up_seconds, by this very browser session
(or API key): a stolen cookie or a minute at an unlocked machine is not enough."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pyotp
import pytest

from portico.manager.container import ManagerServices
from portico.webserver.app import create_app as create_web_app
from portico.webserver.container import WebServices
from tests.conftest import GOOD_PASSWORD, WEB_HOST, Account, signed, step_up

LOGIN = {"username": "alice@example.com", "password": GOOD_PASSWORD}
GUARDED = [
    ("POST", "/func/portico/two-factor/totp", None),
    ("POST", "/func/portico/passkeys/register-options", None),
    ("POST", "/server/replace-keypair", None),
]


@pytest.fixture
def manager_overrides() -> dict[str, dict[str, Any]]:
    return {"service": {"public_url": "https://console.example.org"}}


@pytest.fixture
async def alice(make_account) -> Account:  # type: ignore[no-untyped-def]
    return await make_account()


def another_browser(web: WebServices) -> httpx.AsyncClient:
    app = create_web_app(web.settings, web)
    transport = httpx.ASGITransport(app=app, client=("192.0.2.66", 52000))
    return httpx.AsyncClient(transport=transport, base_url=f"http://{WEB_HOST}")


async def test_a_bare_session_is_asked_for_the_password_first(
    console: httpx.AsyncClient, alice: Account
) -> None:
    assert (await console.post("/server/login", json=LOGIN)).json()["authenticated"]
    for method, path, body in GUARDED:
        r = await console.request(method, path, json=body)
        assert r.status_code == 401, (path, r.text)
        problem = r.json()
        assert problem["type"].endswith("/step-up-required")
        assert problem["methods"] == ["password"]
        assert problem["seconds"] == 300
        assert "password" in problem["details"]
    # The session itself is not ended by the refusal.
    assert (await console.get("/func/portico/me")).status_code == 200

    again = await console.post("/func/portico/step-up", json={"password": GOOD_PASSWORD})
    assert again.status_code == 200, again.text
    assert again.json()["seconds"] == 300
    for method, path, body in GUARDED:
        r = await console.request(method, path, json=body)
        assert r.status_code == 200, (path, r.text)


async def test_a_step_up_holds_for_its_own_browser_session_only(
    console: httpx.AsyncClient, web_services: WebServices, alice: Account
) -> None:
    await console.post("/server/login", json=LOGIN)
    async with another_browser(web_services) as thief:  # the same account, another cookie
        await thief.post("/server/login", json=LOGIN)
        assert (
            await console.post("/func/portico/step-up", json={"password": GOOD_PASSWORD})
        ).status_code == 200
        r = await thief.post("/func/portico/two-factor/totp")
        assert r.status_code == 401 and r.json()["type"].endswith("/step-up-required")
    assert (await console.post("/func/portico/two-factor/totp")).status_code == 200


async def test_a_wrong_password_steps_nothing_up_and_counts_toward_the_lock_out(
    console: httpx.AsyncClient, services: ManagerServices, alice: Account
) -> None:
    await console.post("/server/login", json=LOGIN)
    for _ in range(10):
        wrong = await console.post("/func/portico/step-up", json={"password": "Wr0ng-pass!"})
        assert wrong.status_code == 401
    blocked = await console.post("/func/portico/step-up", json={"password": GOOD_PASSWORD})
    assert blocked.status_code == 429
    assert (await console.post("/func/portico/two-factor/totp")).status_code == 401


async def test_bad_step_up_bodies_are_400(console: httpx.AsyncClient, alice: Account) -> None:
    await console.post("/server/login", json=LOGIN)
    for body in ({}, {"password": GOOD_PASSWORD, "code": "123456"}, {"password": 7}):
        r = await console.post("/func/portico/step-up", json=body)
        assert r.status_code == 400, (body, r.text)
    r = await console.post("/func/portico/step-up", json={"code": "123456"})
    assert r.status_code == 400  # no authenticator app to give a code of


@pytest.mark.parametrize(
    "manager_overrides",
    [{"service": {"public_url": "https://console.example.org"}, "auth": {"step_up_seconds": 1}}],
)
async def test_a_step_up_ends_after_step_up_seconds(
    manager: httpx.AsyncClient, alice: Account
) -> None:
    await step_up(manager, alice)
    assert (await signed(manager, "POST", "/portico/two-factor/totp", alice)).status_code == 200
    await asyncio.sleep(1.5)
    late = await signed(manager, "POST", "/portico/two-factor/totp", alice)
    assert late.status_code == 401 and late.json()["seconds"] == 1


async def test_a_code_of_the_app_steps_up_once(manager: httpx.AsyncClient, alice: Account) -> None:
    """An API client (signing with its own keypair) steps up for its key; a code counts."""
    await step_up(manager, alice)
    secret = (await signed(manager, "POST", "/portico/two-factor/totp", alice)).json()["secret"]
    confirm = {"code": pyotp.TOTP(secret).now()}
    assert (
        await signed(manager, "POST", "/portico/two-factor/totp/confirm", alice, json=confirm)
    ).status_code == 200
    # A password change ends the step-up.
    changed = await signed(
        manager,
        "POST",
        "/auth/update-password",
        alice,
        json={
            "old_password": GOOD_PASSWORD,
            "new_password": "Brand-n3w-secret!",
            "new_password2": "Brand-n3w-secret!",
        },
    )
    assert changed.status_code == 200, changed.text
    refused = await signed(manager, "POST", "/portico/passkeys/register-options", alice)
    assert refused.status_code == 401
    assert refused.json()["methods"] == ["password", "totp"]
    next_code = pyotp.TOTP(secret).at(time.time() + 30)
    by_code = await signed(manager, "POST", "/portico/step-up", alice, json={"code": next_code})
    assert by_code.status_code == 200, by_code.text
    assert (
        await signed(manager, "POST", "/portico/passkeys/register-options", alice)
    ).status_code == 200
    reused = await signed(manager, "POST", "/portico/step-up", alice, json={"code": next_code})
    assert reused.status_code == 401  # used up
