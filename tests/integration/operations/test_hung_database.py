"""A database that hangs (its own PostgreSQL, every process SIGSTOPped) is answered in
bounded time: 503 with Retry-After within the deadlines, no pile-up, and afterwards the right
password logs in (the log-ins that timed out were no guesses)."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.conftest import GOOD_PASSWORD
from tests.support.private_postgres import private_postgres
from tests.support.processes import create_account, running
from tests.support.services import free_port
from tests.support.storms import assert_all_shed, first_answer_after_503s, storm_while_paused

LOG_IN = {"type": "keypair", "username": "alice", "password": GOOD_PASSWORD}
STATEMENT_TIMEOUT, POOL_TIMEOUT, CONNECT_TIMEOUT, DEADLINE = 2, 1, 2, 6
PAUSE_SECONDS = 15


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
            answers = storm_while_paused(pg, PAUSE_SECONDS, url, "/auth/authorize", LOG_IN, 60)
            # Bounded by the deadlines, not by the pause.
            assert_all_shed(answers, within=min(DEADLINE + 3, PAUSE_SECONDS))
            # Back: the right password logs in at once (nothing counted as a failed guess).
            r = first_answer_after_503s(
                lambda: httpx.post(url + "/auth/authorize", json=LOG_IN, timeout=30)
            )
            assert r.status_code == 200, r.text
            assert proc.poll() is None
