"""Schema migrations (Alembic) driven from portico's own engine."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from portico.db.deadlines import Deadlines
from portico.db.engine import create_engine

_MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


# A migration may rewrite a large table: far longer than a request's statement may take.
MIGRATION_DEADLINES = Deadlines(statement=3600.0, pool=60.0, connect=30.0)


async def upgrade_database(url: str, revision: str = "head") -> None:
    """Upgrade the database at `url` through an engine of its own, without request deadlines."""
    engine = create_engine(url, MIGRATION_DEADLINES)
    try:
        await upgrade(engine, revision)
    finally:
        await engine.dispose()


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    def run(connection: Connection) -> None:
        command.upgrade(alembic_config(connection), revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


async def schema_state(engine: AsyncEngine) -> Literal["current", "behind", "empty"]:
    """Whether the database holds portico's latest schema, an older one, or none at all."""

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as conn:
        revision = await conn.run_sync(read)
    if revision is None:
        return "empty"
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    return "current" if revision == head else "behind"


async def make_revision(engine: AsyncEngine, message: str) -> None:
    """Developer helper: autogenerate a migration from the models."""

    def run(connection: Connection) -> None:
        command.revision(alembic_config(connection), message=message, autogenerate=True)

    async with engine.begin() as conn:
        await conn.run_sync(run)
