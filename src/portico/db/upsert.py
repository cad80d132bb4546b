"""INSERT ... ON CONFLICT DO NOTHING for the two dialects portico runs on."""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert


def insert_ignoring_conflicts(session: AsyncSession, table: Table, **values: object) -> Insert:
    """The statement for the database `session` talks to."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement: Insert = module.insert(table).values(**values).on_conflict_do_nothing()
    return statement
