"""A Redis that hangs (its own redis-server, SIGSTOPped) is answered in bounded time: log-ins
and readiness answer 503 with Retry-After within the Redis deadlines, and afterwards the right
password logs in."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.conftest import GOOD_PASSWORD
from tests.support.private_redis import private_redis
from tests.support.processes import create_account, running
from tests.support.services import free_port
from tests.support.storms import assert_all_shed, first_answer_after_503s, storm_while_paused

LOG_IN = {"username": "alice", "password": GOOD_PASSWORD}
SOCKET_TIMEOUT = 1
PAUSE_SECONDS = 10


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
            answers = storm_while_paused(rd, PAUSE_SECONDS, url, "/server/login", LOG_IN, 30)
            assert_all_shed(answers, within=PAUSE_SECONDS)
            r = first_answer_after_503s(
                lambda: httpx.post(url + "/server/login", json=LOG_IN, timeout=30)
            )
            assert r.status_code == 200, r.text
            assert proc.poll() is None
