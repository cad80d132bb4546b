"""What the command groups share: the command type, the database an operator command works
on (never created by one), reading a password, durations."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from portico.config import Settings

if TYPE_CHECKING:  # the webserver must not import the manager's stack just to start
    from portico.manager.container import ManagerServices

Command = Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]
# What a command module's `register` is handed to add its commands to.
# (a string: the class is generic only to type checkers)
Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
Table = dict[tuple[str, ...], Command]


class NoDatabase(Exception):
    """An operator command found no portico database where the configuration points."""


def needs_services(
    command: Callable[[ManagerServices, argparse.Namespace], Awaitable[int]],
) -> Command:
    """An operator command: it works on the manager's services over an existing, current
    database, and never creates or migrates one (only `serve`, `manager` and `db upgrade` do)."""

    async def run(settings: Settings, args: argparse.Namespace) -> int:
        from portico.manager.container import build_services

        await require_database(settings)
        svc = await build_services(settings, migrate=False)
        try:
            return await command(svc, args)
        finally:
            await svc.close()

    return run


async def require_database(settings: Settings) -> None:
    """Raise NoDatabase, in one line, unless the configured database holds the current schema."""
    from sqlalchemy.engine import make_url

    from portico.db.deadlines import Deadlines
    from portico.db.engine import create_engine
    from portico.db.migrate import schema_state

    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and not _exists(url.database or ""):
        raise NoDatabase(
            f"no database at {url.database}: start `portico serve` (or `portico manager`) or run "
            "`portico db upgrade` first, or name the server's configuration with --config or "
            "PORTICO_CONFIG"
        )
    engine = create_engine(settings.database_url, Deadlines.of(settings.db))
    try:
        state = await schema_state(engine)
    finally:
        await engine.dispose()
    where = url.render_as_string(hide_password=True)
    if state == "empty":
        raise NoDatabase(f"no portico schema in {where}: run `portico db upgrade` first")
    if state == "behind":
        raise NoDatabase(
            f"the schema in {where} is not this portico's version: run `portico db upgrade`"
        )


def _exists(path: str) -> bool:
    return Path(path).is_file()


def password_from_stdin() -> str | None:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        print("error: no password on standard input", file=sys.stderr)
        return None
    return password


def duration(text: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    try:
        seconds = int(text[:-1]) * units[text[-1]] if text[-1:] in units else int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (use 30m, 12h, 7d)") from None
    if seconds <= 0:
        raise argparse.ArgumentTypeError("a duration must be positive")
    return seconds
