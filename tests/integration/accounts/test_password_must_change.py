"""An account whose password must be changed before anything else (the first superadmin, an
operator's temporary password): Backend.AI's shape, `password-expired` at log-in and the change
without a session through `/server/update-password-no-auth`."""

from __future__ import annotations

import httpx
import pytest

from portico.wire import problems
from tests.conftest import GOOD_PASSWORD, signed

NEW = "Brand-n3w-secret!"
CHANGE = "/server/update-password-no-auth"


def change(current: str, new: str = NEW, username: str = "alice") -> dict:
    return {"username": username, "current_password": current, "new_password": new}


@pytest.fixture
async def temporary(make_account):  # type: ignore[no-untyped-def]
    return await make_account(need_password_change=True)


async def test_log_in_is_refused_until_the_password_is_changed(
    console: httpx.AsyncClient, temporary
) -> None:
    r = await console.post("/server/login", json={"username": "alice", "password": GOOD_PASSWORD})
    assert r.status_code == 401 and "set-cookie" not in r.headers
    assert r.json()["data"]["type"] == problems.PASSWORD_EXPIRED
    assert r.json()["data"]["details"].startswith("Password expired on ")
    done = await console.post(CHANGE, json=change(GOOD_PASSWORD))
    assert done.status_code == 200
    assert done.json()["data"] is None and done.json()["password_changed_at"]
    old = await console.post("/server/login", json={"username": "alice", "password": GOOD_PASSWORD})
    assert old.status_code == 401 and old.json()["data"]["type"] == problems.AUTH_FAILED
    new = await console.post("/server/login", json={"username": "alice", "password": NEW})
    assert new.status_code == 200 and new.json()["authenticated"] is True
    # Once changed, there is nothing left to change this way.
    again = await console.post(CHANGE, json=change(NEW, "Another-n3w-one!"))
    assert again.json()["data"]["title"] == "The password has not expired."


async def test_a_wrong_password_says_nothing_about_the_flag(
    console: httpx.AsyncClient, make_account
) -> None:
    await make_account(need_password_change=True)
    await make_account(email="bob@example.com", username="bob")
    answers = []
    for user in ("alice", "bob"):
        r = await console.post("/server/login", json={"username": user, "password": "Wr0ng-pass!"})
        answers.append((r.status_code, r.json()))
    assert answers[0] == answers[1]


async def test_the_keypair_is_refused_too(manager: httpx.AsyncClient, temporary) -> None:
    refused = await signed(manager, "GET", "/auth/role", temporary)
    assert refused.status_code == 401, refused.text
    assert refused.json()["type"] == problems.PASSWORD_EXPIRED
    done = await manager.post("/auth/update-password-no-auth", json=change(GOOD_PASSWORD))
    assert done.status_code == 201, done.text
    assert (await signed(manager, "GET", "/auth/role", temporary)).status_code == 200


@pytest.mark.parametrize(
    ("body", "expected_title"),
    [
        (change("Wr0ng-pass!"), "User credential mismatch."),
        (change(GOOD_PASSWORD, GOOD_PASSWORD), "Cannot update to the same password"),
        (change(GOOD_PASSWORD, "short"), "The password does not meet the password policy."),
        (change(GOOD_PASSWORD, username="nobody"), "User credential mismatch."),
    ],
)
async def test_a_refused_change_keeps_the_old_password(
    console: httpx.AsyncClient, temporary, body: dict, expected_title: str
) -> None:
    r = await console.post(CHANGE, json=body)
    assert r.status_code == 200  # Backend.AI's webserver answers 200; the problem is in data
    assert r.json()["password_changed_at"] is None
    problem = r.json()["data"]
    assert expected_title in f"{problem['title']} {problem['details']}", problem
    still = await console.post(CHANGE, json=change(GOOD_PASSWORD))
    assert still.json()["password_changed_at"], still.text


@pytest.mark.parametrize("missing", ["username", "current_password", "new_password"])
async def test_a_missing_field_is_a_400(console: httpx.AsyncClient, missing: str) -> None:
    body = change(GOOD_PASSWORD)
    del body[missing]
    r = await console.post(CHANGE, json=body)
    assert r.status_code == 400
    assert missing in r.json()["data"]["title"]


async def test_wrong_current_passwords_count_toward_the_lock_out(
    console: httpx.AsyncClient, temporary
) -> None:
    for _ in range(10):
        r = await console.post(CHANGE, json=change("Wr0ng-pass!"))
        assert r.json()["data"]["type"] == problems.AUTH_FAILED
    blocked = await console.post(CHANGE, json=change(GOOD_PASSWORD))
    assert blocked.json()["data"]["type"] == problems.TOO_MANY_REQUESTS
    assert blocked.json()["password_changed_at"] is None
