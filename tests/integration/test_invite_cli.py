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


def test_pending_and_activate(tmp_path: Path) -> None:
    env = {"PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"), "PORTICO_AUTH__BCRYPT_ROUNDS": "4"}
    assert run_cli(["user", "pending"], env).stdout.strip() == ""
    missing = run_cli(["user", "activate", "--email", "nobody@example.com"], env)
    assert missing.returncode == 1
    assert "awaits approval" in missing.stderr


def test_policies_and_resource_groups_from_the_command_line(tmp_path: Path) -> None:
    env = {"PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"), "PORTICO_AUTH__BCRYPT_ROUNDS": "4"}
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
