"""The 2 x 2 deployment with its first manager's clock an hour ahead (Debian's faketime): a
block made through the cluster holds on that manager too, a right password there neither
gets in nor lifts the block, calls signed on a right clock pass there, and the manager is
not ready and says why, so HAProxy sends nothing to it."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from portico.wire.signing import signed_headers
from portico.wire.versions import API_VERSION
from tests.conftest import GOOD_PASSWORD
from tests.support.cluster import two_by_two
from tests.support.processes import create_account
from tests.support.services import unavailable

ALICE = {"type": "keypair", "username": "alice", "password": GOOD_PASSWORD}
BOB = {"username": "bob", "password": GOOD_PASSWORD}


def test_an_hour_ahead_a_manager_keeps_blocks_takes_right_signatures_and_is_not_ready(
    tmp_path: Path,
) -> None:
    if shutil.which("faketime") is None:
        unavailable("faketime is not installed (apt-get install faketime)")
    with two_by_two(
        tmp_path,
        first_manager_under=("faketime", "-f", "+3600s"),
        PORTICO_SESSION__LOGIN_ALLOWED_FAIL_COUNT="3",
        FAKETIME_DONT_FAKE_MONOTONIC="1",  # (event-loop timers stay real)
    ) as cluster:
        ahead, right = cluster.managers_direct
        create_account(cluster.env, email="bob@example.com", username="bob")

        ready = httpx.get(ahead + "/health/readyz")
        assert ready.status_code == 503, ready.text
        assert ready.json()["checks"]["clock"] == "unavailable"
        assert "off the database's" in (cluster.logs / "manager0.log").read_text()
        assert httpx.get(right + "/health/readyz").status_code == 200

        # Three wrong passwords through the cluster block alice everywhere.
        for i in range(3):
            wrong = {"username": "alice", "password": f"Wr0ng-pass-{i}!"}
            assert httpx.post(cluster.web_lb + "/server/login", json=wrong).status_code == 401
        right_password = {"username": "alice", "password": GOOD_PASSWORD}
        assert httpx.post(cluster.web_lb + "/server/login", json=right_password).status_code == 429
        # An hour ahead the block must neither look over nor be lifted by a success there.
        on_ahead = httpx.post(ahead + "/auth/authorize", json=ALICE)
        assert on_ahead.status_code == 429, on_ahead.text
        for manager in (right, cluster.manager_lb):
            assert httpx.post(manager + "/auth/authorize", json=ALICE).status_code == 429

        # Every call relayed through the cluster passes (HAProxy keeps them off the skewed one).
        login = httpx.post(cluster.web_lb + "/server/login", json=BOB)
        assert login.status_code == 200, login.text
        cookies = {"AIOHTTP_SESSION": login.cookies["AIOHTTP_SESSION"]}
        statuses = [
            httpx.get(cluster.web_lb + "/func/auth/role", cookies=cookies).status_code
            for _ in range(40)
        ]
        assert statuses == [200] * 40

        # A call signed on a right clock and sent straight to the skewed manager passes too:
        # it judges the Date on the database's clock, not its own.
        grant = httpx.post(right + "/auth/authorize", json={**BOB, "type": "keypair"})
        keys = grant.json()["data"]
        for _ in range(10):
            headers = signed_headers(
                method="GET",
                path="/auth/role",
                host=urlsplit(ahead).netloc,
                content_type="application/json",
                api_version=API_VERSION,
                access_key=keys["access_key"],
                secret_key=keys["secret_key"],
            )
            r = httpx.get(ahead + "/auth/role", headers=headers)
            assert r.status_code == 200, r.text
