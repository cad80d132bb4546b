"""The `portico` command line: one module per group of commands.

The configuration is found the same way from any folder: `--config`, else $PORTICO_CONFIG,
else ~/.config/portico/portico.toml, else /etc/portico/portico.toml (see portico.config).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from portico import __version__
from portico.cli import audit, invites, resources, services, users
from portico.cli.common import Command, NoDatabase, Table
from portico.config import ConfigError, find_config, load_settings
from portico.manager.errors import DomainError
from portico.serving.log_format import use_log_format
from portico.serving.malloc_arenas import limit_malloc_arenas


def _parser() -> tuple[argparse.ArgumentParser, Table]:
    parser = argparse.ArgumentParser(
        prog="portico", description="portico: console server and account service"
    )
    parser.add_argument("--version", action="version", version=f"portico {__version__}")
    parser.add_argument(
        "--config",
        type=Path,
        help="TOML configuration file (default: $PORTICO_CONFIG, then "
        "~/.config/portico/portico.toml, then /etc/portico/portico.toml)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    table: Table = {}
    for group in (services, users, invites, resources, audit):
        table.update(group.register(sub))
    return parser, table


def _command(args: argparse.Namespace, table: Table) -> Command:
    sub = getattr(args, f"{args.command.replace('-', '_')}_command", None)
    return table[(args.command, sub) if sub else (args.command,)]


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop where it is installed (it is on Linux and macOS): a much faster event loop."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def main(argv: list[str] | None = None) -> int:
    parser, table = _parser()
    args = parser.parse_args(argv)
    if args.command in services.SERVICES:
        limit_malloc_arenas()
    # Everything portico writes (database, keys, mail files) is for its own user only.
    os.umask(0o077)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # No format prints them: each record (one per request, the access log) skips finding its
    # caller's file and line and its thread and process (the logging HOWTO's optimisations).
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    try:
        settings = load_settings(find_config(args.config))
        use_log_format(settings.logging.format)
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            return runner.run(_command(args, table)(settings, args))
    except (ConfigError, NoDatabase) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"error: {exc or type(exc).__name__}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
