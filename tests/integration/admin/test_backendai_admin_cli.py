"""Backend.AI's own CLI (backend.ai-client 23.9 on Python 3.11, and 26.9.6 on 3.13) in session
mode against `portico serve`: its daily commands, which speak GraphQL, print portico's real
accounts, keypairs, projects, domains, resource groups and policies (and empty tables where
portico runs nothing); a user's admin commands show only herself, and what is for
superadmins is refused cleanly."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import GOOD_PASSWORD
from tests.support.interop import (
    backendai_cli,
    backendai_python,
    backendai_python_26,
    cli_session,
)
from tests.support.processes import create_account, running
from tests.support.services import free_port


def _serve_env(tmp_path: Path) -> dict[str, str]:
    return {
        "PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"),
        "PORTICO_AUTH__BCRYPT_ROUNDS": "4",
        "PORTICO_MANAGER__PORT": str(free_port()),
        "PORTICO_SERVICE__PORT": str(free_port()),
        "PORTICO_AGENT__LOCAL": "false",
    }


@pytest.mark.interop
def test_the_admin_commands_print_portico_s_data(tmp_path: Path) -> None:
    python = backendai_python()
    env = _serve_env(tmp_path)
    root_key = create_account(env, "root@example.com", "root", role="superadmin")
    uma_key = create_account(env, "uma@example.com", "uma")
    url, cli = cli_session(env, tmp_path)
    with running(["serve"], env, url + "/func/ping", tmp_path / "serve.log"):
        assert "Login succeeded." in backendai_cli(
            python, ["login"], cli, stdin=f"root\n{GOOD_PASSWORD}\n"
        )

        users = backendai_cli(python, ["admin", "user", "list"], cli)
        assert "root@example.com" in users and "uma@example.com" in users, users
        assert root_key in users and uma_key in users  # each account's main access key
        keypairs = backendai_cli(python, ["admin", "keypair", "list"], cli)
        assert root_key in keypairs and uma_key in keypairs, keypairs
        assert "(null)" in keypairs  # the secret key column: never shown again
        only_uma = backendai_cli(
            python, ["admin", "user", "list", "--filter", 'email == "uma@example.com"'], cli
        )
        assert "uma@example.com" in only_uma and "root@example.com" not in only_uma, only_uma
        for command, shows in [
            (["admin", "group", "list"], "default"),
            (["admin", "domain", "list"], "The default domain"),
            (["admin", "scaling-group", "list"], "default"),
            (["admin", "keypair-resource-policy", "list"], "default"),
            (["admin", "user", "info"], root_key),
        ]:
            out = backendai_cli(python, command, cli)
            assert shows in out and "Error" not in out, (command, out)

        cli["HOME"] = str(tmp_path / "uma-home")
        assert "Login succeeded." in backendai_cli(
            python, ["login"], cli, stdin=f"uma\n{GOOD_PASSWORD}\n"
        )
        seen = backendai_cli(python, ["admin", "user", "list"], cli)
        assert "uma@example.com" in seen and "root@example.com" not in seen, seen
        refused = backendai_cli(python, ["admin", "agent", "list"], cli)
        assert "superadministrators only" in refused and "Traceback" not in refused, refused
        hidden = backendai_cli(
            python, ["admin", "user", "info", "--email", "root@example.com"], cli
        )
        assert "No matching entry" in hidden, hidden  # as if there were no such account


DAILY_26 = [
    (["admin", "user", "list"], ["root@example.com", "uma@example.com"]),
    (["admin", "user", "info"], ["root@example.com"]),
    (["admin", "keypair", "list"], ["root@example.com", "uma@example.com"]),
    (["admin", "keypair-resource-policy", "list"], ["default"]),
    (["admin", "group", "list"], ["default"]),
    (["admin", "domain", "list"], ["The default domain"]),
    (["admin", "agent", "list"], ["Available Slots"]),  # an empty table: no node reports
    (["admin", "scaling-group", "list"], ["The default resource group"]),
    (["session", "list"], ["Session ID"]),  # empty: portico runs no compute here
    (["vfolder", "list"], ["Ownership Type"]),  # empty: portico holds no folders
]


@pytest.mark.interop
def test_backendai_s_cli_26_runs_its_daily_commands(tmp_path: Path) -> None:
    python = backendai_python_26()
    env = _serve_env(tmp_path)
    root_key = create_account(env, "root@example.com", "root", role="superadmin")
    create_account(env, "uma@example.com", "uma")
    url, cli = cli_session(env, tmp_path)
    with running(["serve"], env, url + "/func/ping", tmp_path / "serve.log"):
        assert "Login succeeded." in backendai_cli(
            python, ["login"], cli, stdin=f"root\n{GOOD_PASSWORD}\n"
        )
        for command, shows in DAILY_26:
            done = subprocess.run(
                [str(python.parent / "backend.ai"), *command],
                capture_output=True,
                text=True,
                env=cli,
                timeout=120,
                check=False,
            )
            out = done.stdout + done.stderr
            assert done.returncode == 0, (command, out)
            assert all(s in out for s in shows) and "Error" not in out, (command, out)
        assert root_key in backendai_cli(python, ["admin", "keypair", "list"], cli)

        cli["HOME"] = str(tmp_path / "uma-home")
        assert "Login succeeded." in backendai_cli(
            python, ["login"], cli, stdin=f"uma\n{GOOD_PASSWORD}\n"
        )
        seen = backendai_cli(python, ["admin", "user", "list"], cli)
        assert "uma@example.com" in seen and "root@example.com" not in seen, seen
        refused = backendai_cli(python, ["admin", "agent", "list"], cli)
        assert "superadministrators only" in refused and "Traceback" not in refused, refused
