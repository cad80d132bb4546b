"""Two managers and two webservers on PostgreSQL and Redis behind HAProxy, as a cluster runs
portico: the lockout, single-use tokens and invitations, sessions and log-out hold across
replicas, and the cluster carries on when a manager dies."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import re
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import GOOD_PASSWORD
from tests.integration.operations.test_crash_consistency import ORPHANS, _count
from tests.support.cluster import Cluster, two_by_two
from tests.support.processes import invite

NEW_PASSWORD = "Brand-n3w-secret!"
CONSENT = {"terms_version": "1", "privacy_version": "1"}


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    with two_by_two(tmp_path) as running_cluster:
        yield running_cluster


def test_100_wrong_passwords_over_both_managers_get_at_most_10_checks(cluster: Cluster) -> None:
    async def guesses() -> Counter:
        async with httpx.AsyncClient(timeout=60) as client:
            answers = await asyncio.gather(
                *(
                    client.post(
                        cluster.web_lb + "/server/login",
                        json={"username": "alice@example.com", "password": f"wrong-{i}"},
                    )
                    for i in range(100)
                )
            )
        return Counter(a.status_code for a in answers)

    statuses = asyncio.run(guesses())
    assert statuses[401] <= 10 and statuses[401] + statuses[429] == 100, statuses
    blocked = httpx.post(
        cluster.manager_lb + "/auth/authorize",
        json={"type": "keypair", "username": "alice", "password": GOOD_PASSWORD},
    )
    assert blocked.status_code == 429


def _link_in_newest_mail(mail_dir: Path, name: str, after: float) -> str:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.eml"), reverse=True):
            if path.stat().st_mtime >= after:
                message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                body = message.get_body(preferencelist=("plain",))
                text = body.get_content() if body is not None else ""
                found = re.search(rf"[?&]{name}=([\w-]+)", text)
                if found:
                    return found.group(1)
        time.sleep(0.1)
    raise AssertionError("no mail with a link arrived")


def test_a_reset_link_works_once_across_both_managers(cluster: Cluster) -> None:
    asked = time.time() - 1
    r = httpx.post(
        cluster.web_lb + "/func/cloud/send-password-change-email",
        json={"email": "alice@example.com"},
    )
    assert r.status_code == 200, r.text
    token = _link_in_newest_mail(cluster.mail_dir, "token", asked)

    async def race() -> Counter:
        async with httpx.AsyncClient(timeout=60) as client:
            answers = await asyncio.gather(
                *(
                    client.post(
                        cluster.manager_lb + "/cloud/change-password",
                        json={
                            "email": "alice@example.com",
                            "password": NEW_PASSWORD,
                            "token": token,
                        },
                    )
                    for _ in range(20)
                )
            )
        return Counter(a.status_code for a in answers)

    statuses = asyncio.run(race())
    assert statuses == Counter({200: 1, 400: 19}), statuses


def test_a_one_use_invitation_admits_one_sign_up_across_both_managers(cluster: Cluster) -> None:
    _, token = invite(cluster.env, "--uses", "1")

    async def race() -> Counter:
        async with httpx.AsyncClient(timeout=60) as client:
            answers = await asyncio.gather(
                *(
                    client.post(
                        cluster.web_lb + "/func/auth/signup",
                        json={
                            "email": f"racer{i}@example.com",
                            "password": GOOD_PASSWORD,
                            "token": token,
                            **CONSENT,
                        },
                    )
                    for i in range(20)
                )
            )
        return Counter(a.status_code for a in answers)

    statuses = asyncio.run(race())
    assert statuses == Counter({201: 1, 400: 19}), statuses
    signed_up = "SELECT count(*) FROM users WHERE created_via = 'signup'"
    assert asyncio.run(_count(cluster.db_url, signed_up)) == 1


def test_a_session_and_its_log_out_hold_on_both_webservers(cluster: Cluster) -> None:
    a, b = cluster.webs
    login = httpx.post(a + "/server/login", json={"username": "alice", "password": GOOD_PASSWORD})
    assert login.status_code == 200, login.text
    cookies = {"AIOHTTP_SESSION": login.cookies["AIOHTTP_SESSION"]}
    for web in (a, b, cluster.web_lb):
        assert httpx.get(web + "/func/auth/role", cookies=cookies).status_code == 200
    assert httpx.post(b + "/server/logout", cookies=cookies, json={}).status_code == 200
    for web in (a, b):
        assert httpx.get(web + "/func/auth/role", cookies=cookies).status_code == 401


def test_one_manager_killed_mid_run_the_other_carries_on(cluster: Cluster) -> None:
    _, token = invite(cluster.env, "--uses", "1000")
    victim = cluster.managers[0]

    async def mixed_load() -> Counter:
        async with httpx.AsyncClient(timeout=60) as client:

            async def sign_up(i: int) -> int:
                body = {"email": f"load{i}@example.com", "password": GOOD_PASSWORD, "token": token}
                r = await client.post(
                    cluster.web_lb + "/func/auth/signup", json={**body, **CONSENT}
                )
                return r.status_code

            async def log_ins() -> list[int]:
                # One person logging in again and again (concurrent checks of one account beyond
                # the lock-out quota are refused by design).
                body = {"username": "alice", "password": GOOD_PASSWORD, "type": "keypair"}
                return [
                    (
                        await client.post(cluster.manager_lb + "/auth/authorize", json=body)
                    ).status_code
                    for _ in range(40)
                ]

            async def kill_soon() -> int:
                await asyncio.sleep(0.5)
                os.kill(victim.pid, signal.SIGKILL)
                return 0

            _, logins, *signups = await asyncio.gather(
                kill_soon(), log_ins(), *(sign_up(i) for i in range(150))
            )
        return Counter(logins + signups)

    statuses = asyncio.run(mixed_load())
    assert victim.poll() is not None, "the manager was not killed"
    assert set(statuses) <= {200, 201}, statuses
    for what, sql in ORPHANS.items():
        assert asyncio.run(_count(cluster.db_url, sql)) == 0, what
    # After the kill, everything still works through the survivor.
    r = httpx.post(
        cluster.web_lb + "/server/login", json={"username": "alice", "password": GOOD_PASSWORD}
    )
    assert r.status_code == 200, r.text
