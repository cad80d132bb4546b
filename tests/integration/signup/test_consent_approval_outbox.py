"""Re-consent after a document changes, admin approval, and an outbox that survives SMTP failure."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select

from portico.common.sealing import SecretBox
from portico.db.models import Consent, OutboxMessage
from portico.manager.container import ManagerServices
from portico.manager.mail.compose import compose
from portico.manager.mail.outbox import Outbox
from portico.manager.mail.transports import SmtpTransport
from tests.conftest import GOOD_PASSWORD, Account, signed
from tests.support.services import free_port
from tests.support.smtp import SmtpServer

CONSENT = {"terms_version": "1", "privacy_version": "1"}


@pytest.fixture
def manager_overrides() -> dict[str, Any]:
    return {
        "signup": {"mode": "open", "email_verification": False, "approval": True},
        "email": {"backend": "file"},
    }


async def test_approval_then_login(
    console: httpx.AsyncClient, manager: httpx.AsyncClient, services: ManagerServices, make_account
) -> None:
    r = await console.post(
        "/func/auth/signup", json={"email": "pat@example.com", "password": GOOD_PASSWORD, **CONSENT}
    )
    assert r.json() == {"status": "await-approval"}
    login = {"username": "pat@example.com", "password": GOOD_PASSWORD}
    r = await console.post("/server/login", json=login)
    assert r.status_code == 401
    assert r.json()["data"]["details"] == "This account awaits approval by an administrator."

    user: Account = await make_account()
    r = await signed(manager, "GET", "/admin/pending-users", user)
    assert r.status_code == 403
    admin: Account = await make_account(email="root@example.com", username="root", role="admin")
    r = await signed(manager, "GET", "/admin/pending-users", admin)
    assert [u["email"] for u in r.json()["users"]] == ["pat@example.com"]
    r = await signed(
        manager, "POST", "/admin/activate-user", admin, json={"email": "pat@example.com"}
    )
    assert r.status_code == 200
    assert (await console.post("/server/login", json=login)).status_code == 200
    r = await signed(
        manager, "POST", "/admin/activate-user", admin, json={"email": "pat@example.com"}
    )
    assert r.status_code == 404


async def test_consent_is_recorded_and_asked_again_after_a_new_version(
    console: httpx.AsyncClient, services: ManagerServices
) -> None:
    await console.post(
        "/func/auth/signup",
        json={"email": "quinn@example.com", "password": GOOD_PASSWORD, **CONSENT},
    )
    await services.signup.activate("quinn@example.com")
    async with services.database() as db:
        rows = (
            await db.execute(select(Consent.document, Consent.version, Consent.client_address))
        ).all()
    assert sorted((d, v) for d, v, _ in rows) == [("privacy", "1"), ("terms", "1")]
    assert all(addr for _, _, addr in rows)

    services.settings.consent.terms_version = "2"  # the operator publishes a new version
    login = {"username": "quinn@example.com", "password": GOOD_PASSWORD}
    r = await console.post("/server/login", json=login)
    assert r.status_code == 200
    assert r.json()["authenticated"] is False
    assert r.json()["data"]["type"].endswith("/require-consent")
    assert r.json()["data"]["terms_version"] == "2"
    assert "set-cookie" not in r.headers  # no session before consent
    assert (await console.get("/func/auth/role")).status_code == 401

    wrong = await console.post("/server/login", json={**login, "password": "Wr0ng-pass!"})
    assert wrong.status_code == 401  # the step is offered only after the right password

    r = await console.post(
        "/server/login", json={**login, "agreed_terms_version": "2", "agreed_privacy_version": "1"}
    )
    assert r.json()["authenticated"] is True
    console.cookies.clear()
    r = await console.post("/server/login", json=login)
    assert r.json()["authenticated"] is True  # accepted once, not asked again


async def test_a_signed_up_account_without_any_consent_on_record_is_asked(
    console: httpx.AsyncClient, services: ManagerServices
) -> None:
    """The account's origin, not the absence of consent rows, decides: a self-signed-up
    account whose consent is not on record (lost, or never written) must give it."""
    await console.post(
        "/func/auth/signup",
        json={"email": "rowan@example.com", "password": GOOD_PASSWORD, **CONSENT},
    )
    await services.signup.activate("rowan@example.com")
    async with services.database.begin() as db:
        await db.execute(delete(Consent))
    login = {"username": "rowan@example.com", "password": GOOD_PASSWORD}
    r = await console.post("/server/login", json=login)
    assert r.json()["authenticated"] is False
    assert r.json()["data"]["type"].endswith("/require-consent")
    r = await console.post(
        "/server/login", json={**login, "agreed_terms_version": "1", "agreed_privacy_version": "1"}
    )
    assert r.json()["authenticated"] is True


async def test_operator_made_accounts_are_not_asked(
    console: httpx.AsyncClient, services: ManagerServices, make_account
) -> None:
    await make_account()
    services.settings.consent.terms_version = "7"
    r = await console.post("/server/login", json={"username": "alice", "password": GOOD_PASSWORD})
    assert r.json()["authenticated"] is True


async def test_outbox_keeps_mail_until_smtp_comes_back(services: ManagerServices) -> None:
    port = free_port()
    config = services.settings.email.model_copy(
        update={
            "backend": "smtp",
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_security": "none",
        }
    )
    clock_now = [1_000.0]
    outbox = Outbox(
        services.database,
        SmtpTransport(config),
        "portico@example.org",
        SecretBox("test-server-secret", "mail-link"),
        clock=lambda: clock_now[0],
    )
    await outbox.enqueue(
        "zoe@example.com", compose("password_changed", "ko", site="example.org", link="https://x")
    )
    assert await outbox.drain_once() == 0  # nobody listening: kept, not lost
    async with services.database() as db:
        row = await db.scalar(select(OutboxMessage))
    assert row.attempts == 1
    assert row.sent_at is None
    assert "Connect" in row.last_error or "connect" in row.last_error
    assert "https://x" not in row.last_error

    assert await outbox.drain_once() == 0  # not due yet (backoff)
    clock_now[0] += 3600
    with SmtpServer(port) as server:
        assert await outbox.drain_once() == 1
        [mail] = await server.mailbox.wait_for("zoe@example.com")
    assert "비밀번호" in mail["Subject"]
