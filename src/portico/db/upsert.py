"""INSERT ... ON CONFLICT DO NOTHING for the two dialects portico runs on."""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert


def insert_ignoring_conflicts(table: Table, dialect_name: str, **values: object) -> Insert:
    module = postgresql if dialect_name == "postgresql" else sqlite
    return module.insert(table).values(**values).on_conflict_do_nothing()
