"""Signed manager routes and the HMAC checks in front of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.conftest import GOOD_PASSWORD, Account, signed


@pytest.fixture
async def alice(make_account) -> Account:
    return await make_account()


async def test_role_of_a_user_and_of_a_superadmin(
    manager: httpx.AsyncClient, alice: Account, make_account
) -> None:
    r = await signed(manager, "GET", "/auth/role", alice)
    assert r.status_code == 200
    assert r.json() == {"global_role": "user", "domain_role": "user", "group_role": None}
    root = await make_account(email="root@example.com", username="root", role="superadmin")
    r = await signed(manager, "GET", "/auth/role", root)
    assert r.json()["global_role"] == "superadmin"
    assert r.json()["domain_role"] == "admin"


async def test_group_role_for_a_member(
    manager: httpx.AsyncClient, alice: Account, services
) -> None:
    from sqlalchemy import select

    from portico.db.models import Group

    async with services.database() as db:
        group_id = await db.scalar(select(Group.id).where(Group.name == "default"))
    r = await signed(manager, "GET", f"/auth/role?group={group_id}", alice)
    assert r.status_code == 200
    assert r.json()["group_role"] == "user"
    r = await signed(manager, "GET", "/auth/role?group=not-a-uuid", alice)
    assert r.status_code == 400


async def test_echo(manager: httpx.AsyncClient, alice: Account) -> None:
    r = await signed(manager, "GET", "/auth?echo=hi", alice)
    assert r.json() == {"authorized": "yes", "echo": "hi"}
    r = await signed(manager, "POST", "/auth", alice, json={"echo": "there"})
    assert r.json() == {"authorized": "yes", "echo": "there"}


async def test_wrong_secret_is_401(manager: httpx.AsyncClient, alice: Account) -> None:
    r = await signed(manager, "GET", "/auth/role", alice, secret_key="x" * 40)
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == "https://api.backend.ai/probs/auth-failed"


async def test_unknown_access_key_and_no_signature_are_401(
    manager: httpx.AsyncClient, alice: Account
) -> None:
    stranger = Account("x", "x", "x", "AKIA" + "Z" * 16, alice.secret_key)
    assert (await signed(manager, "GET", "/auth/role", stranger)).status_code == 401
    assert (await manager.get("/auth/role")).status_code == 401


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"X-BackendAI-Version": "v99.20990101"}, 400),
        ({"X-BackendAI-Version": ""}, 400),
        ({"Date": "yesterday"}, 400),
        ({"Date": "16 minutes ago"}, 400),
        ({"Date": "16 minutes ahead"}, 400),
        ({"Authorization": "BackendAI garbage"}, 400),
        ({"Authorization": "BackendAI signMethod=HMAC-MD5, credential=AKIA:00"}, 400),
    ],
)
async def test_bad_signature_headers_are_4xx_problems(
    manager: httpx.AsyncClient, alice: Account, overrides: dict[str, str], status: int
) -> None:
    skew = {"16 minutes ago": -16, "16 minutes ahead": 16}
    if overrides.get("Date") in skew:  # computed now: the suite may run long after collection
        when = datetime.now(UTC) + timedelta(minutes=skew[overrides["Date"]])
        overrides = {"Date": when.isoformat()}
    r = await signed(manager, "GET", "/auth/role", alice, **overrides)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/problem+json"


async def test_a_date_within_the_skew_is_accepted(
    manager: httpx.AsyncClient, alice: Account
) -> None:
    from portico.wire.signing import signed_headers
    from portico.wire.versions import API_VERSION
    from tests.conftest import MANAGER_HOST

    headers = signed_headers(
        method="GET",
        path="/auth/role",
        host=MANAGER_HOST,
        content_type="application/json",
        api_version=API_VERSION,
        access_key=alice.access_key,
        secret_key=alice.secret_key,
        now=datetime.now(UTC) - timedelta(minutes=14),
    )
    assert (await manager.get("/auth/role", headers=headers)).status_code == 200


async def test_older_api_versions_are_accepted(manager: httpx.AsyncClient, alice: Account) -> None:
    from portico.wire.signing import signed_headers
    from tests.conftest import MANAGER_HOST

    headers = signed_headers(
        method="GET",
        path="/auth/role",
        host=MANAGER_HOST,
        content_type="text/plain",
        api_version="v7.20230615",
        access_key=alice.access_key,
        secret_key=alice.secret_key,
    )
    assert (await manager.get("/auth/role", headers=headers)).status_code == 200


async def test_update_password(manager: httpx.AsyncClient, alice: Account) -> None:
    new = "Fresh-P4ssword!"
    body = {"old_password": GOOD_PASSWORD, "new_password": new, "new_password2": new + "x"}
    r = await signed(manager, "POST", "/auth/update-password", alice, json=body)
    assert r.status_code == 400
    assert r.json()["error_msg"] == "new password mismatch"

    body = {"old_password": "Wr0ng-old!", "new_password": new, "new_password2": new}
    r = await signed(manager, "POST", "/auth/update-password", alice, json=body)
    assert r.status_code == 401
    assert r.json()["details"] == "Old password mismatch"

    body = {
        "old_password": GOOD_PASSWORD,
        "new_password": "alice123!",
        "new_password2": "alice123!",
    }
    r = await signed(manager, "POST", "/auth/update-password", alice, json=body)
    assert r.status_code == 400
    assert {x["code"] for x in r.json()["reasons"]} == {"contains_identity"}

    body = {"old_password": GOOD_PASSWORD, "new_password": new, "new_password2": new}
    r = await signed(manager, "POST", "/auth/update-password", alice, json=body)
    assert r.status_code == 200
    login = {"username": "alice", "password": new}
    assert (await manager.post("/auth/authorize", json=login)).status_code == 200
    login["password"] = GOOD_PASSWORD
    assert (await manager.post("/auth/authorize", json=login)).status_code == 401


async def test_update_full_name_only_for_oneself(
    manager: httpx.AsyncClient, alice: Account, services
) -> None:
    r = await signed(
        manager,
        "POST",
        "/auth/update-full-name",
        alice,
        json={"email": "alice@example.com", "full_name": "Alice Liddell"},
    )
    assert r.status_code == 200
    assert (await services.accounts.list_users())[0].full_name == "Alice Liddell"
    r = await signed(
        manager,
        "POST",
        "/auth/update-full-name",
        alice,
        json={"email": "bob@example.com", "full_name": "Mallory"},
    )
    assert r.status_code == 403
