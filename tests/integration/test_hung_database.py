"""A database that hangs (its own PostgreSQL, every process SIGSTOPped) is answered in
bounded time: 503 with Retry-After within the deadlines, no pile-up, and afterwards the right
password logs in (the log-ins that timed out were no guesses)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from tests.conftest import GOOD_PASSWORD
from tests.support.private_postgres import private_postgres
from tests.support.processes import create_account, running
from tests.support.services import free_port

LOG_IN = {"type": "keypair", "username": "alice", "password": GOOD_PASSWORD}
STATEMENT_TIMEOUT, POOL_TIMEOUT, CONNECT_TIMEOUT, DEADLINE = 2, 1, 2, 6
PAUSE_SECONDS = 15


async def _storm(url: str, count: int) -> list[tuple[int, str, float]]:
    """`count` log-ins and readiness probes at once: (status, Retry-After, seconds) each."""
    async with httpx.AsyncClient(base_url=url, timeout=PAUSE_SECONDS * 2) as client:

        async def one(i: int) -> tuple[int, str, float]:
            started = time.monotonic()
            if i % 5 == 4:
                r = await client.get("/health/readyz")
            else:
                r = await client.post("/auth/authorize", json=LOG_IN)
            return r.status_code, r.headers.get("retry-after", ""), time.monotonic() - started

        return await asyncio.gather(*(one(i) for i in range(count)))


def test_a_paused_database_is_answered_503_within_the_deadlines_and_leaves_no_block(
    tmp_path: Path,
) -> None:
    port = free_port()
    with private_postgres() as pg:
        env = {
            "PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"),
            "PORTICO_DB__URL": pg.url,
            "PORTICO_DB__STATEMENT_TIMEOUT": str(STATEMENT_TIMEOUT),
            "PORTICO_DB__POOL_TIMEOUT": str(POOL_TIMEOUT),
            "PORTICO_DB__CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
            "PORTICO_SERVICE__REQUEST_DEADLINE": str(DEADLINE),
            "PORTICO_SESSION__LOGIN_ALLOWED_FAIL_COUNT": "3",
            "PORTICO_AUTH__BCRYPT_ROUNDS": "4",
            "PORTICO_MANAGER__PORT": str(port),
            "PORTICO_AGENT__LOCAL": "false",
        }
        create_account(env)
        url = f"http://127.0.0.1:{port}"
        with running(["manager"], env, url + "/health/livez", tmp_path / "manager.log") as proc:
            assert httpx.post(url + "/auth/authorize", json=LOG_IN).status_code == 200
            pg.pause()
            paused_at = time.monotonic()
            try:
                answers = asyncio.run(_storm(url, 60))
            finally:
                # Keep it paused for the whole pause, as the outage being tested lasts.
                time.sleep(max(0.0, PAUSE_SECONDS - (time.monotonic() - paused_at)))
                pg.resume()
            slowest = max(seconds for _, _, seconds in answers)
            assert slowest < DEADLINE + 3, f"slowest answer {slowest:.1f} s"
            assert slowest < PAUSE_SECONDS  # bounded by the deadlines, not by the pause
            for status, retry_after, _ in answers:
                assert status == 503, answers
                assert int(retry_after) > 0
            # Back: the right password logs in at once (nothing counted as a failed guess).
            deadline = time.monotonic() + 20
            while True:
                r = httpx.post(url + "/auth/authorize", json=LOG_IN, timeout=30)
                if r.status_code != 503 or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            assert r.status_code == 200, r.text
            assert proc.poll() is None
