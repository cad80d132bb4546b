"""Two-factor log-in: enrolment, Backend.AI's log-in protocol, single use of every code, the
lock-out, parity of the answers, the "required" mode, removal by the owner and by an admin."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pyotp
import pytest
from sqlalchemy import select

from portico.db.models import AuditEntry, RecoveryCode, TotpFactor
from portico.manager.container import ManagerServices
from tests.conftest import GOOD_PASSWORD, Account, signed, step_up
from tests.support.smtp import SmtpServer, text_of

LOGIN = {"username": "alice@example.com", "password": GOOD_PASSWORD}
CONSENT = {"terms_version": "1", "privacy_version": "1"}


@pytest.fixture
def two_factor_mode() -> str:
    return "optional"


@pytest.fixture
def manager_overrides(smtp: SmtpServer, two_factor_mode: str) -> dict[str, dict[str, Any]]:
    return {
        "auth": {"two_factor": two_factor_mode},
        "service": {"public_url": "https://console.example.org"},
        "email": smtp.email_settings(),
    }


@pytest.fixture
async def alice(make_account, manager: httpx.AsyncClient) -> Account:  # type: ignore[no-untyped-def]
    """Alice, who just gave her password again (the enrolment needs a step-up)."""
    account: Account = await make_account()
    await step_up(manager, account)
    return account


def code(secret: str, steps_ahead: int = 0) -> str:
    """The app's code now, or for a later step (a code is good once, so a second log-in within
    the same 30 s uses the next one, which the drift allowance takes)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


async def enrol(manager: httpx.AsyncClient, account: Account) -> tuple[str, list[str]]:
    await step_up(manager, account)
    begun = await signed(manager, "POST", "/portico/two-factor/totp", account)
    assert begun.status_code == 200, begun.text
    secret = begun.json()["secret"]
    done = await signed(
        manager, "POST", "/portico/two-factor/totp/confirm", account, json={"code": code(secret)}
    )
    assert done.status_code == 200, done.text
    return secret, done.json()["recovery_codes"]


async def refused_without_password_and_code(
    manager: httpx.AsyncClient, path: str, account: Account, secret: str
) -> None:
    """No code: 400; a wrong password or a wrong code: 401."""
    no_code = await signed(manager, "POST", path, account, json={"password": GOOD_PASSWORD})
    assert no_code.status_code == 400
    for wrong in (
        {"password": "Wr0ng-pass!", "code": code(secret, 1)},
        {"password": GOOD_PASSWORD, "code": "000000"},
    ):
        assert (await signed(manager, "POST", path, account, json=wrong)).status_code == 401


async def kinds(services: ManagerServices) -> list[str]:
    await services.log_in.settle()
    async with services.database() as db:
        return list((await db.scalars(select(AuditEntry.kind).order_by(AuditEntry.id))).all())


async def test_enrolment_shows_the_secret_as_text_and_qr_and_confirms_with_one_code(
    manager: httpx.AsyncClient,
    console: httpx.AsyncClient,
    services: ManagerServices,
    alice: Account,
    smtp: SmtpServer,
    sender: None,
) -> None:
    state = await signed(manager, "GET", "/portico/two-factor", alice)
    assert state.json() == {"mode": "optional", "enabled": False, "recovery_codes_left": 0}
    begun = (await signed(manager, "POST", "/portico/two-factor/totp", alice)).json()
    assert begun["uri"].startswith("otpauth://totp/")
    assert f"secret={begun['secret']}" in begun["uri"]
    assert begun["qr_svg"].startswith("<svg") and "</svg>" in begun["qr_svg"]
    # Not confirmed yet: a log-in does not ask for a code.
    assert (await console.post("/server/login", json=LOGIN)).json()["authenticated"] is True
    await console.post("/server/logout", json={})

    wrong = await signed(
        manager, "POST", "/portico/two-factor/totp/confirm", alice, json={"code": "000000"}
    )
    assert wrong.status_code == 401 and wrong.json()["code"] == "invalid-otp"
    confirmed = await signed(
        manager,
        "POST",
        "/portico/two-factor/totp/confirm",
        alice,
        json={"code": code(begun["secret"])},
    )
    codes = confirmed.json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(len(c) == 11 and c[5] == "-" for c in codes)
    state = await signed(manager, "GET", "/portico/two-factor", alice)
    assert state.json() == {"mode": "optional", "enabled": True, "recovery_codes_left": 10}
    # Stored sealed and hashed: neither the secret nor a code is in the database.
    async with services.database() as db:
        stored = [(await db.get(TotpFactor, (await services.accounts.find(alice.email)).uuid))]
        hashes = (await db.scalars(select(RecoveryCode.code_hash))).all()
    assert begun["secret"] not in stored[0].secret_sealed  # type: ignore[union-attr]
    assert not {c.replace("-", "") for c in codes} & set(hashes)
    again = await signed(manager, "POST", "/portico/two-factor/totp", alice)
    assert again.status_code == 409
    mail = await smtp.mailbox.wait_for(alice.email)
    assert "Two-factor log-in is on" in mail[-1]["Subject"]
    assert "two-factor.enabled" in await kinds(services)


