"""Second-factor codes: any script's digits are taken, anything else is a clear 4xx, and wrong
codes count against the account alone whatever the lock-out scope."""

from __future__ import annotations

import string
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from portico.manager.app import create_app
from portico.manager.container import ManagerServices
from tests.conftest import GOOD_PASSWORD, MANAGER_HOST, Account, signed, step_up
from tests.integration.two_factor.test_two_factor import code, enrol

LOGIN = {"type": "keypair", "domain": "default", "username": "alice@example.com"}
ARABIC_INDIC = str.maketrans(string.digits, "".join(chr(0x0660 + d) for d in range(10)))
FULLWIDTH = str.maketrans(string.digits, "".join(chr(0xFF10 + d) for d in range(10)))


@pytest.fixture
def manager_overrides() -> dict[str, dict[str, Any]]:
    return {
        "auth": {"two_factor": "optional"},
        "service": {"public_url": "https://console.example.org"},
        "session": {"lockout_scope": "account_and_address", "login_address_fail_limit": 1000},
    }


@pytest.fixture
async def alice(make_account, manager: httpx.AsyncClient) -> Account:  # type: ignore[no-untyped-def]
    """Alice, who just gave her password again (adding an authenticator needs a step-up)."""
    account: Account = await make_account()
    await step_up(manager, account)
    return account


def from_address(services: ManagerServices, address: str) -> httpx.AsyncClient:
    app = create_app(services.settings, services)
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url=f"http://{MANAGER_HOST}")


async def authorize(client: httpx.AsyncClient, **fields: str) -> httpx.Response:
    return await client.post("/auth/authorize", json={**LOGIN, "password": GOOD_PASSWORD, **fields})


@pytest.mark.parametrize("script", [ARABIC_INDIC, FULLWIDTH], ids=["arabic-indic", "fullwidth"])
async def test_a_code_in_another_scripts_digits_logs_in(
    manager: httpx.AsyncClient, alice: Account, script: dict[int, str]
) -> None:
    secret, _ = await enrol(manager, alice)
    r = await authorize(manager, otp=code(secret, 1).translate(script))
    assert r.status_code == 200, r.text
    assert r.json()["data"]["access_key"]


async def test_wrong_codes_from_many_addresses_lock_the_account_itself(
    manager: httpx.AsyncClient, services: ManagerServices, alice: Account
) -> None:
    """The attacker has the password and 8 addresses; after 10 wrong codes in all, no address
    gets another code checked, the owner's included, and the answer is 429 whatever the
    password (so the block is no oracle for it)."""
    secret, _ = await enrol(manager, alice)
    statuses = []
    for n in range(10):
        async with from_address(services, f"198.51.100.{n % 8 + 1}") as client:
            statuses.append((await authorize(client, otp="000000")).status_code)
    assert statuses == [401] * 10
    async with from_address(services, "192.0.2.200") as owner:
        right = await authorize(owner, otp=code(secret, 1))
        wrong_password = await authorize(owner, password="Wr0ng-pass!", otp=code(secret, 1))
    assert right.status_code == 429
    assert wrong_password.status_code == 429
    assert right.json() == wrong_password.json()


async def test_wrong_passwords_still_count_per_address(
    manager: httpx.AsyncClient, services: ManagerServices, alice: Account
) -> None:
    """The password step keeps its scope: a stranger's wrong passwords do not lock the owner."""
    for _ in range(10):
        async with from_address(services, "198.51.100.9") as stranger:
            await authorize(stranger, password="Wr0ng-pass!")
    async with from_address(services, "198.51.100.9") as stranger:
        assert (await authorize(stranger)).status_code == 429
    assert (await authorize(manager)).status_code == 200


_TEXT = st.text(st.characters(codec="utf-8"), max_size=40) | st.text(max_size=40)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=_TEXT)
@example(value="١٢٣٤٥٦")  # a six-digit code in Arabic-Indic digits
@example(value="\uff45\uff46")  # fullwidth letters
@example(value="é€")
async def test_no_unicode_in_a_code_token_or_id_field_gets_a_server_error(
    manager: httpx.AsyncClient, alice: Account, value: str
) -> None:
    anonymous: list[tuple[str, dict[str, Any]]] = [
        ("/auth/authorize", {**LOGIN, "password": GOOD_PASSWORD, "otp": value}),
        ("/auth/authorize", {**LOGIN, "username": value or "x", "password": value or "x"}),
        ("/portico/two-factor/setup/totp", {"token": value or "x"}),
        ("/portico/two-factor/setup/totp/confirm", {"token": value or "x", "code": value or "1"}),
        ("/cloud/verify-email", {"verification_code": value}),
        ("/cloud/change-password", {"email": value, "password": value, "token": value}),
        ("/cloud/send-password-change-email", {"email": value}),
        ("/auth/signup", {"email": value, "password": value, "token": value}),
    ]
    # An enrolment begun: a code sent to confirm it is checked against a real secret.
    assert (await signed(manager, "POST", "/portico/two-factor/totp", alice)).status_code == 200
    for path, body in anonymous:
        r = await manager.post(path, json=body)
        assert r.status_code < 500, (path, value, r.status_code, r.text)
    signed_calls: list[tuple[str, str, dict[str, Any] | None]] = [
        ("POST", "/portico/two-factor/totp/confirm", {"code": value or "1"}),
        ("POST", "/portico/two-factor/totp/disable", {"password": value or "x", "code": value}),
        ("POST", "/portico/two-factor/recovery-codes", {"password": value or "x", "code": value}),
        ("POST", "/portico/step-up", {"password": value}),
        ("POST", "/portico/step-up", {"code": value}),
    ]
    for method, path, body in signed_calls:
        r = await signed(manager, method, path, alice, json=body)
        assert r.status_code < 500, (path, value, r.status_code, r.text)
    # A signature of any characters (sent as UTF-8 bytes, read by the server as Latin-1).
    authorization = f"BackendAI signMethod=HMAC-SHA256, credential={alice.access_key}:{value}"
    forged = await signed(
        manager,
        "GET",
        "/auth/role",
        alice,
        Authorization=authorization.encode("utf-8", "replace"),  # type: ignore[arg-type]
    )
    assert forged.status_code < 500, (value, forged.text)
