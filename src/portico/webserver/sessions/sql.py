"""Browser sessions in the `web_sessions` table (the default store)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from portico.db.engine import session_factory
from portico.db.models import WebSessionRow
from portico.webserver.sessions import SessionStore

_T = WebSessionRow.__table__


class SqlSessionStore(SessionStore):
    def __init__(self, engine: AsyncEngine, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sessions = session_factory(engine)

    async def _put(
        self, key: str, user_id: str, record: dict[str, Any], expires_at: float, ttl: int
    ) -> None:
        async with self._sessions.begin() as db:
            await db.execute(
                _T.insert().values(
                    id_hash=key,
                    user_id=uuid.UUID(user_id),
                    data=record,
                    expires_at=expires_at,
                    last_seen=record["last_seen"],
                )
            )

    async def _get(self, key: str) -> dict[str, Any] | None:
        async with self._sessions() as db:
            return await db.scalar(select(_T.c.data).where(_T.c.id_hash == key))

    async def _touch(self, key: str, record: dict[str, Any], now: float, ttl: int) -> None:
        async with self._sessions.begin() as db:
            await db.execute(
                update(_T).where(_T.c.id_hash == key).values(data=record, last_seen=now)
            )

    async def _delete(self, key: str) -> None:
        async with self._sessions.begin() as db:
            await db.execute(delete(_T).where(_T.c.id_hash == key))

    async def purge(self) -> None:
        """Drop sessions past their absolute or idle end."""
        now = self._clock()
        async with self._sessions.begin() as db:
            await db.execute(
                delete(_T).where(
                    (_T.c.expires_at <= now) | (_T.c.last_seen <= now - self.idle_timeout)
                )
            )
