"""The manager as a real process on a real port: the CLI, Backend.AI's SDK, the lockout race."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import GOOD_PASSWORD
from tests.support.interop import backendai_python, run_client_script
from tests.support.processes import create_account, run_cli, running
from tests.support.services import free_port

BLOCK_SECONDS = 8


@pytest.fixture
def manager_env(tmp_path: Path, db_url: str) -> dict[str, str]:
    return {
        "PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"),
        "PORTICO_DB__URL": db_url,
        "PORTICO_AUTH__BCRYPT_ROUNDS": "4",
        "PORTICO_MANAGER__PORT": str(free_port()),
        "PORTICO_SESSION__LOGIN_BLOCK_TIME": str(BLOCK_SECONDS),
        "PORTICO_SESSION__LOGIN_ADDRESS_FAIL_LIMIT": "1000",
        "PORTICO_AGENT__LOCAL": "false",
    }


@pytest.fixture
def manager_url(manager_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    url = f"http://127.0.0.1:{manager_env['PORTICO_MANAGER__PORT']}"
    with running(["manager"], manager_env, url + "/", tmp_path / "manager.log"):
        yield url


def create_user(env: dict[str, str], email: str = "alice@example.com") -> str:
    return create_account(env, email, email.split("@")[0])


def test_cli_creates_lists_and_shows_keypairs(manager_env: dict[str, str]) -> None:
    access_key = create_user(manager_env)
    assert access_key.startswith("AKIA") and len(access_key) == 20
    listed = run_cli(["user", "list"], manager_env)
    assert "alice@example.com" in listed.stdout and "active" in listed.stdout
    shown = run_cli(["keypair", "show", "--email", "alice@example.com"], manager_env)
    assert access_key in shown.stdout and "secret_key" not in shown.stdout
    revealed = run_cli(["keypair", "show", "--email", "alice@example.com", "--reveal"], manager_env)
    secret = revealed.stdout.split("secret_key: ")[1].strip()
    assert len(secret) == 40
    # The secret is sealed at rest: it does not appear in the database file.
    if manager_env["PORTICO_DB__URL"].startswith("sqlite"):
        db_file = manager_env["PORTICO_DB__URL"].split("///", 1)[1]
        assert secret.encode() not in Path(db_file).read_bytes()


def test_cli_refuses_a_weak_password_with_reasons(manager_env: dict[str, str]) -> None:
    assert run_cli(["db", "upgrade"], manager_env).returncode == 0
    result = run_cli(
        ["user", "create", "--email", "b@example.com", "--password-stdin"],
        manager_env,
        stdin="password\n",
    )
    assert result.returncode == 1
    assert "too common" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_reports_a_bad_config_in_one_line(manager_env: dict[str, str]) -> None:
    result = run_cli(["user", "list"], {**manager_env, "PORTICO_SESSION__MAX_AGE": "forever"})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "session.max_age" in result.stderr


SDK_ROLE_SCRIPT = """
import asyncio, json, warnings
warnings.simplefilter("ignore")
from ai.backend.client.session import AsyncSession
from ai.backend.client.request import Request
from ai.backend.client.exceptions import BackendAPIError

async def main():
    async with AsyncSession() as session:
        try:
            async with Request("GET", "/auth/role").fetch() as resp:
                print(json.dumps({"status": resp.status, "body": await resp.json()}))
        except BackendAPIError as exc:
            print(json.dumps({"status": exc.status, "body": exc.data}))

