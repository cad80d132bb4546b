"""Sign-up cannot squat another person's address, enumerate accounts, or flood a mailbox."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from portico.db.models import OutboxMessage
from portico.manager.container import ManagerServices
from tests.conftest import GOOD_PASSWORD

CONSENT = {"terms_version": "1", "privacy_version": "1"}


@pytest.fixture
def manager_overrides() -> dict[str, Any]:
    return {"signup": {"mode": "open", "email_verification": True}}


def body(email: str, **extra: Any) -> dict[str, Any]:
    return {"email": email, "password": GOOD_PASSWORD, **CONSENT, **extra}


async def mails_to(services: ManagerServices, address: str) -> int:
    async with services.database() as db:
        count = select(func.count()).where(OutboxMessage.to_address == address)
        return int(await db.scalar(count) or 0)


async def test_a_user_name_cannot_be_somebody_elses_address(
    manager: httpx.AsyncClient, services: ManagerServices
) -> None:
    squat = await manager.post(
        "/auth/signup", json=body("mallory@example.com", username="bob@example.com")
    )
    assert squat.status_code == 400
    assert "own e-mail" in squat.json()["title"]
    # Bob signs up later: he gets his account and his mail, and his address is his log-in.
    own = await manager.post("/auth/signup", json=body("bob@example.com"))
    assert own.status_code == 201
    assert await mails_to(services, "bob@example.com") == 1
    users = {u.email: u.username for u in await services.accounts.list_users()}
    assert "mallory@example.com" not in users and users["bob@example.com"] == "bob@example.com"
    # A user name with an @ is allowed when it is one's own address.
    same = await manager.post(
        "/auth/signup", json=body("carol@example.com", username="Carol@Example.com")
    )
    assert same.status_code == 201


async def test_a_registered_address_as_user_name_tells_nothing(
    manager: httpx.AsyncClient, make_account: Any
) -> None:
    await make_account()  # alice@example.com
    registered = await manager.post(
        "/auth/signup", json=body("x1@example.com", username="alice@example.com")
    )
    unregistered = await manager.post(
        "/auth/signup", json=body("x2@example.com", username="nobody@example.com")
    )
    assert registered.status_code == unregistered.status_code == 400
    assert registered.json() == unregistered.json()


async def test_a_taken_user_name_is_reported_as_such(
    manager: httpx.AsyncClient, make_account: Any
) -> None:
    await make_account()  # user name "alice"
    r = await manager.post("/auth/signup", json=body("other@example.com", username="alice"))
    assert r.status_code == 400
    assert r.json()["type"].endswith("/username-already-exists")
    assert "e-mail" not in r.json()["title"].lower() and "email" not in r.json()["title"].lower()


@pytest.mark.parametrize("manager_overrides", [{"signup": {"mode": "invite"}}])
async def test_with_a_bogus_invitation_nothing_about_accounts_shows(
    manager: httpx.AsyncClient, make_account: Any
) -> None:
    await make_account()
    answers = [
        await manager.post("/auth/signup", json=body(email, username=name, token="bogus-token"))
        for email, name in [
            ("alice@example.com", None),
            ("new@example.com", None),
            ("n1@example.com", "alice"),
            ("n2@example.com", "fresh"),
        ]
    ]
    assert {a.status_code for a in answers} == {400}
    assert len({a.text for a in answers}) == 1, [a.text for a in answers]


async def test_sign_ups_per_address_are_limited_and_the_owner_gets_one_notice(
    manager: httpx.AsyncClient, services: ManagerServices, make_account: Any
) -> None:
    await make_account()
    statuses = [
        (await manager.post("/auth/signup", json=body("alice@example.com"))).status_code
        for _ in range(6)
    ]
    assert statuses == [201, 201, 201, 429, 429, 429]
    assert await mails_to(services, "alice@example.com") == 1


@pytest.mark.parametrize(
    "manager_overrides",
    [{"signup": {"mode": "open"}, "email": {"rate_per_client": "5/15minutes"}}],
)
async def test_sign_ups_per_client_are_limited_before_any_hash(
    manager: httpx.AsyncClient, services: ManagerServices
) -> None:
    hashes = 0
    original = services.pool.make

    async def counting(password: str) -> str:
        nonlocal hashes
        hashes += 1
        return await original(password)

    services.pool.make = counting  # type: ignore[method-assign]
    statuses = [
        (await manager.post("/auth/signup", json=body(f"n{i}@example.com"))).status_code
        for i in range(8)
    ]
    assert statuses == [201] * 5 + [429] * 3
    assert hashes == 5  # refused sign-ups cost no hash
