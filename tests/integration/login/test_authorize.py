"""POST /auth/authorize: Backend.AI's body, no enumeration, equal cost, re-hash on log-in."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import bcrypt
import httpx
import pytest
from sqlalchemy import select, update

from portico.db.models import LoginSession, User
from portico.manager.container import ManagerServices
from tests.conftest import GOOD_PASSWORD


def login(username: str, password: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "keypair",
        "domain": "default",
        "username": username,
        "password": password,
        **extra,
    }


async def test_success_returns_the_keypair_in_backendai_shape(
    manager: httpx.AsyncClient, make_account, services: ManagerServices
) -> None:
    account = await make_account()
    r = await manager.post("/auth/authorize", json=login("alice@example.com", GOOD_PASSWORD))
    assert r.status_code == 200
    data = r.json()["data"]
    assert data["response_type"] == "success"
    assert data["type"] == "keypair"
    assert data["access_key"] == account.access_key
    assert data["secret_key"] == account.secret_key
    assert data["role"] == "user"
    assert data["status"] == "active"
    assert len(data["session_token"]) == 64
    # Only the token's hash is kept.
    async with services.database() as db:
        stored = await db.scalar(select(LoginSession.token_hash))
    assert stored == hashlib.sha256(data["session_token"].encode()).hexdigest()


@pytest.mark.parametrize(
    "login_id", ["ALICE@example.COM", "  alice@example.com ", "alice", "Alice"]
)
async def test_log_in_by_email_or_user_name_case_insensitively(
    manager: httpx.AsyncClient, make_account, login_id: str
) -> None:
    await make_account()
    r = await manager.post("/auth/authorize", json=login(login_id, GOOD_PASSWORD))
    assert r.status_code == 200, r.text


async def test_logout_ends_the_login_session(
    manager: httpx.AsyncClient, make_account, services: ManagerServices
) -> None:
    await make_account()
    token = (await manager.post("/auth/authorize", json=login("alice", GOOD_PASSWORD))).json()[
        "data"
    ]["session_token"]
    r = await manager.post("/auth/logout", json={"session_token": token})
    assert r.status_code == 200
    assert r.json() == {}
    async with services.database() as db:
        assert await db.scalar(select(LoginSession.ended_at)) is not None


async def test_wrong_password_missing_account_answer_identically(
    manager: httpx.AsyncClient, make_account
) -> None:
    await make_account()
    wrong = await manager.post("/auth/authorize", json=login("alice", "Wr0ng-pass!"))
    missing = await manager.post("/auth/authorize", json=login("nobody", "Wr0ng-pass!"))
    assert wrong.status_code == missing.status_code == 401
    assert wrong.content == missing.content
    assert wrong.headers == missing.headers
    assert wrong.json()["details"] == "User credential mismatch."


@pytest.mark.parametrize(
    ("status", "details"),
    [
        ("before-verification", "This account needs email verification."),
        ("inactive", "This account is inactive."),
        ("deleted", "This account is inactive."),
    ],
)
async def test_account_state_is_told_only_after_the_right_password(
    manager: httpx.AsyncClient, make_account, services: ManagerServices, status: str, details: str
) -> None:
    await make_account()
    async with services.database.begin() as db:
        await db.execute(update(User).values(status=status))
    wrong = await manager.post("/auth/authorize", json=login("alice", "Wr0ng-pass!"))
    missing = await manager.post("/auth/authorize", json=login("nobody", "Wr0ng-pass!"))
    assert wrong.content == missing.content  # a wrong password reveals nothing
    right = await manager.post("/auth/authorize", json=login("alice", GOOD_PASSWORD))
    assert right.status_code == 401
    assert right.json()["details"] == details


async def test_a_missing_account_costs_the_same_hashing_as_a_wrong_password(
    manager: httpx.AsyncClient, make_account, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_account()
    calls: list[str] = []
    real_checkpw = bcrypt.checkpw
    real_hashpw = bcrypt.hashpw

    def counting_checkpw(password: bytes, hashed: bytes) -> bool:
        calls.append("checkpw")
        return real_checkpw(password, hashed)

    def counting_hashpw(password: bytes, salt: bytes) -> bytes:
        calls.append("hashpw")
        return real_hashpw(password, salt)

    monkeypatch.setattr(bcrypt, "checkpw", counting_checkpw)
    monkeypatch.setattr(bcrypt, "hashpw", counting_hashpw)

    await manager.post("/auth/authorize", json=login("alice", "Wr0ng-pass!"))
    wrong_password = list(calls)
    calls.clear()
    await manager.post("/auth/authorize", json=login("nobody@example.com", "Wr0ng-pass!"))
    missing_account = list(calls)
    assert wrong_password == missing_account == ["checkpw"]


async def test_imported_pbkdf2_hash_logs_in_and_is_rehashed(
    manager: httpx.AsyncClient, make_account, services: ManagerServices
) -> None:
    await make_account()
    salt = secrets.token_bytes(32)
    digest = hashlib.pbkdf2_hmac("sha256", GOOD_PASSWORD.encode(), salt, 1000)
    async with services.database.begin() as db:
        await db.execute(
            update(User).values(password=f"pbkdf2_sha256$1000${salt.hex()}${digest.hex()}")
        )
    r = await manager.post("/auth/authorize", json=login("alice", GOOD_PASSWORD))
    assert r.status_code == 200
    async with services.database() as db:
        stored = await db.scalar(select(User.password))
    assert stored.startswith("$2b$04$")
    assert (
        await manager.post("/auth/authorize", json=login("alice", GOOD_PASSWORD))
    ).status_code == 200


async def test_unsupported_auth_type(manager: httpx.AsyncClient) -> None:
    r = await manager.post("/auth/authorize", json=login("a", "b", type="jwt"))
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"


@pytest.fixture
def manager_overrides() -> dict[str, dict[str, Any]]:
    return {"session": {"login_allowed_fail_count": 3, "login_address_fail_limit": 7}}


async def test_locked_answers_429_with_retry_after_alike_for_missing_ids(
    manager: httpx.AsyncClient, make_account
) -> None:
    await make_account()
    for login_id in ("alice", "nobody"):
        for _ in range(3):
            assert (
                await manager.post("/auth/authorize", json=login(login_id, "x"))
            ).status_code == 401
    locked = await manager.post("/auth/authorize", json=login("alice", GOOD_PASSWORD))
    missing = await manager.post("/auth/authorize", json=login("nobody", GOOD_PASSWORD))
    assert locked.status_code == missing.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert locked.json()["type"].endswith("/too-many-requests")
    assert locked.json()["title"] == missing.json()["title"]


async def test_email_and_user_name_share_one_counter(
    manager: httpx.AsyncClient, make_account
) -> None:
    await make_account()
    for login_id in ("alice", "ALICE@example.com", "alice@example.com"):
        await manager.post("/auth/authorize", json=login(login_id, "x"))
    assert (
        await manager.post("/auth/authorize", json=login("alice", GOOD_PASSWORD))
    ).status_code == 429


async def test_one_address_failing_over_many_ids_is_slowed(
    manager: httpx.AsyncClient,
) -> None:
    statuses = [
        (await manager.post("/auth/authorize", json=login(f"user{i}", "x"))).status_code
        for i in range(9)
    ]
    assert statuses == [401] * 7 + [429] * 2


async def test_an_admin_unlocks_an_account(manager: httpx.AsyncClient, make_account) -> None:
    from tests.conftest import signed

    await make_account()
    root = await make_account(email="root@example.com", username="root", role="superadmin")
    for _ in range(3):
        await manager.post("/auth/authorize", json=login("alice", "x"))
    assert (
        await manager.post("/auth/authorize", json=login("alice", GOOD_PASSWORD))
    ).status_code == 429
    alice_again = await make_account(email="carl@example.com", username="carl")
    r = await signed(manager, "POST", "/admin/unlock-user", alice_again, json={"email": "alice"})
    assert r.status_code == 403  # not for users
    r = await signed(
        manager, "POST", "/admin/unlock-user", root, json={"email": "ALICE@example.com"}
    )
    assert r.status_code == 200
    assert (
        await manager.post("/auth/authorize", json=login("alice", GOOD_PASSWORD))
    ).status_code == 200