async def test_the_log_in_asks_for_the_code_as_backend_ai_does_and_takes_each_code_once(
    manager: httpx.AsyncClient,
    console: httpx.AsyncClient,
    services: ManagerServices,
    alice: Account,
    smtp: SmtpServer,
    sender: None,
) -> None:
    secret, recovery = await enrol(manager, alice)

    asked = await console.post("/server/login", json=LOGIN)
    assert asked.status_code == 200
    assert asked.json()["authenticated"] is False
    assert asked.json()["data"]["details"] == "OTP not provided"
    assert asked.json()["data"]["type"].endswith("/require-totp-authentication")
    assert "set-cookie" not in asked.headers
    assert (await console.get("/func/auth/role")).status_code == 401

    good = code(secret, 1)
    r = await console.post("/server/login", json={**LOGIN, "otp": good})
    assert r.json()["authenticated"] is True, r.text
    assert (await console.get("/func/auth/role")).status_code == 200
    await console.post("/server/logout", json={})

    replayed = await console.post("/server/login", json={**LOGIN, "otp": good})
    assert replayed.status_code == 401
    assert replayed.json()["data"]["code"] == "invalid-otp"

    r = await console.post("/server/login", json={**LOGIN, "otp": recovery[0].upper()})
    assert r.json()["authenticated"] is True, r.text
    await console.post("/server/logout", json={})
    again = await console.post("/server/login", json={**LOGIN, "otp": recovery[0]})
    assert again.status_code == 401 and again.json()["data"]["code"] == "invalid-otp"
    state = await signed(manager, "GET", "/portico/two-factor", alice)
    assert state.json()["recovery_codes_left"] == 9

    mails = await smtp.mailbox.wait_for(alice.email, count=2)
    assert "recovery code was used" in mails[-1]["Subject"]
    assert recovery[0] not in text_of(mails[-1])
    assert "two-factor.recovery-code-used" in await kinds(services)


async def test_a_wrong_password_reads_the_same_with_and_without_a_factor(
    manager: httpx.AsyncClient,
    console: httpx.AsyncClient,
    make_account,  # type: ignore[no-untyped-def]
) -> None:
    plain: Account = await make_account("plain@example.com", "plain")
    guarded: Account = await make_account("guarded@example.com", "guarded")
    await enrol(manager, guarded)

    async def refusal(email: str, **extra: str) -> tuple[int, dict[str, Any]]:
        r = await console.post(
            "/server/login", json={"username": email, "password": "Wr0ng-pass!", **extra}
        )
        return r.status_code, r.json()

    assert await refusal(plain.email) == await refusal(guarded.email)
    assert await refusal(plain.email, otp="123456") == await refusal(guarded.email, otp="123456")
    assert (await refusal(guarded.email))[0] == 401


async def test_ten_wrong_codes_lock_the_account_like_ten_wrong_passwords(
    manager: httpx.AsyncClient, console: httpx.AsyncClient, alice: Account
) -> None:
    secret, _ = await enrol(manager, alice)
    answers = []
    for _ in range(10):
        r = await console.post("/server/login", json={**LOGIN, "otp": "000000"})
        answers.append((r.status_code, r.json()["data"].get("code")))
    assert answers == [(401, "invalid-otp")] * 10
    blocked = await console.post("/server/login", json={**LOGIN, "otp": code(secret, 1)})
    assert blocked.status_code == 429