asyncio.run(main())
"""


@pytest.mark.interop
def test_backendai_sdk_signs_requests_our_manager_accepts(
    manager_env: dict[str, str], manager_url: str
) -> None:
    python = backendai_python()
    access_key = create_user(manager_env)
    shown = run_cli(["keypair", "show", "--email", "alice@example.com", "--reveal"], manager_env)
    secret_key = shown.stdout.split("secret_key: ")[1].strip()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(Path(manager_env["PORTICO_GENERAL__DATA_DIR"])),
        "BACKEND_ENDPOINT": manager_url,
        "BACKEND_ENDPOINT_TYPE": "api",
        "BACKEND_ACCESS_KEY": access_key,
    }

    ok = run_client_script(python, SDK_ROLE_SCRIPT, {**env, "BACKEND_SECRET_KEY": secret_key})
    assert ok.returncode == 0, ok.stderr
    answer = json.loads(ok.stdout.strip().splitlines()[-1])
    assert answer == {
        "status": 200,
        "body": {"global_role": "user", "domain_role": "user", "group_role": None},
    }

    wrong = run_client_script(python, SDK_ROLE_SCRIPT, {**env, "BACKEND_SECRET_KEY": "w" * 40})
    answer = json.loads(wrong.stdout.strip().splitlines()[-1])
    assert answer["status"] == 401


def test_100_concurrent_wrong_passwords_get_at_most_10_checks(
    manager_env: dict[str, str], manager_url: str
) -> None:
    create_user(manager_env)

    async def burst() -> Counter:
        limits = httpx.Limits(max_connections=100)
        async with httpx.AsyncClient(base_url=manager_url, limits=limits, timeout=60) as client:
            answers = await asyncio.gather(
                *(
                    client.post(
                        "/auth/authorize", json={"username": "alice", "password": f"bad{i}"}
                    )
                    for i in range(100)
                )
            )
        return Counter(a.status_code for a in answers)

    statuses = asyncio.run(burst())
    assert set(statuses) <= {401, 429}
    assert statuses[401] <= 10
    assert statuses[401] + statuses[429] == 100
    assert statuses[401] == 10  # nothing else held slots, so exactly the quota was checked

    right = {"username": "alice", "password": GOOD_PASSWORD}
    refused = httpx.post(manager_url + "/auth/authorize", json=right)
    assert refused.status_code == 429
    retry_after = int(refused.headers["retry-after"])
    assert 0 < retry_after <= BLOCK_SECONDS

    # The block runs from the tenth failure, which a slow machine records late in the burst:
    # the wait the answer names is the one that holds.
    time.sleep(retry_after + 0.5)
    assert httpx.post(manager_url + "/auth/authorize", json=right).status_code == 200


def test_a_remote_agent_reports_its_node(
    manager_env: dict[str, str], manager_url: str, tmp_path: Path
) -> None:
    token = run_cli(["agent-credential", "create", "--name", "node7"], manager_env).stdout.strip()
    token_file = tmp_path / "agent-token"
    token_file.write_text(token + "\n")
    agent_env = {**manager_env, "PORTICO_AGENT__INTERVAL": "0.5"}
    with running(
        ["agent", "--manager", manager_url, "--token-file", str(token_file)],
        agent_env,
        manager_url + "/",
        tmp_path / "agent.log",
    ):
        deadline = time.monotonic() + 15
        while "1/1 nodes alive" not in run_cli(["resource-group", "list"], manager_env).stdout:
            assert time.monotonic() < deadline, (tmp_path / "agent.log").read_text()
            time.sleep(0.3)
    wrong = tmp_path / "wrong-token"
    wrong.write_text("pag_wrong")
    with running(
        ["agent", "--manager", manager_url, "--token-file", str(wrong)],
        agent_env,
        manager_url + "/",
        tmp_path / "agent2.log",
    ):
        log = tmp_path / "agent2.log"
        deadline = time.monotonic() + 15
        while "refused the report (401)" not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)


def test_an_agent_keeps_reporting_while_its_manager_is_unreachable(
    manager_env: dict[str, str], manager_url: str, tmp_path: Path
) -> None:
    token_file = tmp_path / "agent-token"
    token_file.write_text(
        run_cli(["agent-credential", "create", "--name", "node8"], manager_env).stdout.strip()
    )
    nowhere = f"http://127.0.0.1:{free_port()}"
    log = tmp_path / "agent.log"
    with running(
        ["agent", "--manager", nowhere, "--token-file", str(token_file)],
        {**manager_env, "PORTICO_AGENT__INTERVAL": "0.3"},
        manager_url + "/",  # the agent serves nothing: started is all this waits for
        log,
    ) as agent:
        deadline = time.monotonic() + 15
        while log.read_text().count("the manager is unreachable") < 3:
            assert time.monotonic() < deadline, log.read_text()
            assert agent.poll() is None, log.read_text()
            time.sleep(0.2)
        assert "Traceback" not in log.read_text()
