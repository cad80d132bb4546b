"""Sign-up, invitations, consent, verification and recovery, end to end through the webserver,
with mail received by a real SMTP server on loopback."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from portico.db.models import TokenPurpose
from portico.manager.container import ManagerServices
from tests.conftest import GOOD_PASSWORD
from tests.support.smtp import SmtpServer, html_of, link_in, text_of

NEW_PASSWORD = "Brand-n3w-secret!"
PUBLIC_URL = "https://console.example.org"
CONSENT = {"terms_version": "1", "privacy_version": "1"}


@pytest.fixture
def signup_settings() -> dict[str, Any]:
    return {"mode": "invite", "email_verification": True, "approval": False}


@pytest.fixture
def manager_overrides(smtp: SmtpServer, signup_settings: dict[str, Any]) -> dict[str, Any]:
    return {
        "signup": signup_settings,
        "recovery": {"enabled": True},
        "service": {"public_url": PUBLIC_URL},
        "email": smtp.email_settings(),
    }


def query_param(link: str, name: str) -> str:
    assert link.startswith(PUBLIC_URL + "/"), link  # built from the public URL, not the Host
    return parse_qs(urlsplit(link).query)[name][0]


async def sign_up(console: httpx.AsyncClient, email: str, **extra: Any) -> httpx.Response:
    body = {
        "email": email,
        "password": GOOD_PASSWORD,
        "user_name": email.split("@")[0],
        **CONSENT,
        **extra,
    }
    return await console.post("/func/auth/signup", json=body)


async def test_invite_signup_verify_login(
    console: httpx.AsyncClient, services: ManagerServices, smtp: SmtpServer, sender: None
) -> None:
    invite = await services.tokens.issue(TokenPurpose.INVITATION, ttl=3600)
    r = await sign_up(console, "newbie@example.com", token=invite)
    assert r.status_code == 201, r.text
    assert r.json() == {"status": "verify-email"}

    # Not verified yet: the right password says so, a wrong one does not.
    login = {"username": "newbie@example.com", "password": GOOD_PASSWORD}
    r = await console.post("/server/login", json=login)
    assert r.status_code == 401
    assert r.json()["data"]["details"] == "This account needs email verification."

    [mail] = await smtp.mailbox.wait_for("newbie@example.com")
    assert "Confirm" in mail["Subject"]
    assert "<a href=" in html_of(mail)
    code = query_param(link_in(mail, "/verify-email"), "verification_code")
    r = await console.post("/func/cloud/verify-email", json={"verification_code": code})
    assert r.status_code == 200
    assert r.json()["verified"] is True
    r = await console.post("/func/cloud/verify-email", json={"verification_code": code})
    assert r.status_code == 400  # single use

    r = await console.post("/server/login", json=login)
    assert r.status_code == 200
    assert (await console.get("/func/auth/role")).status_code == 200


async def test_forgot_password_change_revokes_sessions(
    console: httpx.AsyncClient,
    services: ManagerServices,
    smtp: SmtpServer,
    sender: None,
    make_account,
) -> None:
    await make_account(email="carol@example.com", username="carol")
    login = {"username": "carol", "password": GOOD_PASSWORD}
    old_cookie = (await console.post("/server/login", json=login)).cookies["AIOHTTP_SESSION"]
    console.cookies.clear()

    r = await console.post(
        "/func/cloud/send-password-change-email", json={"email": "carol@example.com"}
    )
    assert r.status_code == 200
    [mail] = await smtp.mailbox.wait_for("carol@example.com")
    link = link_in(mail, "/change-password")
    token = query_param(link, "token")
    assert "30 minutes" in text_of(mail)

    weak = await console.post(
        "/func/cloud/change-password",
        json={"email": "carol@example.com", "password": "short", "token": token},
    )
    assert weak.status_code == 400
    assert weak.json()["reasons"]  # and the link still works:
    r = await console.post(
        "/func/cloud/change-password",
        json={"email": "carol@example.com", "password": NEW_PASSWORD, "token": token},
    )
    assert r.status_code == 200, r.text

    # The old browser session is gone; the old password too; the new one works.
    r = await console.get("/func/auth/role", headers={"X-BackendAI-SessionID": old_cookie})
    assert r.status_code == 401
    assert (await console.post("/server/login", json=login)).status_code == 401
    r = await console.post("/server/login", json={**login, "password": NEW_PASSWORD})
    assert r.status_code == 200
    # The link is spent, and the owner was told.
    again = await console.post(
        "/func/cloud/change-password",
        json={"email": "carol@example.com", "password": NEW_PASSWORD + "x", "token": token},
    )
    assert again.status_code == 400
    notices = await smtp.mailbox.wait_for("carol@example.com", count=2)
    assert "changed" in notices[1]["Subject"]


async def test_a_reset_lifts_the_lockout(
    console: httpx.AsyncClient,
    services: ManagerServices,
    smtp: SmtpServer,
    sender: None,
    make_account,
) -> None:
    await make_account(email="dave@example.com", username="dave")
    for _ in range(services.settings.session.login_allowed_fail_count):
        await console.post("/server/login", json={"username": "dave", "password": "Wr0ng-pass!"})
    r = await console.post("/server/login", json={"username": "dave", "password": GOOD_PASSWORD})
    assert r.status_code == 429
    await console.post("/func/cloud/send-password-change-email", json={"email": "dave@example.com"})
    [mail] = await smtp.mailbox.wait_for("dave@example.com")
    token = query_param(link_in(mail, "/change-password"), "token")
    r = await console.post(
        "/func/cloud/change-password",
        json={"email": "dave@example.com", "password": NEW_PASSWORD, "token": token},
    )
    assert r.status_code == 200
    r = await console.post("/server/login", json={"username": "dave", "password": NEW_PASSWORD})
    assert r.status_code == 200


async def test_a_newer_reset_link_supersedes_the_older(
    console: httpx.AsyncClient, smtp: SmtpServer, sender: None, make_account
) -> None:
    await make_account(email="erin@example.com", username="erin")
    for _ in range(2):
        await console.post(
            "/func/cloud/send-password-change-email", json={"email": "erin@example.com"}
        )
    first, second = await smtp.mailbox.wait_for("erin@example.com", count=2)
    old = query_param(link_in(first, "/change-password"), "token")
    new = query_param(link_in(second, "/change-password"), "token")
    body = {"email": "erin@example.com", "password": NEW_PASSWORD}
    assert (
        await console.post("/func/cloud/change-password", json={**body, "token": old})
    ).status_code == 400
    assert (
        await console.post("/func/cloud/change-password", json={**body, "token": new})
    ).status_code == 200


async def test_the_reset_link_is_bound_to_its_address(
    console: httpx.AsyncClient, smtp: SmtpServer, sender: None, make_account
) -> None:
    await make_account(email="fay@example.com", username="fay")
    await make_account(email="gus@example.com", username="gus")
    await console.post("/func/cloud/send-password-change-email", json={"email": "fay@example.com"})
    [mail] = await smtp.mailbox.wait_for("fay@example.com")
    token = query_param(link_in(mail, "/change-password"), "token")
    r = await console.post(
        "/func/cloud/change-password",
        json={"email": "gus@example.com", "password": NEW_PASSWORD, "token": token},
    )
    assert r.status_code == 400
    r = await console.post(
        "/func/cloud/change-password",
        json={"email": "fay@example.com", "password": NEW_PASSWORD, "token": token},
    )
    assert r.status_code == 200  # the mismatch did not spend it


async def test_mail_follows_the_language(
    console: httpx.AsyncClient, services: ManagerServices, smtp: SmtpServer, sender: None
) -> None:
    invite = await services.tokens.issue(TokenPurpose.INVITATION, ttl=3600)
    body = {"email": "hana@example.com", "password": GOOD_PASSWORD, "token": invite, **CONSENT}
    r = await console.post(
        "/func/auth/signup", json=body, headers={"Accept-Language": "ja,en;q=0.5"}
    )
    assert r.status_code == 201
    [mail] = await smtp.mailbox.wait_for("hana@example.com")
    assert "メールアドレスの確認" in mail["Subject"]
    assert "有効期限" in text_of(mail)


async def test_signup_needs_current_consent_and_a_valid_token(
    console: httpx.AsyncClient, services: ManagerServices
) -> None:
    invite = await services.tokens.issue(TokenPurpose.INVITATION, ttl=3600)
    no_consent = {"email": "ivy@example.com", "password": GOOD_PASSWORD, "token": invite}
    r = await console.post("/func/auth/signup", json=no_consent)
    assert r.status_code == 400
    assert "Terms of Service" in r.json()["title"]
    r = await sign_up(console, "ivy@example.com", token=invite, terms_version="0")
    assert r.status_code == 400
    r = await sign_up(console, "ivy@example.com", token="not-a-token")
    assert r.status_code == 400
    r = await sign_up(console, "ivy@example.com")  # no token at all
    assert r.status_code == 400
    weak = await sign_up(console, "ivy@example.com", token=invite, password="ivy")
    assert weak.status_code == 400
    assert {x["code"] for x in weak.json()["reasons"]} >= {"too_short"}
    # None of that spent the invitation.
    assert (await sign_up(console, "ivy@example.com", token=invite)).status_code == 201


async def test_documents_are_served_with_versions(console: httpx.AsyncClient) -> None:
    for lang, word in (("en", "Terms of Service"), ("ja", "利用規約"), ("ko", "이용약관")):
        doc = (await console.get(f"/func/portico/documents/terms?lang={lang}")).json()
        assert doc["version"] == "1"
        assert word in doc["html"]
    assert (await console.get("/func/portico/documents/privacy")).json()["kind"] == "privacy"
    assert (await console.get("/func/portico/documents/other")).status_code == 404


async def _reset_link_token(console: httpx.AsyncClient, smtp: SmtpServer, email: str) -> str:
    r = await console.post("/func/cloud/send-password-change-email", json={"email": email})
    assert r.status_code == 200
    [mail] = await smtp.mailbox.wait_for(email)
    return query_param(link_in(mail, "/change-password"), "token")


@pytest.mark.parametrize("replace", [True, False])
async def test_a_reset_replaces_the_api_keypair_unless_kept(
    console: httpx.AsyncClient,
    manager: httpx.AsyncClient,
    smtp: SmtpServer,
    sender: None,
    make_account,
    replace: bool,
) -> None:
    from tests.conftest import signed

    dave = await make_account(email="dave@example.com", username="dave")
    token = await _reset_link_token(console, smtp, "dave@example.com")
    body = {"email": "dave@example.com", "password": NEW_PASSWORD, "token": token}
    if not replace:
        body["replace_keypair"] = False
    r = await console.post("/func/cloud/change-password", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["keypair_replaced"] is replace
    assert "secret" not in r.text  # never the secret key in a page's answer
    old_key_works = (await signed(manager, "GET", "/auth/role", dave)).status_code == 200
    assert old_key_works is not replace
    if replace:
        assert (
            r.json()["access_key"].startswith("AKIA") and r.json()["access_key"] != dave.access_key
        )
        login = {"username": "dave", "password": NEW_PASSWORD}
        granted = (await console.post("/server/login", json=login)).json()
        assert granted["data"]["access_key"] == r.json()["access_key"]
    notices = await smtp.mailbox.wait_for("dave@example.com", count=2)
    note = text_of(notices[1])
    assert ("keypair was replaced" in note) is replace and (
        "keypair was kept" in note
    ) is not replace


async def test_the_relay_never_hands_the_secret_key_to_a_page(
    console: httpx.AsyncClient, make_account
) -> None:
    await make_account(email="erin@example.com", username="erin")
    login = {"type": "keypair", "username": "erin", "password": GOOD_PASSWORD}
    assert (await console.post("/func/auth/authorize", json=login)).status_code == 403
    assert (await console.post("/server/login", json=login)).status_code == 200
    for path in ("/func/auth/authorize", "/func/auth/authorize/", "/func%2fauth/authorize"):
        r = await console.post(path, json=login)
        assert r.status_code == 403 and "secret" not in r.text, (path, r.text)
