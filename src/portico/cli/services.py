"""Running portico: the manager, the webserver, both together, the schema, a node's agent."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from portico.cli.common import Subcommands, Table
from portico.config import Settings
from portico.serving.startup_checks import run_checks

# The commands that run a service (and may create the database: these and `db upgrade`).
SERVICES = ("manager", "webserver", "serve")


def register(sub: Subcommands) -> Table:
    sub.add_parser("manager", help="run the manager (account & API service)")
    sub.add_parser("webserver", help="run the webserver (console server)")
    sub.add_parser("serve", help="run manager and webserver together (the embedded default)")
    db = sub.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help="create the database or bring its schema up to date")
    agent = sub.add_parser("agent", help="report this node to a manager (on another node)")
    agent.add_argument("--manager", required=True, help="the manager's URL")
    agent.add_argument(
        "--token-file", type=Path, help="file holding the agent credential (else [agent] token)"
    )
    return {
        ("manager",): _run_manager,
        ("webserver",): _run_webserver,
        ("serve",): _serve,
        ("db", "upgrade"): _db_upgrade,
        ("agent",): _run_agent,
    }


async def _run_manager(settings: Settings, _args: argparse.Namespace) -> int:
    if not run_checks(settings, "manager"):
        return 2
    from portico.manager.app import create_app
    from portico.serving.runner import ConnectionBounds, http_server, serve_all

    await serve_all(
        [
            http_server(
                create_app(settings),
                settings.manager.ip,
                settings.manager.port,
                ConnectionBounds.of(settings.service),
            )
        ],
        settings.logging.format,
    )
    return 0


async def _run_webserver(settings: Settings, _args: argparse.Namespace) -> int:
    if not run_checks(settings, "webserver"):
        return 2
    from portico.serving.runner import ConnectionBounds, http_server, serve_all
    from portico.webserver.app import create_app

    await serve_all(
        [
            http_server(
                create_app(settings),
                settings.service.ip,
                settings.service.port,
                ConnectionBounds.of(settings.service),
            )
        ],
        settings.logging.format,
    )
    return 0


async def _serve(settings: Settings, _args: argparse.Namespace) -> int:
    if not run_checks(settings, "serve"):
        return 2
    from portico.serving.runner import serve_embedded

    await serve_embedded(settings)
    return 0


async def _db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    from portico.db.migrate import upgrade_database

    await upgrade_database(settings.database_url)
    print("database is at the latest schema")
    return 0


async def _run_agent(settings: Settings, args: argparse.Namespace) -> int:
    from portico.agent.reporter import run_reporter

    token = args.token_file.read_text().strip() if args.token_file else settings.agent.token
    if not token:
        print("error: no agent credential: use --token-file or set [agent] token", file=sys.stderr)
        return 2
    await run_reporter(args.manager, token, settings.agent.interval)
    return 0
