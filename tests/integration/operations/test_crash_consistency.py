"""A manager killed (SIGKILL) in the middle of a sign-up burst leaves no half-made account.

Every account a sign-up created has its consent, and every unverified one has its live
verification token and its mail queued: the rows are written in one transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from portico.db.engine import create_engine
from portico.manager.mail.outbox import LEASE_MARGIN_SECONDS
from tests.conftest import GOOD_PASSWORD
from tests.support.processes import portico_env, running, wait_until_answering
from tests.support.services import free_port

CONSENT = {"terms_version": "1", "privacy_version": "1"}
SIGNED_UP = "SELECT count(*) FROM users WHERE created_via = 'signup'"
ORPHANS = {
    "accounts without consent": """
        SELECT count(*) FROM users u WHERE u.created_via = 'signup'
        AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.user_id = u.uuid)""",
    "unverified accounts without a live verification token": """
        SELECT count(*) FROM users u WHERE u.status = 'before-verification'
        AND NOT EXISTS (SELECT 1 FROM auth_tokens t WHERE t.user_id = u.uuid
                        AND t.purpose = 'verification' AND t.revoked_at IS NULL)""",
    "unverified accounts without a verification mail": """
        SELECT count(*) FROM users u WHERE u.status = 'before-verification'
        AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.to_address = u.email)""",
}


async def _burst(url: str, count: int) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:

        async def one(i: int) -> None:
            body = {"email": f"new{i}@example.com", "password": GOOD_PASSWORD, **CONSENT}
            with contextlib.suppress(httpx.TransportError):  # killed under this request
                await client.post("/auth/signup", json=body)

        await asyncio.gather(*(one(i) for i in range(count)))


async def _count(db_url: str, sql: str) -> int:
    engine = create_engine(db_url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text(sql))).scalar_one())
    finally:
        await engine.dispose()


@pytest.mark.parametrize("kill_after", [5, 60])
def test_kill_9_during_a_sign_up_burst_leaves_no_orphan_and_loses_no_mail(
    tmp_path: Path, db_url: str, kill_after: int
) -> None:
    port = free_port()
    env = {
        "PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"),
        "PORTICO_DB__URL": db_url,
        "PORTICO_AUTH__BCRYPT_ROUNDS": "4",
        "PORTICO_MANAGER__PORT": str(port),
        "PORTICO_AGENT__LOCAL": "false",
        "PORTICO_SIGNUP__MODE": "open",
        "PORTICO_SIGNUP__EMAIL_VERIFICATION": "true",
        "PORTICO_EMAIL__BACKEND": "file",
        "PORTICO_EMAIL__RATE_PER_CLIENT": "100000/minute",
        "PORTICO_EMAIL__FILE_DIR": str(tmp_path / "mail"),
    }
    url = f"http://127.0.0.1:{port}"
    log = (tmp_path / "manager.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "portico.cli", "manager"],
        env=portico_env(env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_answering(proc, url + "/health/livez", tmp_path / "manager.log")

        async def burst_then_kill() -> None:
            burst = asyncio.create_task(_burst(url, 400))
            # Kill once some sign-ups have landed and most are still in flight.
            while (  # noqa: ASYNC110 - polling another process's rows
                await _count(db_url, SIGNED_UP) < kill_after and not burst.done()
            ):
                await asyncio.sleep(0.02)
            os.kill(proc.pid, signal.SIGKILL)
            await burst

        asyncio.run(burst_then_kill())
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    created = asyncio.run(_count(db_url, SIGNED_UP))
    assert created > 0, "the kill came before any sign-up finished; nothing was tested"
    for what, sql in ORPHANS.items():
        assert asyncio.run(_count(db_url, sql)) == 0, what

    # After a restart every queued mail leaves: none was lost with the process.
    with running(["manager"], env, url + "/health/livez", tmp_path / "manager2.log"):
        # A message claimed just before the kill waits out its lease first.
        deadline = time.monotonic() + 30 + LEASE_MARGIN_SECONDS + 30
        unverified = asyncio.run(
            _count(db_url, "SELECT count(*) FROM users WHERE status='before-verification'")
        )
        while len(list((tmp_path / "mail").glob("*.eml"))) < unverified:
            assert time.monotonic() < deadline, "queued mail was not delivered after the restart"
            time.sleep(0.2)