async def test_a_hundred_concurrent_wrong_codes_get_at_most_ten_checks(
    manager: httpx.AsyncClient,
    console: httpx.AsyncClient,
    services: ManagerServices,
    alice: Account,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await enrol(manager, alice)
    checked = 0
    real = services.two_factor.verify_at_log_in

    async def counted(*args: Any, **kwargs: Any) -> None:
        nonlocal checked
        checked += 1
        await real(*args, **kwargs)

    monkeypatch.setattr(services.two_factor, "verify_at_log_in", counted)
    answers = await asyncio.gather(
        *(console.post("/server/login", json={**LOGIN, "otp": "111111"}) for _ in range(100))
    )
    statuses = sorted(r.status_code for r in answers)
    assert checked <= 10, checked
    assert statuses.count(401) == checked and statuses.count(429) == 100 - checked


async def test_turning_it_off_needs_the_password_and_a_code(
    manager: httpx.AsyncClient,
    console: httpx.AsyncClient,
    services: ManagerServices,
    alice: Account,
    smtp: SmtpServer,
    sender: None,
) -> None:
    secret, _ = await enrol(manager, alice)
    path = "/portico/two-factor/totp/disable"
    await refused_without_password_and_code(manager, path, alice, secret)
    right = {"password": GOOD_PASSWORD, "code": code(secret, 1)}
    assert (await signed(manager, "POST", path, alice, json=right)).status_code == 200
    assert (await console.post("/server/login", json=LOGIN)).json()["authenticated"] is True
    mails = await smtp.mailbox.wait_for(alice.email, count=2)
    assert "off" in mails[-1]["Subject"]
    assert "two-factor.disabled" in await kinds(services)


async def test_new_recovery_codes_replace_the_old_ones_after_the_password_and_a_code(
    manager: httpx.AsyncClient,
    console: httpx.AsyncClient,
    services: ManagerServices,
    alice: Account,
    smtp: SmtpServer,
    sender: None,
) -> None:
    path = "/portico/two-factor/recovery-codes"
    right_now = {"password": GOOD_PASSWORD, "code": "123456"}
    assert (await signed(manager, "POST", path, alice, json=right_now)).status_code == 409
    secret, old = await enrol(manager, alice)
    await refused_without_password_and_code(manager, path, alice, secret)

    right = {"password": GOOD_PASSWORD, "code": code(secret, 1)}
    renewed = await signed(manager, "POST", path, alice, json=right)
    assert renewed.status_code == 200, renewed.text
    new = renewed.json()["recovery_codes"]
    assert len(new) == 10 and not set(new) & set(old)
    # The code that allowed it is used up.
    assert (await signed(manager, "POST", path, alice, json=right)).status_code == 401
    state = await signed(manager, "GET", "/portico/two-factor", alice)
    assert state.json()["recovery_codes_left"] == 10

    refused = await console.post("/server/login", json={**LOGIN, "otp": old[0]})
    assert refused.status_code == 401
    taken = await console.post("/server/login", json={**LOGIN, "otp": new[0]})
    assert taken.json()["authenticated"] is True
    # Through the console's relay too, with a recovery code as the proof: it goes with the rest.
    again = await console.post(
        "/func/portico/two-factor/recovery-codes", json={"password": GOOD_PASSWORD, "code": new[1]}
    )
    assert again.status_code == 200, again.text
    newest = again.json()["recovery_codes"]
    await console.post("/server/logout", json={})
    assert (await console.post("/server/login", json={**LOGIN, "otp": new[2]})).status_code == 401
    ok = await console.post("/server/login", json={**LOGIN, "otp": newest[0]})
    assert ok.json()["authenticated"] is True

    mails = await smtp.mailbox.wait_for(alice.email, count=5)
    assert sum("New recovery codes" in m["Subject"] for m in mails) == 2
    assert (await kinds(services)).count("two-factor.recovery-codes-renewed") == 2


async def test_an_admin_clears_a_lost_factor_with_a_notice_and_an_audit_row(
    manager: httpx.AsyncClient,
    console: httpx.AsyncClient,
    services: ManagerServices,
    make_account,  # type: ignore[no-untyped-def]
    alice: Account,
    smtp: SmtpServer,
    sender: None,
) -> None:
    root: Account = await make_account("root@example.com", "root", role="superadmin")
    await enrol(manager, alice)
    user_id = (await services.accounts.find(alice.email)).uuid  # type: ignore[union-attr]
    path = f"/admin/users/{user_id}/clear-two-factor"
    assert (await signed(manager, "POST", path, alice)).status_code == 403
    detail = await signed(manager, "GET", f"/admin/users/{user_id}", root)
    assert detail.json()["two_factor"] is True
    assert (await signed(manager, "POST", path, root)).status_code == 200
    assert (await signed(manager, "POST", path, root)).status_code == 409
    assert (await console.post("/server/login", json=LOGIN)).json()["authenticated"] is True
    mails = await smtp.mailbox.wait_for(alice.email, count=2)
    assert "administrator turned off two-factor" in mails[-1]["Subject"]
    async with services.database() as db:
        row = await db.scalar(select(AuditEntry).where(AuditEntry.kind == "two-factor.cleared"))
    assert row is not None and row.actor == root.email and row.subject == alice.email


@pytest.mark.parametrize("two_factor_mode", ["required"])
async def test_required_a_fresh_account_reaches_nothing_but_enrolment(
    console: httpx.AsyncClient, manager: httpx.AsyncClient, alice: Account
) -> None:
    step = await console.post("/server/login", json=LOGIN)
    assert step.status_code == 200 and step.json()["authenticated"] is False
    data = step.json()["data"]
    assert data["type"].endswith("/require-totp-registration")
    token = data["two_factor_registration_token"]
    assert "set-cookie" not in step.headers
    # No session: nothing but the enrolment answers.
    assert (await console.get("/func/auth/role")).status_code == 401
    assert (await console.get("/func/portico/me")).status_code == 401
    bad = await console.post("/func/portico/two-factor/setup/totp", json={"token": "nope"})
    assert bad.status_code == 400

    begun = await console.post("/func/portico/two-factor/setup/totp", json={"token": token})
    assert begun.status_code == 200, begun.text
    secret = begun.json()["secret"]
    done = await console.post(
        "/func/portico/two-factor/setup/totp/confirm", json={"token": token, "code": code(secret)}
    )
    assert done.status_code == 200 and len(done.json()["recovery_codes"]) == 10
    # The token is spent with the enrolment.
    reused = await console.post("/func/portico/two-factor/setup/totp", json={"token": token})
    assert reused.status_code == 400

    asked = await console.post("/server/login", json=LOGIN)
    assert asked.json()["data"]["details"] == "OTP not provided"
    r = await console.post("/server/login", json={**LOGIN, "otp": code(secret, 1)})
    assert r.json()["authenticated"] is True
    off = await console.post(
        "/func/portico/two-factor/totp/disable",
        json={"password": GOOD_PASSWORD, "code": code(secret, 1)},
    )
    assert off.status_code == 409  # required here: only an administrator can clear it


@pytest.mark.parametrize("two_factor_mode", ["off"])
async def test_off_offers_nothing(manager: httpx.AsyncClient, alice: Account) -> None:
    r = await signed(manager, "POST", "/portico/two-factor/totp", alice)
    assert r.status_code == 403
    state = await signed(manager, "GET", "/portico/two-factor", alice)
    assert state.json()["mode"] == "off"


async def test_malformed_bodies_are_clear_400s(
    manager: httpx.AsyncClient, console: httpx.AsyncClient, alice: Account
) -> None:
    path = "/portico/two-factor/totp/confirm"
    for body in ({}, {"code": ""}, {"code": "1" * 100}, {"code": 123456}):
        r = await signed(manager, "POST", path, alice, json=body)
        assert r.status_code == 400, (body, r.text)
    r = await console.post("/func/portico/two-factor/setup/totp", json={"token": ""})
    assert r.status_code == 400


async def test_a_code_sent_before_new_terms_are_accepted_still_counts_after(
    console: httpx.AsyncClient, services: ManagerServices
) -> None:
    services.settings.signup.mode = "open"
    services.settings.signup.email_verification = False
    quinn = {"username": "quinn@example.com", "password": GOOD_PASSWORD}
    signed_up = await console.post(
        "/func/auth/signup",
        json={"email": quinn["username"], "password": GOOD_PASSWORD, **CONSENT},
    )
    assert signed_up.status_code == 201, signed_up.text
    assert (await console.post("/server/login", json=quinn)).json()["authenticated"] is True
    await console.post("/func/portico/step-up", json={"password": GOOD_PASSWORD})
    secret = (await console.post("/func/portico/two-factor/totp")).json()["secret"]
    await console.post("/func/portico/two-factor/totp/confirm", json={"code": code(secret)})
    await console.post("/server/logout", json={})

    services.settings.consent.terms_version = "2"
    otp = code(secret, 1)
    step = await console.post("/server/login", json={**quinn, "otp": otp})
    assert step.json()["data"]["type"].endswith("/require-consent")
    agreed = {"agreed_terms_version": "2", "agreed_privacy_version": "1"}
    r = await console.post("/server/login", json={**quinn, "otp": otp, **agreed})
    assert r.json()["authenticated"] is True, r.text
    await console.post("/server/logout", json={})
    # Used up by the log-in that opened a session.
    r = await console.post("/server/login", json={**quinn, "otp": otp})
    assert r.status_code == 401


async def test_ten_log_ins_racing_with_one_code_get_one_session(
    manager: httpx.AsyncClient, console: httpx.AsyncClient, alice: Account
) -> None:
    secret, _ = await enrol(manager, alice)
    otp = code(secret, 1)

    async def one() -> bool:
        # A browser of its own each: no cookie from another's success.
        async with httpx.AsyncClient(
            transport=console._transport, base_url=str(console.base_url)
        ) as browser:
            r = await browser.post("/server/login", json={**LOGIN, "otp": otp})
            return bool(r.json().get("authenticated"))

    outcomes = await asyncio.gather(*(one() for _ in range(10)))
    assert outcomes.count(True) == 1
