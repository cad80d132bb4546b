"""`portico invite` and `portico user pending|activate` as an operator runs them."""

from __future__ import annotations

from pathlib import Path

from tests.support.processes import run_cli


def test_invitations_from_the_command_line(tmp_path: Path) -> None:
    env = {"PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"), "PORTICO_AUTH__BCRYPT_ROUNDS": "4"}
    made = run_cli(
        ["invite", "create", "--email", "New@Example.com", "--uses", "2", "--expires", "12h"], env
    )
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert len(token) >= 43
    listed = run_cli(["invite", "list"], env)
    assert "new@example.com" in listed.stdout
    assert "0/2" in listed.stdout
    assert "valid" in listed.stdout
    assert token not in listed.stdout  # the token is shown once, at creation
    assert run_cli(["invite", "revoke", "1"], env).returncode == 0
    assert "revoked" in run_cli(["invite", "list"], env).stdout
    assert run_cli(["invite", "revoke", "1"], env).returncode == 1
    bad = run_cli(["invite", "create", "--expires", "soon"], env)
    assert bad.returncode == 2
    assert "not a duration" in bad.stderr


def test_pending_and_activate(tmp_path: Path) -> None:
    env = {"PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"), "PORTICO_AUTH__BCRYPT_ROUNDS": "4"}
    assert run_cli(["user", "pending"], env).stdout.strip() == ""
    missing = run_cli(["user", "activate", "--email", "nobody@example.com"], env)
    assert missing.returncode == 1
    assert "awaits approval" in missing.stderr
