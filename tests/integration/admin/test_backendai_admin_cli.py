"""Backend.AI's own CLI (backend.ai-client) in session mode against `portico serve`: its
daily admin commands, which speak GraphQL, print portico's real accounts, keypairs, projects,
domains, resource groups and policies; a user's admin commands show only herself, and what
is for superadmins is refused cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import GOOD_PASSWORD
from tests.support.interop import backendai_cli, backendai_python, cli_session
from tests.support.processes import create_account, running
from tests.support.services import free_port


@pytest.mark.interop
def test_the_admin_commands_print_portico_s_data(tmp_path: Path) -> None:
    python = backendai_python()
    env = {
        "PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"),
        "PORTICO_AUTH__BCRYPT_ROUNDS": "4",
        "PORTICO_MANAGER__PORT": str(free_port()),
        "PORTICO_SERVICE__PORT": str(free_port()),
        "PORTICO_AGENT__LOCAL": "false",
    }
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
