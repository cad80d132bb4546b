"""A Redis that hangs (its own redis-server, SIGSTOPped) is answered in bounded time: log-ins
and readiness answer 503 with Retry-After within the Redis deadlines, and afterwards the right
password logs in."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from tests.conftest import GOOD_PASSWORD
from tests.support.private_redis import private_redis
from tests.support.processes import create_account, running
from tests.support.services import free_port

LOG_IN = {"username": "alice", "password": GOOD_PASSWORD}
SOCKET_TIMEOUT = 1
PAUSE_SECONDS = 10


async def _storm(url: str, count: int) -> list[tuple[int, str, float]]:
    async with httpx.AsyncClient(base_url=url, timeout=PAUSE_SECONDS * 2) as client:

        async def one(i: int) -> tuple[int, str, float]:
            started = time.monotonic()
            r = await (
                client.get("/health/readyz")
                if i % 5 == 4
                else client.post("/server/login", json=LOG_IN)
            )
            return r.status_code, r.headers.get("retry-after", ""), time.monotonic() - started

        return await asyncio.gather(*(one(i) for i in range(count)))


def test_a_paused_redis_is_answered_503_in_bounded_time(tmp_path: Path) -> None:
    port = free_port()
    with private_redis() as rd:
        env = {
            "PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"),
            "PORTICO_REDIS__URL": rd.url,
            "PORTICO_REDIS__SOCKET_TIMEOUT": str(SOCKET_TIMEOUT),
            "PORTICO_SESSION__STORE": "redis",
            "PORTICO_AUTH__BCRYPT_ROUNDS": "4",
            "PORTICO_SERVICE__PORT": str(port),
            "PORTICO_MANAGER__PORT": str(free_port()),
            "PORTICO_AGENT__LOCAL": "false",
        }
        create_account(env)
        url = f"http://127.0.0.1:{port}"
        with running(["serve"], env, url + "/func/ping", tmp_path / "serve.log") as proc:
            assert httpx.post(url + "/server/login", json=LOG_IN).status_code == 200
            rd.pause()
            paused_at = time.monotonic()
            try:
                answers = asyncio.run(_storm(url, 30))
            finally:
                time.sleep(max(0.0, PAUSE_SECONDS - (time.monotonic() - paused_at)))
                rd.resume()
            slowest = max(seconds for _, _, seconds in answers)
            assert slowest < PAUSE_SECONDS, f"slowest answer {slowest:.1f} s"
            for status, retry_after, _ in answers:
                assert status == 503, answers
                assert int(retry_after) > 0
            deadline = time.monotonic() + 20
            while True:
                r = httpx.post(url + "/server/login", json=LOG_IN, timeout=30)
                if r.status_code != 503 or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            assert r.status_code == 200, r.text
            assert proc.poll() is None
