"""The signed admin API: who may call it, and what each action does to the account."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from portico.manager.container import ManagerServices
from tests.conftest import GOOD_PASSWORD, Account, signed

ANY_ID = str(uuid.uuid4())
# Every admin route, with a body that would be valid.
ROUTES: list[tuple[str, str, Any]] = [
    ("GET", "/admin/users", None),
    ("GET", f"/admin/users/{ANY_ID}", None),
    ("POST", f"/admin/users/{ANY_ID}/activate", {}),
    ("POST", f"/admin/users/{ANY_ID}/deactivate", {}),
    ("POST", f"/admin/users/{ANY_ID}/role", {"role": "admin"}),
    ("POST", f"/admin/users/{ANY_ID}/unlock", {}),
    ("POST", f"/admin/users/{ANY_ID}/require-password-change", {}),
    ("POST", f"/admin/users/{ANY_ID}/end-sessions", {}),
    ("POST", f"/admin/users/{ANY_ID}/resend-verification", {}),
    ("POST", f"/admin/users/{ANY_ID}/approve", {}),
    ("POST", f"/admin/users/{ANY_ID}/reject", {}),
    ("GET", "/admin/pending-users", None),
    ("POST", "/admin/activate-user", {"email": "x@example.com"}),
    ("POST", "/admin/unlock-user", {"email": "x@example.com"}),
    ("GET", "/admin/invitations", None),
    ("POST", "/admin/invitations", {"uses": 1}),
    ("DELETE", "/admin/invitations/1", None),
    ("GET", "/admin/audit", None),
    ("GET", "/admin/resource-policies", None),
    ("POST", "/admin/resource-policies", {"name": "p"}),
    ("POST", "/admin/resource-policies/p", {}),
    ("POST", f"/admin/users/{ANY_ID}/resource-policy", {"policy": "p"}),
    ("GET", "/admin/resource-groups", None),
    ("POST", "/admin/resource-groups", {"name": "g"}),
]


@pytest.fixture
def manager_overrides() -> dict[str, dict[str, Any]]:
    return {"session": {"login_allowed_fail_count": 2}, "email": {"backend": "file"}}


@pytest.fixture
async def root(make_account) -> Account:  # type: ignore[no-untyped-def]
    return await make_account("root@example.com", "root", role="superadmin")


@pytest.fixture
async def alice(make_account) -> Account:  # type: ignore[no-untyped-def]
    return await make_account()


async def log_in(manager: httpx.AsyncClient, login_id: str, password: str) -> httpx.Response:
    return await manager.post(
        "/auth/authorize", json={"type": "keypair", "username": login_id, "password": password}
    )


async def user_id(manager: httpx.AsyncClient, admin: Account, email: str) -> str:
    found = await signed(manager, "GET", f"/admin/users?search={email}", admin)
    return next(u["id"] for u in found.json()["users"] if u["email"] == email)


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
async def test_only_admins_may_call_it(
    manager: httpx.AsyncClient, alice: Account, method: str, path: str, body: Any
) -> None:
    nobody = await manager.request(method, path, json=body)
    assert nobody.status_code == 401, nobody.text
    user = await signed(manager, method, path, alice, json=body)
    assert user.status_code == 403, user.text
    assert user.json()["type"].endswith("/generic-forbidden")


async def test_accounts_are_found_filtered_and_paged(
    manager: httpx.AsyncClient,
    root: Account,
    make_account,  # type: ignore[no-untyped-def]
) -> None:
    for n in range(25):
        await make_account(f"user{n:02}@example.com", f"person-{n:02}")
    first = (await signed(manager, "GET", "/admin/users?per_page=10", root)).json()
    assert (first["total"], first["pages"], len(first["users"])) == (26, 3, 10)
    last = (await signed(manager, "GET", "/admin/users?per_page=10&page=3", root)).json()
    assert len(last["users"]) == 6
    by_name = (await signed(manager, "GET", "/admin/users?search=PERSON-17", root)).json()
    assert [u["email"] for u in by_name["users"]] == ["user17@example.com"]
    supers = (await signed(manager, "GET", "/admin/users?role=superadmin", root)).json()
    assert [u["email"] for u in supers["users"]] == ["root@example.com"]
    bad = await signed(manager, "GET", "/admin/users?status=sleeping", root)
    assert bad.status_code == 400
    assert "status" in bad.json()["title"]


async def test_deactivating_ends_access_and_activating_restores_it(
    manager: httpx.AsyncClient, root: Account, alice: Account
) -> None:
    assert (await signed(manager, "GET", "/auth/role", alice)).status_code == 200
    target = await user_id(manager, root, alice.email)
    done = await signed(manager, "POST", f"/admin/users/{target}/deactivate", root, json={})
    assert done.status_code == 200
    assert (await signed(manager, "GET", "/auth/role", alice)).status_code == 401
    refused = await log_in(manager, "alice", GOOD_PASSWORD)
    assert refused.json()["code"] == "account-inactive"
    await signed(manager, "POST", f"/admin/users/{target}/activate", root, json={})
    assert (await log_in(manager, "alice", GOOD_PASSWORD)).status_code == 200


async def test_roles_are_a_superadmins_and_the_last_superadmin_stays(
    manager: httpx.AsyncClient,
    root: Account,
    alice: Account,
    make_account,  # type: ignore[no-untyped-def]
) -> None:
    admin = await make_account("admin@example.com", "admin", role="admin")
    target = await user_id(manager, root, alice.email)
    by_admin = await signed(
        manager, "POST", f"/admin/users/{target}/role", admin, json={"role": "admin"}
    )
    assert by_admin.status_code == 403
    by_root = await signed(
        manager, "POST", f"/admin/users/{target}/role", root, json={"role": "admin"}
    )
    assert by_root.status_code == 200
    assert (await signed(manager, "GET", "/auth/role", alice)).json()["domain_role"] == "admin"
    me = await user_id(manager, root, root.email)
    demoted = await signed(manager, "POST", f"/admin/users/{me}/role", root, json={"role": "user"})
    assert demoted.status_code == 409
    assert demoted.json()["details"] == "The last superadmin keeps the role."
    unknown = await signed(
        manager, "POST", f"/admin/users/{target}/role", root, json={"role": "king"}
    )
    assert unknown.status_code == 400
    self_off = await signed(manager, "POST", f"/admin/users/{me}/deactivate", root, json={})
    assert self_off.status_code == 409


async def test_unlock_and_require_a_new_password(
    manager: httpx.AsyncClient, root: Account, alice: Account
) -> None:
    for _ in range(2):
        await log_in(manager, "alice", "Wr0ng-pass!")
    assert (await log_in(manager, "alice", GOOD_PASSWORD)).status_code == 429
    target = await user_id(manager, root, alice.email)
    await signed(manager, "POST", f"/admin/users/{target}/unlock", root, json={})
    assert (await log_in(manager, "alice", GOOD_PASSWORD)).status_code == 200
    await signed(manager, "POST", f"/admin/users/{target}/require-password-change", root, json={})
    expired = await log_in(manager, "alice", GOOD_PASSWORD)
    assert expired.json()["type"].endswith("/password-expired")
    assert (await signed(manager, "GET", "/auth/role", alice)).status_code == 401
    detail = (await signed(manager, "GET", f"/admin/users/{target}", root)).json()
    assert detail["need_password_change"] is True
    outcomes = [entry["success"] for entry in detail["log_ins"]]
    assert outcomes.count(False) == 2 and outcomes.count(True) == 1


async def test_an_unknown_account_is_404(manager: httpx.AsyncClient, root: Account) -> None:
    for method, path, body in ROUTES:
        if ANY_ID in path:
            answer = await signed(manager, method, path, root, json=body)
            assert answer.status_code == 404, path
    malformed = await signed(manager, "GET", "/admin/users/not-a-uuid", root)
    assert malformed.status_code == 400


async def test_invitations_are_created_listed_and_revoked(
    manager: httpx.AsyncClient, root: Account, services: ManagerServices
) -> None:
    created = await signed(
        manager,
        "POST",
        "/admin/invitations",
        root,
        json={"uses": 3, "ttl_hours": 24, "email": "Friend@Example.com", "language": "ja"},
    )
    assert created.status_code == 201
    assert "/?token=" in created.json()["link"]
    listed = (await signed(manager, "GET", "/admin/invitations", root)).json()["invitations"]
    assert [(i["email"], i["uses"], i["state"]) for i in listed] == [
        ("friend@example.com", 3, "open")
    ]
    gone = await signed(manager, "DELETE", f"/admin/invitations/{listed[0]['id']}", root)
    assert gone.status_code == 200
    listed = (await signed(manager, "GET", "/admin/invitations", root)).json()["invitations"]
    assert listed[0]["state"] == "revoked"
    again = await signed(manager, "DELETE", f"/admin/invitations/{listed[0]['id']}", root)
    assert again.status_code == 404
    bad_address = await signed(
        manager, "POST", "/admin/invitations", root, json={"email": "not-an-address"}
    )
    assert bad_address.status_code == 400
    assert "e-mail address" in bad_address.json()["title"]
    no_project = await signed(
        manager, "POST", "/admin/invitations", root, json={"project": "nowhere"}
    )
    assert no_project.status_code == 404
    assert (
        await signed(manager, "POST", "/admin/invitations", root, json={"uses": 0})
    ).status_code == 400


async def test_resource_policies_and_groups_are_managed_and_assigned(
    manager: httpx.AsyncClient, root: Account, alice: Account
) -> None:
    made = await signed(
        manager,
        "POST",
        "/admin/resource-policies",
        root,
        json={"name": "gpu-small", "cpu": 4, "mem": "16g", "gpu": 1, "max_sessions": 2},
    )
    assert made.status_code == 201
    taken = await signed(
        manager, "POST", "/admin/resource-policies", root, json={"name": "gpu-small"}
    )
    assert taken.status_code == 409
    assert taken.json()["details"] == "policy 'gpu-small' exists"  # not "Email already exists"
    edited = await signed(
        manager,
        "POST",
        "/admin/resource-policies/gpu-small",
        root,
        json={"cpu": 8, "mem": "32g", "max_sessions": 3},
    )
    assert edited.status_code == 200
    listed = (await signed(manager, "GET", "/admin/resource-policies", root)).json()["policies"]
    policy = next(p for p in listed if p["name"] == "gpu-small")
    assert policy == {
        "name": "gpu-small",
        "total_resource_slots": {"cpu": 8, "mem": 32 * 1024**3},
        "max_concurrent_sessions": 3,
    }
    bad = await signed(
        manager, "POST", "/admin/resource-policies/gpu-small", root, json={"mem": "lots"}
    )
    assert bad.status_code == 400
    target = await user_id(manager, root, alice.email)
    assigned = await signed(
        manager,
        "POST",
        f"/admin/users/{target}/resource-policy",
        root,
        json={"policy": "gpu-small"},
    )
    assert assigned.status_code == 200
    detail = (await signed(manager, "GET", f"/admin/users/{target}", root)).json()
    assert detail["resource_policy"] == "gpu-small"
    summary = (await signed(manager, "GET", "/summary", alice)).json()
    assert summary["keypair"]["limits"]["cpu"] == 8
    missing = await signed(
        manager, "POST", f"/admin/users/{target}/resource-policy", root, json={"policy": "nope"}
    )
    assert missing.status_code == 404

    group = await signed(
        manager,
        "POST",
        "/admin/resource-groups",
        root,
        json={"name": "a100", "description": "A100s"},
    )
    assert group.status_code == 201
    again = await signed(manager, "POST", "/admin/resource-groups", root, json={"name": "a100"})
    assert again.status_code == 409
    names = [
        g["name"]
        for g in (await signed(manager, "GET", "/admin/resource-groups", root)).json()["groups"]
    ]
    assert "a100" in names and "default" in names
    odd = await signed(manager, "POST", "/admin/resource-groups", root, json={"name": "../x"})
    assert odd.status_code == 400
