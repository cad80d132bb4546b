"""The SQLite engine skips the rollback that ends a read-only session (a round trip to
aiosqlite's thread that SQLite answers with nothing), and still rolls back a failed write."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from portico.db.engine import create_engine
from portico.db.sqlite_dialect import QuietRollbackSQLiteDialect


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'engine.db'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def rollbacks(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each rollback that reaches aiosqlite, with whether SQLite had a transaction open."""
    seen: list[bool] = []
    real = aiosqlite.Connection.rollback

    async def counted(self: aiosqlite.Connection) -> None:
        seen.append(self.in_transaction)
        await real(self)

    monkeypatch.setattr(aiosqlite.Connection, "rollback", counted)
    return seen


async def test_a_read_only_session_sends_no_rollback(
    engine: AsyncEngine, rollbacks: list[bool]
) -> None:
    for _ in range(5):
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM notes"))).scalar() == 0
    assert rollbacks == []


async def test_a_failed_write_is_rolled_back_and_the_connection_is_clean_again(
    engine: AsyncEngine, rollbacks: list[bool]
) -> None:
    async def fails_before_its_commit() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("INSERT INTO notes (body) VALUES ('half done')"))
            raise RuntimeError("the request failed before its commit")

    with pytest.raises(RuntimeError):
        await fails_before_its_commit()
    assert rollbacks == [True]
    # The pooled connection is free of that transaction: another writer is not locked out,
    # and the failed row is gone.
    async with engine.begin() as conn:
        await conn.execute(text("INSERT INTO notes (body) VALUES ('whole')"))
    async with engine.connect() as conn:
        bodies = (await conn.execute(text("SELECT body FROM notes"))).scalars().all()
    assert bodies == ["whole"]


async def test_an_explicit_rollback_of_a_write_undoes_it(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("INSERT INTO notes (body) VALUES ('draft')"))
        await conn.rollback()
        assert (await conn.execute(text("SELECT count(*) FROM notes"))).scalar() == 0


def test_the_engine_runs_on_the_registered_dialect_by_its_plain_url(engine: AsyncEngine) -> None:
    # Operators write sqlite+aiosqlite://; the engine takes portico's subclass of that dialect
    # (registered with SQLAlchemy, not patched onto aiosqlite's), which every other part reads
    # as plain SQLite.
    assert isinstance(engine.dialect, QuietRollbackSQLiteDialect)
    assert engine.dialect.name == "sqlite"
