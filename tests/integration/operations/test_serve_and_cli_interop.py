"""`portico serve` as a real process, driven by Backend.AI's own CLI in session mode."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyotp
import pytest

from tests.conftest import GOOD_PASSWORD
from tests.support.interop import backendai_cli, backendai_python, cli_session
from tests.support.processes import create_account, run_cli, running
from tests.support.services import free_port


@pytest.fixture
def serve_env(tmp_path: Path) -> dict[str, str]:
    return {
        "PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"),
        "PORTICO_AUTH__BCRYPT_ROUNDS": "4",
        "PORTICO_MANAGER__PORT": str(free_port()),
        "PORTICO_SERVICE__PORT": str(free_port()),
    }


@pytest.fixture
def served(serve_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, Path]]:
    url = f"http://127.0.0.1:{serve_env['PORTICO_SERVICE__PORT']}"
    log = tmp_path / "serve.log"
    with running(["serve"], serve_env, url + "/func/ping", log):
        yield url, log


def test_first_start_creates_a_superadmin_once(
    serve_env: dict[str, str], served: tuple[str, Path]
) -> None:
    url, log = served
    text = log.read_text()
    handed = Path(serve_env["PORTICO_GENERAL__DATA_DIR"]) / "first-superadmin-password"
    assert str(handed) in text
    email, password = handed.read_text().split()
    assert password not in text, "the password reached the service log"
    assert handed.stat().st_mode & 0o777 == 0o600
    # The handed-over password opens nothing until it is changed (Backend.AI's shape).
    r = httpx.post(url + "/server/login", json={"username": email, "password": password})
    assert r.status_code == 401 and "set-cookie" not in r.headers
    assert r.json()["data"]["type"] == "https://api.backend.ai/probs/password-expired"
    assert r.json()["data"]["details"].startswith("Password expired on ")
    changed = httpx.post(
        url + "/server/update-password-no-auth",
        json={"username": email, "current_password": password, "new_password": "Fresh-st4rt-now!"},
    )
    assert changed.status_code == 200 and changed.json()["password_changed_at"], changed.text
    r = httpx.post(url + "/server/login", json={"username": email, "password": "Fresh-st4rt-now!"})
    assert r.status_code == 200
    assert r.json()["data"]["role"] == "superadmin"
    listed = run_cli(["user", "list"], serve_env)
    assert listed.stdout.count("superadmin") == 1


def test_tokens_in_links_never_reach_the_log(served: tuple[str, Path]) -> None:
    url, log = served
    secret = "tok-" + "s3cr3t" * 6
    assert httpx.get(f"{url}/change-password?token={secret}").status_code == 200
    assert httpx.get(f"{url}/verify-email?verification_code={secret}").status_code == 200
    import time

    deadline = time.monotonic() + 10
    while "/verify-email?..." not in log.read_text():  # the access log is written as it goes
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)
    text = log.read_text()
    assert "/change-password?..." in text
    assert secret not in text


@pytest.mark.interop
def test_backendai_cli_logs_in_and_out_through_our_webserver(
    serve_env: dict[str, str], tmp_path: Path
) -> None:
    python = backendai_python()
    create_account(serve_env)
    url, env = cli_session(serve_env, tmp_path)
    with running(["serve"], serve_env, url + "/func/ping", tmp_path / "serve.log"):
        out = backendai_cli(python, ["login"], env, stdin=f"alice\n{GOOD_PASSWORD}\n")
        assert "Login succeeded." in out, out

        # The saved cookie now carries relayed, signed calls.
        relayed = subprocess.run(
            [
                str(python),
                "-c",
                "import asyncio, warnings\n"
                "warnings.simplefilter('ignore')\n"
                "from ai.backend.client.session import AsyncSession\n"
                "from ai.backend.client.request import Request\n"
                "async def main():\n"
                "    async with AsyncSession():\n"
                "        async with Request('GET', '/auth/role').fetch() as r:\n"
                "            print(r.status, (await r.json())['global_role'])\n"
                "asyncio.run(main())\n",
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert relayed.stdout.strip() == "200 user", relayed.stderr

        out = backendai_cli(python, ["logout"], env)
        assert "Logout done." in out, out

        out = backendai_cli(python, ["login"], env, stdin="alice\nWr0ng-pass!\n")
        assert "Login succeeded." not in out
        assert "User credential mismatch." in out
        assert "Traceback" not in out


@pytest.mark.interop
def test_backendai_cli_answers_its_one_time_password_prompt(
    serve_env: dict[str, str], tmp_path: Path
) -> None:
    python = backendai_python()
    create_account(serve_env)
    url, env = cli_session(serve_env, tmp_path)
    with running(["serve"], serve_env, url + "/func/ping", tmp_path / "serve.log"):
        # Alice turns on two-factor log-in from her browser session.
        with httpx.Client(base_url=url) as browser:
            login = {"username": "alice", "password": GOOD_PASSWORD}
            assert browser.post("/server/login", json=login).json()["authenticated"]
            again = browser.post("/func/portico/step-up", json={"password": GOOD_PASSWORD})
            assert again.status_code == 200, again.text
            secret = browser.post("/func/portico/two-factor/totp").json()["secret"]
            confirmed = browser.post(
                "/func/portico/two-factor/totp/confirm",
                json={"code": pyotp.TOTP(secret).now()},
            )
            assert confirmed.status_code == 200, confirmed.text
            browser.post("/server/logout", json={})

        wrong = backendai_cli(python, ["login"], env, stdin=f"alice\n{GOOD_PASSWORD}\n000000\n")
        assert "One-time Password:" in wrong, wrong
        assert "Login succeeded." not in wrong

        # The next step's code: the one the enrolment used is spent.
        next_code = pyotp.TOTP(secret).at(time.time() + 30)
        out = backendai_cli(python, ["login"], env, stdin=f"alice\n{GOOD_PASSWORD}\n{next_code}\n")
        assert "One-time Password:" in out, out
        assert "Login succeeded." in out, out


@pytest.mark.parametrize("manager_ip", ["::", "0.0.0.0"])  # noqa: S104 - binding on purpose
def test_serve_with_the_manager_on_every_address(
    serve_env: dict[str, str], tmp_path: Path, manager_ip: str
) -> None:
    env = {**serve_env, "PORTICO_MANAGER__IP": manager_ip}
    create_account(env)
    url = f"http://127.0.0.1:{env['PORTICO_SERVICE__PORT']}"
    with running(["serve"], env, url + "/func/ping", tmp_path / "serve.log"):
        r = httpx.post(url + "/server/login", json={"username": "alice", "password": GOOD_PASSWORD})
        assert r.status_code == 200, r.text
