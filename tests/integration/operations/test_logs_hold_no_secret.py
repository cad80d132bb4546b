"""The service log of a real `portico serve` never holds a password, a token, a session id or a
secret key, whatever flows ran through it."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx

from tests.conftest import GOOD_PASSWORD
from tests.support.processes import create_account, invite, running
from tests.support.services import free_port

NEW_PASSWORD = "Brand-n3w-secret!"
CONSENT = {"terms_version": "1", "privacy_version": "1"}


def mailed_tokens(mail: Path) -> set[str]:
    pattern = r"(?:token|verification_code)=([\w-]{20,})"
    return {token for path in mail.glob("*.eml") for token in re.findall(pattern, path.read_text())}


def test_no_secret_reaches_the_log(tmp_path: Path) -> None:
    port = free_port()
    mail = tmp_path / "mail"
    env = {
        "PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"),
        "PORTICO_AUTH__BCRYPT_ROUNDS": "4",
        "PORTICO_SERVICE__PORT": str(port),
        "PORTICO_MANAGER__PORT": str(free_port()),
        "PORTICO_SERVICE__PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PORTICO_SIGNUP__MODE": "invite",
        "PORTICO_RECOVERY__ENABLED": "true",
        "PORTICO_EMAIL__BACKEND": "file",
        "PORTICO_EMAIL__FILE_DIR": str(mail),
    }
    secrets = {GOOD_PASSWORD, NEW_PASSWORD, "Wr0ng-pass!"}
    create_account(env)
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with running(["serve"], env, url + "/func/ping", log):
        _, invitation = invite(env)
        secrets.add(invitation)
        with httpx.Client(base_url=url, timeout=20) as web:
            web.post("/server/login", json={"username": "alice", "password": "Wr0ng-pass!"})
            login = web.post("/server/login", json={"username": "alice", "password": GOOD_PASSWORD})
            secrets.add(login.cookies["AIOHTTP_SESSION"])
            web.post("/func/portico/step-up", json={"password": GOOD_PASSWORD})
            secrets.add(web.post("/server/replace-keypair").json()["secret_key"])
            signup = web.post(
                "/func/auth/signup",
                json={
                    "email": "new@example.com",
                    "password": GOOD_PASSWORD,
                    "token": invitation,
                    **CONSENT,
                },
            )
            assert signup.status_code == 201
            web.post("/func/cloud/send-password-change-email", json={"email": "alice@example.com"})
            web.get(f"/?token={invitation}")  # a token in a query string
        deadline = time.monotonic() + 15
        while len(mailed_tokens(mail)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)  # the verification and the reset mail
        secrets.update(mailed_tokens(mail))
    assert len(secrets) >= 8
    text = log.read_text()
    leaked = [s for s in secrets if s in text]
    assert leaked == []
