"""Ranks: user < admin < superadmin. An admin acts on users only; a superadmin on anyone; the
last active superadmin keeps its status, role, password and second factor."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from portico.db.models import AuditEntry
from portico.manager.container import ManagerServices
from tests.conftest import Account, signed

ACTIONS = [
    ("deactivate", None),
    ("unlock", None),
    ("clear-two-factor", None),
    ("require-password-change", None),
    ("end-sessions", None),
    ("role", {"role": "user"}),
]


@pytest.fixture
async def people(make_account, services: ManagerServices) -> dict[str, Account]:  # type: ignore[no-untyped-def]
    made = {
        "root": await make_account("root@example.com", "root", role="superadmin"),
        "ada": await make_account("ada@example.com", "ada", role="admin"),
        "bob": await make_account("bob@example.com", "bob", role="admin"),
        "uma": await make_account("uma@example.com", "uma"),
    }
    return made


async def user_id(services: ManagerServices, account: Account) -> str:
    user = await services.accounts.user_by_email(account.email)
    assert user is not None
    return str(user.uuid)


async def test_an_admin_cannot_act_on_a_superadmin_or_another_admin(
    manager: httpx.AsyncClient, services: ManagerServices, people: dict[str, Account]
) -> None:
    for target in ("root", "bob"):
        target_id = await user_id(services, people[target])
        for action, body in ACTIONS:
            r = await signed(
                manager, "POST", f"/admin/users/{target_id}/{action}", people["ada"], json=body
            )
            assert r.status_code == 403, (target, action, r.text)
            assert r.headers["content-type"] == "application/problem+json"
    refused = await signed(
        manager, "POST", "/admin/unlock-user", people["ada"], json={"email": "root@example.com"}
    )
    assert refused.status_code == 403
    async with services.database() as db:
        kinds = (await db.scalars(select(AuditEntry.kind))).all()
    assert kinds.count("admin.refused") >= 2 * len(ACTIONS)
    root = await services.accounts.user_by_email("root@example.com")
    assert root is not None and root.status == "active" and not root.need_password_change


async def test_an_admin_acts_on_a_user_and_a_superadmin_on_anyone(
    manager: httpx.AsyncClient, services: ManagerServices, people: dict[str, Account]
) -> None:
    uma = await user_id(services, people["uma"])
    ok = await signed(manager, "POST", f"/admin/users/{uma}/end-sessions", people["ada"])
    assert ok.status_code == 200
    bob = await user_id(services, people["bob"])
    ok = await signed(manager, "POST", f"/admin/users/{bob}/end-sessions", people["root"])
    assert ok.status_code == 200


async def test_the_last_superadmin_keeps_everything_even_against_itself(
    manager: httpx.AsyncClient, services: ManagerServices, people: dict[str, Account]
) -> None:
    root = await user_id(services, people["root"])
    for action, body in [
        ("require-password-change", None),
        ("clear-two-factor", None),
        ("role", {"role": "admin"}),
    ]:
        r = await signed(
            manager, "POST", f"/admin/users/{root}/{action}", people["root"], json=body
        )
        assert r.status_code == 409, (action, r.text)
