"""The audit trail: a row for each kind of event, with the acting admin, never a secret, and
printable whatever a client sent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select

from portico.db.models import AuditEntry
from portico.manager.container import ManagerServices
from portico.manager.services.audit import AuditKind
from tests.conftest import GOOD_PASSWORD, Account, signed
from tests.support.processes import run_cli
from tests.support.smtp import SmtpServer, link_in

NEW_PASSWORD = "Brand-n3w-secret!"
CONSENT = {"terms_version": "1", "privacy_version": "1"}


@pytest.fixture
def manager_overrides(smtp: SmtpServer) -> dict[str, dict[str, Any]]:
    return {
        "signup": {"mode": "invite", "email_verification": True, "approval": True},
        "recovery": {"enabled": True},
        "session": {"login_allowed_fail_count": 2},
        "service": {"public_url": "https://console.example.org"},
        "email": smtp.email_settings(),
    }


async def rows(services: ManagerServices) -> list[AuditEntry]:
    await services.log_in.settle()
    async with services.database() as db:
        return list((await db.scalars(select(AuditEntry).order_by(AuditEntry.id))).all())


def token_of(link: str, name: str) -> str:
    return parse_qs(urlsplit(link).query)[name][0]


async def test_every_kind_of_event_leaves_a_row_and_no_secret(
    manager: httpx.AsyncClient,
    services: ManagerServices,
    make_account,  # type: ignore[no-untyped-def]
    smtp: SmtpServer,
    sender: None,
) -> None:
    root: Account = await make_account("root@example.com", "root", role="superadmin")
    alice: Account = await make_account()
    secrets = {GOOD_PASSWORD, NEW_PASSWORD, "Wr0ng-pass!", root.secret_key, alice.secret_key}

    # Log-ins: a failure, a success, an unknown id, and a lock-out.
    await manager.post("/auth/authorize", json={"username": "alice", "password": "Wr0ng-pass!"})
    ok = await manager.post(
        "/auth/authorize", json={"username": "alice", "password": GOOD_PASSWORD}
    )
    assert ok.status_code == 200
    for _ in range(3):
        await manager.post("/auth/authorize", json={"username": "alice", "password": "Wr0ng-pass!"})
    await manager.post("/auth/authorize", json={"username": "ghost", "password": "Wr0ng-pass!"})
    alice_id = (await signed(manager, "GET", "/admin/users?search=alice", root)).json()["users"][0][
        "id"
    ]
    await signed(manager, "POST", f"/admin/users/{alice_id}/unlock", root, json={})

    # An invitation by mail, its sign-up, the verification, the approval.
    made = await signed(
        manager, "POST", "/admin/invitations", root, json={"email": "new@example.com"}
    )
    invitation = token_of(made.json()["link"], "token")
    secrets.add(invitation)
    signup = await manager.post(
        "/auth/signup",
        json={
            "email": "new@example.com",
            "password": GOOD_PASSWORD,
            "token": invitation,
            **CONSENT,
        },
    )
    assert signup.status_code == 201
    mails = await smtp.mailbox.wait_for("new@example.com", 2)  # the invitation, the verification
    verify_link = link_in(mails[-1], "/verify-email")
    code = token_of(verify_link, "verification_code")
    secrets.add(code)
    assert (
        await manager.post("/cloud/verify-email", json={"verification_code": code})
    ).status_code == 200
    newbie = (await signed(manager, "GET", "/admin/users?status=pending", root)).json()["users"][0]
    await signed(manager, "POST", f"/admin/users/{newbie['id']}/approve", root, json={})

    # A reset asked for and used; a password changed by its owner; admin actions.
    await manager.post("/cloud/send-password-change-email", json={"email": "alice@example.com"})
    [reset_mail] = await smtp.mailbox.wait_for("alice@example.com")
    reset_link = link_in(reset_mail, "/change-password")
    reset = token_of(reset_link, "token")
    secrets.add(reset)
    changed = await manager.post(
        "/cloud/change-password",
        json={"email": "alice@example.com", "password": NEW_PASSWORD, "token": reset},
    )
    assert changed.status_code == 200
    await signed(manager, "POST", f"/admin/users/{alice_id}/role", root, json={"role": "admin"})
    await signed(manager, "POST", f"/admin/users/{alice_id}/deactivate", root, json={})
    await signed(manager, "POST", f"/admin/users/{alice_id}/activate", root, json={})
    await signed(manager, "POST", f"/admin/users/{alice_id}/require-password-change", root, json={})
    await signed(manager, "POST", f"/admin/users/{alice_id}/end-sessions", root, json={})
    listed = (await signed(manager, "GET", "/admin/invitations", root)).json()["invitations"]
    await signed(manager, "DELETE", f"/admin/invitations/{listed[0]['id']}", root)

    found = await rows(services)
    kinds = {r.kind for r in found}
    expected = {
        AuditKind.LOGIN_FAILED,
        AuditKind.LOGIN_SUCCEEDED,
        AuditKind.ACCOUNT_LOCKED,
        AuditKind.ACCOUNT_UNLOCKED,
        AuditKind.INVITATION_CREATED,
        AuditKind.SIGNED_UP,
        AuditKind.INVITATION_REDEEMED,
        AuditKind.EMAIL_VERIFIED,
        AuditKind.APPROVED,
        AuditKind.RESET_REQUESTED,
        AuditKind.RESET_USED,
        AuditKind.ROLE_CHANGED,
        AuditKind.DEACTIVATED,
        AuditKind.ACTIVATED,
        AuditKind.PASSWORD_CHANGE_REQUIRED,
        AuditKind.SESSIONS_ENDED,
        AuditKind.INVITATION_REVOKED,
    }
    assert expected <= kinds, expected - kinds
    failures = [(r.subject, r.outcome) for r in found if r.kind == AuditKind.LOGIN_FAILED]
    assert ("alice@example.com", "credential-mismatch") in failures
    assert ("alice@example.com", "locked") in failures
    assert ("ghost", "credential-mismatch") in failures  # an unknown id, as typed
    role = next(r for r in found if r.kind == AuditKind.ROLE_CHANGED)
    assert (role.actor, role.subject, role.outcome) == (
        "root@example.com",
        "alice@example.com",
        "admin",
    )
    assert role.details == {"previous": "user"}
    assert role.client_address == "203.0.113.7"

    # No row holds a password, a token or a secret key, in any column.
    dumped = json.dumps(
        [{c.name: str(getattr(r, c.name)) for c in AuditEntry.__table__.columns} for r in found]
    )
    assert not [s for s in secrets if s in dumped]


async def test_control_characters_are_escaped(
    manager: httpx.AsyncClient, services: ManagerServices
) -> None:
    hostile = "mallory\x1b[31m\nFAKE LINE\u202e"
    await manager.post(
        "/auth/authorize",
        json={"username": hostile, "password": "Wr0ng-pass!"},
        headers={"User-Agent": "agent\r\nX-Injected: 1"},
    )
    [row] = [r for r in await rows(services) if r.kind == AuditKind.LOGIN_FAILED]
    assert row.subject == "mallory\\u001b[31m\\u000afake line\\u202e"
    assert row.user_agent == "agent\\u000d\\u000aX-Injected: 1"


async def test_admins_query_it_by_account_kind_and_time(
    manager: httpx.AsyncClient,
    services: ManagerServices,
    make_account,  # type: ignore[no-untyped-def]
) -> None:
    root: Account = await make_account("root@example.com", "root", role="superadmin")
    await make_account()
    for _ in range(2):
        await manager.post("/auth/authorize", json={"username": "alice", "password": "Wr0ng-pass!"})
    await manager.post("/auth/authorize", json={"username": "root", "password": GOOD_PASSWORD})
    await services.log_in.settle()
    answer = await signed(manager, "GET", "/admin/audit?account=alice@example.com&kind=login", root)
    entries = answer.json()["entries"]
    assert [e["outcome"] for e in entries] == ["credential-mismatch"] * 2
    assert {e["kind"] for e in entries} == {"login.failed"}
    locked = await signed(manager, "GET", "/admin/audit?kind=account.locked", root)
    assert [e["subject"] for e in locked.json()["entries"]] == ["alice@example.com"]
    future = await signed(manager, "GET", "/admin/audit?since=4102444800", root)
    assert future.json()["entries"] == []
    bad = await signed(manager, "GET", "/admin/audit?limit=0", root)
    assert bad.status_code == 400


async def test_old_entries_are_purged(services: ManagerServices) -> None:
    await services.audit.record(AuditKind.LOGIN_FAILED, subject="old@example.com")
    assert await services.audit.purge(retention_days=1) == 0
    async with services.database.begin() as db:
        for row in (await db.scalars(select(AuditEntry))).all():
            row.created_at -= 2 * 86400
    assert await services.audit.purge(retention_days=1) == 1


def test_the_command_line_reads_it(tmp_path: Path) -> None:
    from tests.support.processes import create_account

    env = {
        "PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"),
        "PORTICO_AUTH__BCRYPT_ROUNDS": "4",
        "PORTICO_RECOVERY__ENABLED": "true",
    }
    create_account(env)
    reset = run_cli(["user", "reset-link", "--email", "alice@example.com"], env)
    assert reset.returncode == 0, reset.stderr
    shown = run_cli(["audit", "--email", "alice@example.com", "--since", "1d"], env)
    assert shown.returncode == 0, shown.stderr
    [line] = shown.stdout.splitlines()
    assert "password.reset-requested" in line and "link-printed" in line
    assert "actor=operator (command line)" in line
    assert token_of(reset.stdout.strip(), "token") not in shown.stdout
    assert run_cli(["audit", "--kind", "login"], env).stdout == ""
    assert run_cli(["audit", "--since", "soon"], env).returncode == 2
