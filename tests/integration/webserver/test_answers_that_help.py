"""Answers a person can act on: a malformed address is said to be one, a pending account is
told it awaits approval, and a "new" password that is the current one is refused."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from portico.manager.container import ManagerServices
from portico.manager.services.accounts import PENDING_APPROVAL
from portico.wire import problems
from tests.conftest import GOOD_PASSWORD


@pytest.fixture
def manager_overrides() -> dict[str, dict[str, Any]]:
    return {"recovery": {"enabled": True}}


@pytest.mark.parametrize("email", ["", "not-an-address", "a@b", "x" * 70 + "@example.com"])
async def test_a_malformed_address_is_refused_as_such(
    console: httpx.AsyncClient, email: str
) -> None:
    r = await console.post("/func/cloud/send-password-change-email", json={"email": email})
    assert r.status_code == 400, r.text
    assert r.json()["type"] == problems.INVALID_API_PARAMS


async def test_a_pending_account_hears_it_only_with_the_right_password(
    console: httpx.AsyncClient, make_account, services: ManagerServices
) -> None:
    await make_account(status="inactive", status_info=PENDING_APPROVAL)
    right = await console.post(
        "/server/login", json={"username": "alice", "password": GOOD_PASSWORD}
    )
    assert right.status_code == 401
    assert right.json()["data"]["details"] == "This account awaits approval by an administrator."
    wrong = await console.post(
        "/server/login", json={"username": "alice", "password": "Wr0ng-pass!"}
    )
    stranger = await console.post(
        "/server/login", json={"username": "nobody", "password": "Wr0ng-pass!"}
    )
    assert wrong.json() == stranger.json()


async def test_a_reset_refuses_the_current_password_and_keeps_the_link(
    console: httpx.AsyncClient, make_account, services: ManagerServices
) -> None:
    await make_account()
    link = await services.recovery.operator_link("alice@example.com")
    token = link.split("token=")[1]
    body = {"email": "alice@example.com", "password": GOOD_PASSWORD, "token": token}
    same = await console.post("/func/cloud/change-password", json=body)
    assert same.status_code == 400 and same.json()["type"] == problems.SAME_PASSWORD
    fresh = await console.post(
        "/func/cloud/change-password", json={**body, "password": "Brand-n3w-secret!"}
    )
    assert fresh.status_code == 200, fresh.text


async def test_a_logged_in_change_refuses_the_current_password(
    console: httpx.AsyncClient, make_account
) -> None:
    await make_account()
    login = {"username": "alice", "password": GOOD_PASSWORD}
    assert (await console.post("/server/login", json=login)).status_code == 200
    body = {
        "old_password": GOOD_PASSWORD,
        "new_password": GOOD_PASSWORD,
        "new_password2": GOOD_PASSWORD,
    }
    r = await console.post("/func/auth/update-password", json=body)
    assert r.status_code == 400 and r.json()["type"] == problems.SAME_PASSWORD
