"""Tokens: expired, reused, superseded, revoked, bound to an address, and raced."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from portico.db.models import TokenPurpose
from portico.manager.container import ManagerServices
from portico.manager.credentials.tokens import TokenService
from portico.manager.errors import InvalidToken
from tests.conftest import GOOD_PASSWORD


class Clock:
    now = 2_000_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_expired_reused_revoked_and_wrong_purpose(services: ManagerServices) -> None:
    clock = Clock()
    tokens = TokenService(services.database, clock=clock)
    token = await tokens.issue(TokenPurpose.INVITATION, ttl=60, uses=2)
    with pytest.raises(InvalidToken):
        await tokens.use(TokenPurpose.RESET, token)  # another purpose
    await tokens.use(TokenPurpose.INVITATION, token)
    clock.now += 61
    with pytest.raises(InvalidToken):
        await tokens.use(TokenPurpose.INVITATION, token)  # expired with one use left

    once = await tokens.issue(TokenPurpose.INVITATION, ttl=60)
    await tokens.use(TokenPurpose.INVITATION, once)
    with pytest.raises(InvalidToken):
        await tokens.use(TokenPurpose.INVITATION, once)  # reused

    revoked = await tokens.issue(TokenPurpose.INVITATION, ttl=60, uses=5)
    [info] = [t for t in await tokens.all_for(TokenPurpose.INVITATION) if t.max_uses == 5]
    assert await tokens.revoke(info.id, TokenPurpose.INVITATION)
    with pytest.raises(InvalidToken):
        await tokens.use(TokenPurpose.INVITATION, revoked)
    for junk in ("", "x" * 300, "not-a-token"):
        with pytest.raises(InvalidToken):
            await tokens.use(TokenPurpose.INVITATION, junk)


async def test_only_the_hash_is_stored(services: ManagerServices) -> None:
    from sqlalchemy import select

    from portico.db.models import AuthToken

    token = await services.tokens.issue(TokenPurpose.INVITATION, ttl=60)
    async with services.database() as db:
        stored = (await db.scalars(select(AuthToken.token_hash))).all()
    assert token not in stored
    assert len(token) >= 43  # 256 bits


async def test_superseded_reset_tokens(services: ManagerServices, make_account) -> None:
    await make_account()
    [user] = await services.accounts.list_users()
    first = await services.tokens.issue(
        TokenPurpose.RESET, ttl=60, user_id=user.user_id, supersede=True
    )
    second = await services.tokens.issue(
        TokenPurpose.RESET, ttl=60, user_id=user.user_id, supersede=True
    )
    with pytest.raises(InvalidToken):
        await services.tokens.use(TokenPurpose.RESET, first)
    await services.tokens.use(TokenPurpose.RESET, second)


async def test_concurrent_double_use_of_a_single_use_token(services: ManagerServices) -> None:
    token = await services.tokens.issue(TokenPurpose.VERIFICATION, ttl=60, user_id=None)
    results = await asyncio.gather(
        *(services.tokens.use(TokenPurpose.VERIFICATION, token) for _ in range(10)),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, InvalidToken) for r in results if isinstance(r, Exception))


@pytest.fixture
def manager_overrides() -> dict[str, Any]:
    return {"signup": {"mode": "invite", "email_verification": False}, "email": {"backend": "file"}}


async def test_an_n_use_invitation_admits_exactly_n_concurrent_signups(
    console: httpx.AsyncClient, services: ManagerServices
) -> None:
    token = await services.tokens.issue(TokenPurpose.INVITATION, ttl=600, uses=3)

    async def attempt(i: int) -> int:
        r = await console.post(
            "/func/auth/signup",
            json={
                "email": f"racer{i}@example.com",
                "password": GOOD_PASSWORD,
                "token": token,
                "terms_version": "1",
                "privacy_version": "1",
            },
        )
        return r.status_code

    statuses = await asyncio.gather(*(attempt(i) for i in range(8)))
    assert sorted(statuses) == [201] * 3 + [400] * 5
    assert (
        len([u for u in await services.accounts.list_users() if u.email.startswith("racer")]) == 3
    )


async def test_an_invitation_bound_to_an_address(
    console: httpx.AsyncClient, services: ManagerServices
) -> None:
    token = await services.tokens.issue(TokenPurpose.INVITATION, ttl=600, email="kim@example.com")
    body = {"password": GOOD_PASSWORD, "token": token, "terms_version": "1", "privacy_version": "1"}
    r = await console.post("/func/auth/signup", json={**body, "email": "lee@example.com"})
    assert r.status_code == 400
    r = await console.post("/func/auth/signup", json={**body, "email": "KIM@example.com"})
    assert r.status_code == 201
    r = await console.post(
        "/server/login", json={"username": "kim@example.com", "password": GOOD_PASSWORD}
    )
    assert r.status_code == 200  # verification is off in this module


async def test_an_invitation_puts_the_new_account_in_its_project(
    console: httpx.AsyncClient, manager: httpx.AsyncClient, services: ManagerServices
) -> None:
    from sqlalchemy import select

    from portico.db.models import Group

    await services.projects.create("lab-a", "Lab A")
    token = await services.tokens.issue(TokenPurpose.INVITATION, ttl=600, group_name="lab-a")
    r = await console.post(
        "/func/auth/signup",
        json={
            "email": "mo@example.com",
            "password": GOOD_PASSWORD,
            "token": token,
            "terms_version": "1",
            "privacy_version": "1",
        },
    )
    assert r.status_code == 201
    await console.post(
        "/server/login", json={"username": "mo@example.com", "password": GOOD_PASSWORD}
    )
    async with services.database() as db:
        lab = await db.scalar(select(Group.id).where(Group.name == "lab-a"))
    r = await console.get(f"/func/auth/role?group={lab}")
    assert r.json()["group_role"] == "user"
