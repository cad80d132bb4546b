"""Fresh databases for tests: a SQLite file per test, or PostgreSQL's `test` database emptied."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from portico.db.engine import create_engine
from tests.support.services import require_postgres

BACKENDS = ["sqlite", "postgres"]


async def fresh_database_url(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'portico.db'}"
    url = require_postgres()
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()
    return url
