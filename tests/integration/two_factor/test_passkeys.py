"""Passkeys, the server's side (the ceremonies themselves run in Chromium, tests/e2e): the
options a browser gets, the relying party, and every malformed or replayed answer refused."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from portico.db.models import AuthToken, TokenPurpose
from portico.manager.app import CEREMONY_PURPOSES
from portico.manager.container import ManagerServices
from portico.manager.services.passkeys import relying_party
from tests.conftest import Account, signed, step_up


@pytest.fixture
def manager_overrides() -> dict[str, dict[str, Any]]:
    return {"service": {"public_url": "https://console.example.org"}}


@pytest.fixture
async def alice(make_account, manager: httpx.AsyncClient) -> Account:  # type: ignore[no-untyped-def]
    """Alice, who just gave her password again (adding an authenticator needs a step-up)."""
    account: Account = await make_account()
    await step_up(manager, account)
    return account


def client_data(challenge: str, kind: str = "webauthn.get") -> str:
    data = {"type": kind, "challenge": challenge, "origin": "https://console.example.org"}
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_the_relying_party_is_the_public_urls_host_name_never_an_address() -> None:
    assert relying_party("https://console.example.org") == (
        "console.example.org",
        "https://console.example.org",
    )
    assert relying_party("http://localhost:8090") == ("localhost", "http://localhost:8090")
    assert relying_party("http://127.0.0.1:8090") is None
    assert relying_party("http://[::1]:8090") is None


async def test_registration_options_ask_for_a_discoverable_verified_credential(
    manager: httpx.AsyncClient, alice: Account
) -> None:
    r = await signed(manager, "POST", "/portico/passkeys/register-options", alice)
    assert r.status_code == 200, r.text
    options = r.json()
    assert options["rp"] == {"id": "console.example.org", "name": "console.example.org"}
    assert options["user"]["name"] == alice.email
    selection = options["authenticatorSelection"]
    assert selection["residentKey"] == "required"
    assert selection["userVerification"] == "required"
    assert len(base64.urlsafe_b64decode(options["challenge"] + "==")) == 32
    second = await signed(manager, "POST", "/portico/passkeys/register-options", alice)
    assert second.json()["challenge"] != options["challenge"]


async def test_login_options_name_no_account(console: httpx.AsyncClient) -> None:
    r = await console.post("/func/portico/passkeys/login-options")
    assert r.status_code == 200
    options = r.json()
    assert options["rpId"] == "console.example.org"
    assert options.get("allowCredentials", []) == []
    assert options["userVerification"] == "required"


async def test_the_passkey_log_in_is_never_relayed(console: httpx.AsyncClient) -> None:
    r = await console.post("/func/portico/passkeys/login", json={"credential": {}})
    assert r.status_code == 403


async def test_forged_unknown_and_replayed_answers_are_refused_alike(
    console: httpx.AsyncClient, services: ManagerServices
) -> None:
    challenge = (await console.post("/func/portico/passkeys/login-options")).json()["challenge"]
    forged = {
        "id": "AAAA",
        "rawId": "AAAA",
        "type": "public-key",
        "response": {
            "clientDataJSON": client_data(challenge),
            "authenticatorData": "AAAA",
            "signature": "AAAA",
            "userHandle": "AAAA",
        },
    }
    first = await console.post("/server/login-passkey", json={"credential": forged})
    assert first.status_code == 401 and first.json()["authenticated"] is False
    assert "set-cookie" not in first.headers
    # The challenge was spent by that answer: the same one again is refused the same way.
    again = await console.post("/server/login-passkey", json={"credential": forged})
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    unknown = {**forged, "response": {**forged["response"], "clientDataJSON": client_data("x")}}
    third = await console.post("/server/login-passkey", json={"credential": unknown})
    assert (third.status_code, third.json()) == (first.status_code, first.json())


async def test_malformed_bodies_are_clear_400s(
    console: httpx.AsyncClient, manager: httpx.AsyncClient, alice: Account
) -> None:
    for body in (b"", b"[]", b"{", json.dumps({"credential": "x"}).encode()):
        r = await console.post(
            "/server/login-passkey", content=body, headers={"content-type": "application/json"}
        )
        assert r.status_code == 400, (body, r.text)
    for payload in ({}, {"name": "x" * 65, "credential": {}}, {"credential": {"response": 1}}):
        r = await signed(manager, "POST", "/portico/passkeys", alice, json=payload)
        assert r.status_code == 400, (payload, r.text)
    gone = await signed(manager, "DELETE", "/portico/passkeys/999", alice)
    assert gone.status_code == 404


@pytest.mark.parametrize(
    "manager_overrides",
    [
        {"service": {"public_url": "https://console.example.org"}, "auth": {"passkeys": False}},
        {"service": {"public_url": "http://10.0.0.5:8090"}},
    ],
)
async def test_off_or_without_a_host_name_passkeys_are_not_offered(
    console: httpx.AsyncClient, manager: httpx.AsyncClient, alice: Account
) -> None:
    assert (await console.get("/config.json")).json()["twoFactor"]["passkeys"] is False
    assert (await console.post("/func/portico/passkeys/login-options")).status_code == 403
    r = await signed(manager, "POST", "/portico/passkeys/register-options", alice)
    assert r.status_code == 403


async def test_challenges_for_anonymous_log_ins_are_rate_limited_per_address(
    console: httpx.AsyncClient,
) -> None:
    answers = [
        (await console.post("/func/portico/passkeys/login-options")).status_code for _ in range(31)
    ]
    assert answers[:30] == [200] * 30
    assert answers[30] == 429


async def test_expired_ceremony_tokens_are_purged_and_other_tokens_kept(
    services: ManagerServices,
) -> None:
    for purpose in (*CEREMONY_PURPOSES, TokenPurpose.INVITATION):
        await services.tokens.issue(purpose, ttl=-1)  # expired already
    live = await services.tokens.issue(TokenPurpose.PASSKEY_LOGIN, ttl=300)
    assert await services.tokens.purge_expired(CEREMONY_PURPOSES) == len(CEREMONY_PURPOSES)
    async with services.database() as db:
        left = (
            await db.execute(select(AuthToken.purpose, func.count()).group_by(AuthToken.purpose))
        ).all()
    assert dict(left) == {"invitation": 1, "passkey-login": 1}
    await services.tokens.check(TokenPurpose.PASSKEY_LOGIN, live)
