"""How long a database may take, from [db]: shared by the manager's engine and the
webserver's session store (which does without SQLAlchemy, so this module does too)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from portico.config import DbConfig


@dataclass(frozen=True)
class Deadlines:
    """[db]'s deadlines, in seconds (see the configuration)."""

    statement: float = 10.0
    pool: float = 5.0
    connect: float = 5.0

    @classmethod
    def of(cls, config: DbConfig) -> Deadlines:
        return cls(config.statement_timeout, config.pool_timeout, config.connect_timeout)


DEFAULT_DEADLINES = Deadlines()


def postgres_deadlines(deadlines: Deadlines) -> dict[str, Any]:
    """asyncpg's connection options: the server ends a long statement itself, and the driver
    stops waiting a little later (a server that is paused or unreachable ends nothing)."""
    return {
        "timeout": deadlines.connect,
        "command_timeout": deadlines.statement + 1,
        "server_settings": {"statement_timeout": str(int(deadlines.statement * 1000))},
    }
