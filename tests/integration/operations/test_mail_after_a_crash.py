"""Mail survives a sender killed mid-delivery: at least once, and a second copy is the same
message (one Message-ID, one Date), at a real SMTP server on loopback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from email.message import Message
from pathlib import Path

import httpx

from tests.support.processes import create_account, portico_env, running, wait_until_answering
from tests.support.services import free_port
from tests.support.smtp import SmtpServer

SEND_TIMEOUT = 2  # the lease lapses this + 15 s after a claim
RECIPIENTS = [f"user{i}@example.com" for i in range(3)]


def _wait(what: str, until, seconds: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not until():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def test_a_sender_killed_after_the_server_took_a_mail_sends_it_once_more_as_the_same_mail(
    tmp_path: Path, db_url: str
) -> None:
    port = free_port()
    with SmtpServer() as smtp:
        env = {
            "PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"),
            "PORTICO_DB__URL": db_url,
            "PORTICO_AUTH__BCRYPT_ROUNDS": "4",
            "PORTICO_MANAGER__PORT": str(port),
            "PORTICO_AGENT__LOCAL": "false",
            "PORTICO_SERVICE__PUBLIC_URL": "https://console.example.org",
            "PORTICO_RECOVERY__ENABLED": "true",
            "PORTICO_EMAIL__SEND_TIMEOUT": str(SEND_TIMEOUT),
            **{f"PORTICO_EMAIL__{k.upper()}": str(v) for k, v in smtp.email_settings().items()},
        }
        for i, address in enumerate(RECIPIENTS):
            create_account(env, address, f"user{i}")
        url = f"http://127.0.0.1:{port}"
        log = tmp_path / "first.log"
        with log.open("wb") as out:
            first = subprocess.Popen(
                [sys.executable, "-m", "portico.cli", "manager"],
                env=portico_env(env),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        killed: list[Message] = []
        queued = threading.Event()

        def kill_the_sender(message: Message) -> None:
            if not killed:  # the first mail in: its sender dies before it hears 250
                killed.append(message)
                queued.wait(30)  # (once every request is answered)
                os.kill(first.pid, signal.SIGKILL)

        smtp.mailbox.on_receipt = kill_the_sender
        try:
            wait_until_answering(first, url + "/health/livez", log)
            for address in RECIPIENTS:
                r = httpx.post(url + "/cloud/send-password-change-email", json={"email": address})
                assert r.status_code == 200, r.text
            queued.set()
            first.wait(timeout=30)
        finally:
            if first.poll() is None:
                first.kill()
                first.wait()
        assert killed, "the sender was not killed during a delivery"

        with running(["manager"], env, url + "/health/livez", tmp_path / "second.log"):
            _wait(
                "every mail delivered, the interrupted one twice",
                lambda: len(smtp.mailbox.messages) >= len(RECIPIENTS) + 1,
                SEND_TIMEOUT + 15 + 30,
            )
            time.sleep(2)  # and no further copy

    by_recipient = {a: smtp.mailbox.to(a) for a in RECIPIENTS}
    twice = killed[0]["To"]
    assert [len(by_recipient[a]) for a in RECIPIENTS] == [
        2 if a == twice else 1 for a in RECIPIENTS
    ]
    copies = by_recipient[twice]
    assert copies[0]["Message-ID"] == copies[1]["Message-ID"]
    assert copies[0]["Date"] == copies[1]["Date"]
    ids = {m["Message-ID"] for m in smtp.mailbox.messages}
    assert len(ids) == len(RECIPIENTS)  # one id per mail, whatever the copies
