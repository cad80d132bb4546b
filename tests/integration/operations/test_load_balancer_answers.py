"""The documented HAProxy configuration (docs/haproxy.cfg), with no manager left to answer:
clients get portico's own 503, a problem document with Retry-After, not HAProxy's page."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.support.haproxy import load_balancer
from tests.support.processes import create_account, running
from tests.support.services import free_port


def test_with_no_server_ready_the_balancer_answers_a_problem_with_retry_after(
    tmp_path: Path,
) -> None:
    port, front = free_port(), free_port()
    env = {
        "PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"),
        "PORTICO_AUTH__BCRYPT_ROUNDS": "4",
        "PORTICO_MANAGER__PORT": str(port),
        "PORTICO_AGENT__LOCAL": "false",
    }
    create_account(env)
    url = f"http://127.0.0.1:{port}"
    with (
        running(["manager"], env, url + "/health/livez", tmp_path / "manager.log") as proc,
        load_balancer({front: ("managers", [port])}, tmp_path),
    ):
        assert httpx.get(f"http://127.0.0.1:{front}/health/readyz").status_code == 200
        proc.terminate()
        proc.wait(timeout=15)
        deadline = time.monotonic() + 10
        while True:
            r = httpx.post(f"http://127.0.0.1:{front}/auth/authorize", json={}, timeout=10)
            if r.status_code == 503 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert r.status_code == 503, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert int(r.headers["retry-after"]) > 0
        assert r.json()["type"].endswith("/service-unavailable")
