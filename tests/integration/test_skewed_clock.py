"""A manager whose clock runs an hour ahead (Debian's faketime) shares a PostgreSQL of the
test's own with a manager whose clock is right: a block made on one holds on the other, and
the skewed one is not ready and says why."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import GOOD_PASSWORD
from tests.support.private_postgres import private_postgres
from tests.support.processes import create_account, portico_env, running, wait_until_answering
from tests.support.services import free_port, unavailable

RIGHT = {"type": "keypair", "username": "alice", "password": GOOD_PASSWORD}
WRONG = {**RIGHT, "password": "Wr0ng-pass!"}


def test_a_block_holds_on_a_replica_an_hour_ahead_which_is_not_ready(tmp_path: Path) -> None:
    if shutil.which("faketime") is None:
        unavailable("faketime is not installed (apt-get install faketime)")
    with private_postgres() as pg:
        base = {
            "PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"),
            "PORTICO_DB__URL": pg.url,
            "PORTICO_SECURITY__SECRET_KEY": "one-secret-for-both-managers-" + "x" * 20,
            "PORTICO_SESSION__LOGIN_ALLOWED_FAIL_COUNT": "3",
            "PORTICO_AUTH__BCRYPT_ROUNDS": "4",
            "PORTICO_AGENT__LOCAL": "false",
        }
        create_account(base)
        right_port, ahead_port = free_port(), free_port()
        right = f"http://127.0.0.1:{right_port}"
        ahead = f"http://127.0.0.1:{ahead_port}"
        ahead_env = portico_env({**base, "PORTICO_MANAGER__PORT": str(ahead_port)})
        ahead_env["FAKETIME_DONT_FAKE_MONOTONIC"] = "1"  # (the event loop's timers stay real)
        ahead_log = tmp_path / "ahead.log"
        with (
            running(
                ["manager"],
                {**base, "PORTICO_MANAGER__PORT": str(right_port)},
                right + "/",
                tmp_path / "right.log",
            ),
            ahead_log.open("wb") as out,
        ):
            # A session of its own: faketime runs the manager as its child, and stopping the
            # test stops both.
            skewed = subprocess.Popen(
                ["faketime", "-f", "+3600s", sys.executable, "-m", "portico.cli", "manager"],
                env=ahead_env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                wait_until_answering(skewed, ahead + "/health/livez", ahead_log)
                for _ in range(3):
                    assert httpx.post(right + "/auth/authorize", json=WRONG).status_code == 401
                assert httpx.post(right + "/auth/authorize", json=RIGHT).status_code == 429
                # An hour ahead, the block must not look over, nor be lifted by a success.
                r = httpx.post(ahead + "/auth/authorize", json=RIGHT)
                assert r.status_code == 429, r.text
                assert httpx.post(right + "/auth/authorize", json=RIGHT).status_code == 429

                ready = httpx.get(ahead + "/health/readyz")
                assert ready.status_code == 503, ready.text
                assert ready.json()["checks"]["clock"] == "unavailable"
                assert "off the database's" in ahead_log.read_text()
                assert httpx.get(right + "/health/readyz").status_code == 200
            finally:
                os.killpg(skewed.pid, signal.SIGTERM)
                try:
                    skewed.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(skewed.pid, signal.SIGKILL)
                    skewed.wait()
