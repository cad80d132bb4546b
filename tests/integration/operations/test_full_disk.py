"""A full disk under the SQLite default, on a small tmpfs of the test's own: a write answers
503 "Storage is full" with Retry-After, the log names the path, readiness fails until there is
room again, and then everything works as before."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import GOOD_PASSWORD
from tests.support.processes import create_account, running
from tests.support.services import free_port, unavailable


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        unavailable("mounting a small tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        unavailable(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder: Path) -> Path:
    """Take every free byte of the file system `folder` is on."""
    ballast = folder / "ballast"
    with ballast.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return ballast


def test_a_full_disk_is_said_plainly_and_recovers_when_space_is_back(
    small_disk: Path, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        "PORTICO_GENERAL__DATA_DIR": str(small_disk / "data"),
        "PORTICO_AUTH__BCRYPT_ROUNDS": "4",
        "PORTICO_SERVICE__PORT": str(port),
        "PORTICO_MANAGER__PORT": str(free_port()),
        "PORTICO_AGENT__LOCAL": "false",
    }
    create_account(env)
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with running(["serve"], env, url + "/func/ping", log) as proc:
        browser = httpx.Client(base_url=url, timeout=30)
        login = {"username": "alice", "password": GOOD_PASSWORD}
        assert browser.post("/server/login", json=login).status_code == 200
        ballast = fill(small_disk)
        # A log-in writes (its session, its counters, its audit row).
        answers = [httpx.post(url + "/server/login", json=login, timeout=30) for _ in range(5)]
        full = [r for r in answers if r.status_code == 503]
        assert full, [r.status_code for r in answers]
        for r in full:
            assert int(r.headers["retry-after"]) > 0
            assert "Storage is full" in r.text, r.text
        ready = httpx.get(f"http://127.0.0.1:{env['PORTICO_MANAGER__PORT']}/health/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["storage"] == "unavailable"
        assert f"storage is full at {small_disk.resolve()}" in log.read_text()

        ballast.unlink()
        ready = httpx.get(f"http://127.0.0.1:{env['PORTICO_MANAGER__PORT']}/health/readyz")
        assert ready.status_code == 200, ready.text
        assert httpx.post(url + "/server/login", json=login).status_code == 200
        assert browser.get("/func/auth/role").status_code == 200  # the old session lived on
        assert proc.poll() is None
