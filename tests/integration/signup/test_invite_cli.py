"""The operator's command line: invitations, approvals, policies and the rest, as run from a
shell; and a command that cannot misfire (the same configuration from any folder, never a new
database by accident)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from portico import __version__
from tests.support.processes import create_account, invite, portico_env, run_cli


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A new installation: its schema made, as `portico db upgrade` does."""
    made = {"PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"), "PORTICO_AUTH__BCRYPT_ROUNDS": "4"}
    assert run_cli(["db", "upgrade"], made).returncode == 0
    return made


def test_invitations_from_the_command_line(env: dict[str, str]) -> None:
    link, token = invite(
        env, "--email", "New@Example.com", "--uses", "2", "--expires", "12h", "--lang", "ja"
    )
    assert link == f"http://127.0.0.1:8090/?token={token}"  # [service] public_url's default
    assert len(token) >= 43
    listed = run_cli(["invite", "list"], env)
    assert "new@example.com" in listed.stdout
    assert "0/2" in listed.stdout
    assert "valid" in listed.stdout
    assert token not in listed.stdout  # the token is shown once, at creation
    assert run_cli(["invite", "revoke", "1"], env).returncode == 0
    assert "revoked" in run_cli(["invite", "list"], env).stdout
    assert run_cli(["invite", "revoke", "1"], env).returncode == 1
    no_project = run_cli(["invite", "create", "--group", "nonexistent"], env)
    assert no_project.returncode == 1
    assert "no project" in no_project.stderr
    assert (
        run_cli(["project", "create", "--name", "lab-a", "--description", "Lab A"], env).returncode
        == 0
    )
    assert "Lab A" in run_cli(["project", "list"], env).stdout
    assert run_cli(["invite", "create", "--group", "lab-a"], env).returncode == 0
    bad = run_cli(["invite", "create", "--expires", "soon"], env)
    assert bad.returncode == 2
    assert "not a duration" in bad.stderr


def test_pending_and_activate(env: dict[str, str]) -> None:
    assert run_cli(["user", "pending"], env).stdout.strip() == ""
    missing = run_cli(["user", "activate", "--email", "nobody@example.com"], env)
    assert missing.returncode == 1
    assert "awaits approval" in missing.stderr


def test_policies_and_resource_groups_from_the_command_line(env: dict[str, str]) -> None:
    made = run_cli(
        [
            "policy",
            "create",
            "--name",
            "gpu-small",
            "--cpu",
            "8",
            "--mem",
            "32g",
            "--gpu",
            "1",
            "--max-sessions",
            "2",
        ],
        env,
    )
    assert made.returncode == 0, made.stderr
    listed = run_cli(["policy", "list"], env).stdout
    assert "gpu-small" in listed
    assert "32.0 GiB" in listed
    again = run_cli(["policy", "create", "--name", "gpu-small"], env)
    assert again.returncode == 1
    bad = run_cli(["policy", "create", "--name", "x", "--mem", "lots"], env)
    assert bad.returncode == 1
    assert "not an amount of memory" in bad.stderr
    assert (
        run_cli(
            ["resource-group", "create", "--name", "gpu", "--description", "GPU nodes"], env
        ).returncode
        == 0
    )
    groups = run_cli(["resource-group", "list"], env).stdout
    assert "default" in groups
    assert "GPU nodes" in groups
    token = run_cli(
        ["agent-credential", "create", "--name", "node7", "--resource-group", "gpu"], env
    )
    assert token.stdout.startswith("pag_")
    assert "0/1 nodes alive" in run_cli(["resource-group", "list"], env).stdout


@pytest.mark.parametrize(
    "command",
    [
        ["user", "list"],
        ["user", "unlock", "--email", "a@example.com"],
        ["invite", "create"],
        ["invite", "list"],
        ["policy", "list"],
        ["keypair", "show", "--email", "a@example.com"],
    ],
)
def test_an_operator_command_never_creates_a_database(tmp_path: Path, command: list[str]) -> None:
    data = tmp_path / "data"
    r = run_cli(command, {"PORTICO_GENERAL__DATA_DIR": str(data)})
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: no database at {data}"), r.stderr
    assert "portico db upgrade" in lines[0] and not r.stdout
    assert not (data / "portico.db").exists()


def test_the_same_configuration_from_any_folder(tmp_path: Path) -> None:
    """Relative paths in the file are read from the file's folder, so the command sees the
    server's accounts wherever it runs; PORTICO_CONFIG names the file."""
    etc = tmp_path / "etc"
    etc.mkdir()
    config = etc / "portico.toml"
    config.write_text('[general]\ndata_dir = "../var/portico"\n\n[auth]\nbcrypt_rounds = 4\n')
    named = {"PORTICO_CONFIG": str(config)}
    create_account(named)
    assert (tmp_path / "var" / "portico" / "portico.db").is_file()
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    for folder in (elsewhere, tmp_path, Path("/")):
        listed = subprocess.run(
            [sys.executable, "-m", "portico.cli", "user", "list"],
            capture_output=True,
            text=True,
            env=portico_env(named),
            cwd=folder,
            check=False,
        )
        assert listed.returncode == 0, listed.stderr
        assert "alice@example.com" in listed.stdout
    by_flag = subprocess.run(
        [sys.executable, "-m", "portico.cli", "--config", "etc/portico.toml", "user", "list"],
        capture_output=True,
        text=True,
        env=portico_env({}),
        cwd=tmp_path,
        check=False,
    )
    assert "alice@example.com" in by_flag.stdout, by_flag.stderr
    assert not (elsewhere / "portico-data").exists() and not (elsewhere / "var").exists()


def test_a_schema_from_another_version_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "data" / "portico.db"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0001'")
    r = run_cli(["user", "list"], env)
    assert r.returncode == 2
    assert "not this portico's version: run `portico db upgrade`" in r.stderr


def test_unlocking_an_unknown_account_is_an_error(env: dict[str, str]) -> None:
    r = run_cli(["user", "unlock", "--email", "nobody@example.com"], env)
    assert r.returncode == 1
    assert r.stderr.strip() == "error: no account 'nobody@example.com'"


def test_version() -> None:
    r = run_cli(["--version"], {})
    assert r.returncode == 0 and r.stdout.strip() == f"portico {__version__}"


def test_reset_link_for_an_operator(env: dict[str, str]) -> None:
    create_account(env)
    off = run_cli(["user", "reset-link", "--email", "alice@example.com"], env)
    assert off.returncode == 1 and "portico user set-password" in off.stderr
    on = {**env, "PORTICO_RECOVERY__ENABLED": "true"}
    first = run_cli(["user", "reset-link", "--email", "alice@example.com"], on)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("http://127.0.0.1:8090/change-password?token=")
    unknown = run_cli(["user", "reset-link", "--email", "nobody@example.com"], on)
    assert unknown.returncode == 1


def test_the_environment_may_not_name_an_unknown_setting() -> None:
    r = run_cli(["user", "list"], {"PORTICO_GENRAL__DATA_DIR": "/tmp/x"})
    assert r.returncode == 2 and "unknown environment variable PORTICO_GENRAL__DATA_DIR" in r.stderr
