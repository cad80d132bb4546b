"""Runs `portico` as a real process on a real port, for integration tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

STOP_SECONDS = 15


def portico_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The environment of a portico process: only the test's settings, and no configuration
    file from this machine unless the test names one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTICO_")}
    env["PORTICO_CONFIG"] = ""
    env.update(extra)
    return env


def invite(env: Mapping[str, str], *args: str) -> tuple[str, str]:
    """`portico invite create ...`: the sign-up link it prints, and the token in it."""
    made = run_cli(["invite", "create", *args], env)
    assert made.returncode == 0, made.stderr
    link = made.stdout.strip()
    return link, parse_qs(urlsplit(link).query)["token"][0]


def run_cli(
    args: list[str], env: Mapping[str, str], stdin: str = ""
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "portico.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=portico_env(env),
        timeout=120,
        check=False,
    )


def create_account(
    env: Mapping[str, str],
    email: str = "alice@example.com",
    username: str = "alice",
    password: str = "Corr3ct-h0rse!",
    role: str = "user",
) -> str:
    """`portico db upgrade` (a no-op on a current database) and `portico user create`, as an
    operator runs them on a new installation; returns the access key."""
    upgraded = run_cli(["db", "upgrade"], env)
    assert upgraded.returncode == 0, upgraded.stderr
    created = run_cli(
        [
            *("user", "create", "--email", email, "--username", username),
            *("--role", role, "--password-stdin"),
        ],
        env,
        stdin=password + "\n",
    )
    assert created.returncode == 0, created.stderr
    return created.stdout.strip()


def wait_until_answering(
    proc: subprocess.Popen, url: str, log_path: Path, seconds: float = 60
) -> None:
    """Wait until `url` answers at all; fail with the process's log if it exits or is too slow."""
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited early:\n{log_path.read_text()}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer:\n{log_path.read_text()}") from None
            time.sleep(0.1)


@contextmanager
def running(
    args: list[str],
    env: Mapping[str, str],
    ready_url: str,
    log_path: Path,
    *,
    under: tuple[str, ...] = (),
) -> Iterator[subprocess.Popen]:
    """Start `portico ARGS`, wait until `ready_url` answers, stop it afterwards. `under`: a
    command that runs portico as its child (e.g. `faketime -f +3600s`); the two get a process
    group of their own, and stopping signals the whole group."""
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [*under, sys.executable, "-m", "portico.cli", *args],
            env=portico_env(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=bool(under),
        )

        def signal_it(signum: int) -> None:
            if under:
                os.killpg(proc.pid, signum)
            else:
                proc.send_signal(signum)

        try:
            wait_until_answering(proc, ready_url, log_path)
            yield proc
        finally:
            failing = sys.exc_info()[0] is not None
            signal_it(signal.SIGTERM)
            try:
                proc.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                signal_it(signal.SIGKILL)
                proc.wait()
                # An operator's `systemctl stop` would hang the same way (unless the test
                # failed already: its own failure is the one to report).
                if not failing:
                    raise AssertionError(
                        f"portico {' '.join(args)} did not stop within {STOP_SECONDS} s of SIGTERM"
                    ) from None
