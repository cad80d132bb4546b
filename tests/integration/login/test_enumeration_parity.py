"""Sign-up, verification resend and reset request answer byte-for-byte alike for an existing,
a missing, an unverified and a locked address; and every switch off means 403."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import update

from portico.db.models import User
from portico.manager.container import ManagerServices
from tests.conftest import GOOD_PASSWORD

CONSENT = {"terms_version": "1", "privacy_version": "1"}


@pytest.fixture
def manager_overrides() -> dict[str, Any]:
    return {
        "signup": {"mode": "open", "email_verification": True},
        "recovery": {"enabled": True},
        "email": {"backend": "file"},
        "session": {"login_allowed_fail_count": 3},
    }


@pytest.fixture
async def addresses(
    make_account, services: ManagerServices, console: httpx.AsyncClient
) -> dict[str, str]:
    await make_account(email="existing@example.com", username="existing")
    await make_account(email="unverified@example.com", username="unverified")
    await make_account(email="locked@example.com", username="locked")
    async with services.database.begin() as db:
        await db.execute(
            update(User)
            .where(User.email == "unverified@example.com")
            .values(status="before-verification")
        )
    for _ in range(3):
        await console.post("/server/login", json={"username": "locked", "password": "Wr0ng-pass!"})
    locked = await console.post(
        "/server/login", json={"username": "locked", "password": GOOD_PASSWORD}
    )
    assert locked.status_code == 429
    return {
        "existing": "existing@example.com",
        "missing": "missing@example.com",
        "unverified": "unverified@example.com",
        "locked": "locked@example.com",
    }


def fingerprint(r: httpx.Response) -> tuple[int, bytes, tuple[tuple[str, str], ...]]:
    headers = tuple(sorted((k, v) for k, v in r.headers.items() if k != "date"))
    return r.status_code, r.content, headers


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/func/auth/signup", lambda email: {"email": email, "password": GOOD_PASSWORD, **CONSENT}),
        ("/func/cloud/send-verification-email", lambda email: {"email": email}),
        ("/func/cloud/send-password-change-email", lambda email: {"email": email}),
    ],
)
async def test_answers_are_identical_whoever_the_address_belongs_to(
    console: httpx.AsyncClient, addresses: dict[str, str], path: str, body
) -> None:
    answers = {
        kind: await console.post(path, json=body(email)) for kind, email in addresses.items()
    }
    prints = {kind: fingerprint(r) for kind, r in answers.items()}
    assert answers["missing"].status_code in (200, 201)
    assert len(set(prints.values())) == 1, prints


async def test_only_the_owner_hears_of_a_repeated_signup(
    console: httpx.AsyncClient, addresses: dict[str, str], services: ManagerServices
) -> None:
    from sqlalchemy import select

    from portico.db.models import OutboxMessage

    await console.post(
        "/func/auth/signup",
        json={"email": "existing@example.com", "password": GOOD_PASSWORD, **CONSENT},
    )
    async with services.database() as db:
        subjects = (
            await db.scalars(
                select(OutboxMessage.subject).where(
                    OutboxMessage.to_address == "existing@example.com"
                )
            )
        ).all()
    assert any("Sign-up attempt" in s for s in subjects)
    users = await services.accounts.list_users()
    assert sum(u.email == "existing@example.com" for u in users) == 1


async def test_requests_are_rate_limited_per_address(console: httpx.AsyncClient) -> None:
    statuses = [
        (
            await console.post(
                "/func/cloud/send-password-change-email", json={"email": "someone@example.com"}
            )
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
