"""The victim's way out of a log-in block: an e-mailed unlock link (real SMTP on loopback)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import func, select

from portico.db.models import AuditEntry, AuthToken
from portico.manager.container import ManagerServices
from portico.wire import problems
from tests.conftest import GOOD_PASSWORD
from tests.support.smtp import SmtpServer, link_in, text_of

PUBLIC_URL = "https://console.example.org"
WRONG = "Wr0ng-pass!"


@pytest.fixture
def manager_overrides(smtp: SmtpServer) -> dict[str, Any]:
    return {
        "recovery": {"enabled": True},
        "service": {"public_url": PUBLIC_URL},
        "email": smtp.email_settings(),
        "session": {"login_allowed_fail_count": 3},
    }


async def block(console: httpx.AsyncClient, login_id: str) -> None:
    for _ in range(3):
        await console.post("/server/login", json={"username": login_id, "password": WRONG})
    r = await console.post("/server/login", json={"username": login_id, "password": GOOD_PASSWORD})
    assert r.status_code == 429, r.text


async def ask(console: httpx.AsyncClient, login_id: str) -> httpx.Response:
    return await console.post("/func/portico/unlock-link", json={"username": login_id})


def token_of(mail: Any) -> str:
    link = link_in(mail, "/unlock")
    assert link.startswith(PUBLIC_URL + "/unlock?"), link
    return parse_qs(urlsplit(link).query)["token"][0]


async def log_in(console: httpx.AsyncClient, login_id: str) -> int:
    r = await console.post("/server/login", json={"username": login_id, "password": GOOD_PASSWORD})
    return r.status_code


async def audit_outcomes(services: ManagerServices, kind: str) -> list[str]:
    async with services.database() as db:
        rows = await db.scalars(
            select(AuditEntry.outcome).where(AuditEntry.kind == kind).order_by(AuditEntry.id)
        )
        return list(rows)


async def test_a_blocked_owner_unlocks_once_with_the_mailed_link(
    console: httpx.AsyncClient,
    services: ManagerServices,
    smtp: SmtpServer,
    sender: None,
    make_account,
) -> None:
    await make_account()
    await block(console, "alice")
    r = await ask(console, "alice")
    assert r.status_code == 200, r.text
    [mail] = await smtp.mailbox.wait_for("alice@example.com")
    assert "Unlock" in mail["Subject"]
    assert "20 minutes" in text_of(mail)  # it expires with the block
    token = token_of(mail)

    assert await log_in(console, "alice") == 429  # opening nothing has lifted it yet
    used = await console.post("/func/portico/unlock", json={"token": token})
    assert used.status_code == 200, used.text
    assert used.json()["status"] == "unlocked"
    assert await log_in(console, "alice") == 200

    again = await console.post("/func/portico/unlock", json={"token": token})
    assert again.status_code == 400
    assert again.json()["type"] == problems.INVALID_API_PARAMS
    assert await audit_outcomes(services, "account.unlock-requested") == ["sent"]
    assert await audit_outcomes(services, "account.unlocked") == ["by-link"]


async def test_every_id_gets_the_same_answer_and_the_same_work_and_only_the_blocked_owner_mail(
    console: httpx.AsyncClient,
    services: ManagerServices,
    smtp: SmtpServer,
    sender: None,
    make_account,
) -> None:
    await make_account()
    await make_account(email="bob@example.com", username="bob")
    await make_account(email="gone@example.com", username="gone", status="inactive")
    await block(console, "alice")
    answers = []
    for login_id in ["alice", "bob", "nobody@example.com", "gone", "ALICE@example.com "]:
        async with services.database() as db:
            before = await db.scalar(select(func.count()).select_from(AuthToken))
        r = await ask(console, login_id)
        async with services.database() as db:
            after = await db.scalar(select(func.count()).select_from(AuthToken))
        answers.append((r.status_code, r.json()))
        assert after == before + 1, login_id  # one token row each: a decoy where not blocked
    assert all(answer == answers[0] for answer in answers), answers
    assert answers[0][0] == 200
    await smtp.mailbox.wait_for("alice@example.com", count=2)  # by user name and by address
    await asyncio.sleep(0.5)  # the sender has had its chance at the others
    assert {m["X-Envelope-To"] for m in smtp.mailbox.messages} == {"alice@example.com"}
    assert await audit_outcomes(services, "account.unlock-requested") == [
        "sent",
        "not-locked",
        "no-account",
        "inactive",
        "sent",
    ]


async def test_the_link_lifts_the_block_of_its_own_account_only_and_the_latest_link_counts(
    console: httpx.AsyncClient, smtp: SmtpServer, sender: None, make_account
) -> None:
    await make_account()
    await make_account(email="bob@example.com", username="bob")
    await block(console, "alice")
    await block(console, "bob")
    await ask(console, "alice")
    await ask(console, "alice")
    first, latest = await smtp.mailbox.wait_for("alice@example.com", count=2)
    superseded = await console.post("/func/portico/unlock", json={"token": token_of(first)})
    assert superseded.status_code == 400
    r = await console.post("/func/portico/unlock", json={"token": token_of(latest)})
    assert r.status_code == 200
    assert await log_in(console, "bob") == 429
    assert await log_in(console, "alice") == 200


@pytest.mark.parametrize("body", [{}, {"username": ""}, {"username": 5}, {"username": "x" * 300}])
async def test_bad_requests_are_400_and_send_nothing(
    console: httpx.AsyncClient, smtp: SmtpServer, sender: None, body: dict[str, Any]
) -> None:
    r = await console.post("/func/portico/unlock-link", json=body)
    assert r.status_code == 400, r.text
    for token in [{}, {"token": ""}, {"token": "not-a-token"}, {"token": ["x"]}]:
        r = await console.post("/func/portico/unlock", json=token)
        assert r.status_code == 400, (token, r.text)
    assert smtp.mailbox.messages == []


async def test_asking_is_rate_limited_alike_for_every_id(
    console: httpx.AsyncClient, services: ManagerServices, make_account
) -> None:
    await make_account()
    await block(console, "alice")
    limit = int(services.settings.email.rate_per_address.split("/")[0])
    for login_id in ["alice", "nobody"]:
        codes = [(await ask(console, login_id)).status_code for _ in range(limit + 1)]
        assert codes == [200] * limit + [429], (login_id, codes)


async def test_the_link_expires_with_the_block(
    console: httpx.AsyncClient,
    services: ManagerServices,
    smtp: SmtpServer,
    sender: None,
    make_account,
) -> None:
    services.lockout.block_seconds = 2
    await make_account()
    await block(console, "alice")
    await ask(console, "alice")
    [mail] = await smtp.mailbox.wait_for("alice@example.com")
    await asyncio.sleep(2.2)
    r = await console.post("/func/portico/unlock", json={"token": token_of(mail)})
    assert r.status_code == 400


async def test_it_is_offered_only_where_recovery_by_mail_is(
    console: httpx.AsyncClient, manager: httpx.AsyncClient, services: ManagerServices
) -> None:
    r = await manager.get("/portico/ui-settings")
    assert r.json()["recovery"]["unlock_link"] is True
    services.settings.recovery.unlock_link = False
    assert (await manager.get("/portico/ui-settings")).json()["recovery"]["unlock_link"] is False
    r = await ask(console, "alice")
    assert r.status_code == 403
    assert (await console.post("/func/portico/unlock", json={"token": "x" * 43})).status_code == 403


async def test_under_the_per_address_scope_it_lifts_the_block_at_every_address(
    console: httpx.AsyncClient,
    services: ManagerServices,
    smtp: SmtpServer,
    sender: None,
    make_account,
) -> None:
    """With lockout_scope = "account_and_address" a block is per address: the owner blocked
    at its own address is blocked nowhere else, and the link lifts every such block."""
    services.password_check.scope = "account_and_address"
    await make_account()
    await block(console, "alice")
    await ask(console, "alice")
    [mail] = await smtp.mailbox.wait_for("alice@example.com")
    r = await console.post("/func/portico/unlock", json={"token": token_of(mail)})
    assert r.status_code == 200
    assert await log_in(console, "alice") == 200
