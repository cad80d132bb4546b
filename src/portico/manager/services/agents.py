"""Agents (nodes): registration, credentials, heartbeats, and whether they are alive."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portico.agent.node_stats import NodeReport
from portico.common.sealing import token_hash
from portico.db.models import Agent, ResourceGroup
from portico.db.upsert import insert_ignoring_conflicts
from portico.manager.errors import InvalidRequest, SignatureMismatch

_T = Agent.__table__


@dataclass(frozen=True)
class AgentInfo:
    id: str
    resource_group: str
    hostname: str
    capacity: dict[str, Any]
    cpu_util: float
    mem_used: int
    alive: bool
    last_heartbeat: float


class AgentService:
    def __init__(
        self,
        database: async_sessionmaker[AsyncSession],
        *,
        lost_after: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._database = database
        self.lost_after = lost_after
        self._clock = clock

    async def _require_group(self, name: str) -> None:
        async with self._database() as db:
            if await db.get(ResourceGroup, name) is None:
                raise InvalidRequest(f"no resource group {name!r}")

    async def report(
        self, agent_id: str, report: NodeReport, resource_group: str = "default"
    ) -> None:
        """Register or refresh an agent with what it reports now; `resource_group` only applies
        to a node seen for the first time."""
        now = self._clock()
        values = {
            "hostname": report.hostname,
            "capacity": report.capacity,
            "cpu_util": report.cpu_util,
            "mem_used": report.mem_used,
            "last_heartbeat": now,
        }
        async with self._database.begin() as db:
            await db.execute(
                insert_ignoring_conflicts(
                    db, _T, id=agent_id, resource_group=resource_group, **values
                )
            )
            await db.execute(update(_T).where(_T.c.id == agent_id).values(**values))

    async def issue_credential(self, agent_id: str, resource_group: str = "default") -> str:
        """A new credential for a remote agent (replacing an older one)."""
        await self._require_group(resource_group)
        token = "pag_" + secrets.token_urlsafe(32)
        async with self._database.begin() as db:
            await db.execute(
                insert_ignoring_conflicts(
                    db,
                    _T,
                    id=agent_id,
                    resource_group=resource_group,
                    hostname="",
                    capacity={},
                    cpu_util=0.0,
                    mem_used=0,
                    last_heartbeat=0.0,
                )
            )
            await db.execute(
                update(_T)
                .where(_T.c.id == agent_id)
                .values(credential_hash=token_hash(token), resource_group=resource_group)
            )
        return token

    async def authenticate(self, token: str) -> str:
        """The agent id a credential belongs to."""
        if not token:
            raise SignatureMismatch("no agent credential")
        async with self._database() as db:
            agent_id = await db.scalar(
                select(Agent.id).where(Agent.credential_hash == token_hash(token))
            )
        if agent_id is None:
            raise SignatureMismatch("unknown agent credential")
        return agent_id

    async def all_in(self, resource_group: str | None = None) -> list[AgentInfo]:
        now = self._clock()
        async with self._database() as db:
            query = select(Agent).order_by(Agent.id)
            if resource_group is not None:
                query = query.where(Agent.resource_group == resource_group)
            agents = (await db.scalars(query)).all()
        return [
            AgentInfo(
                a.id,
                a.resource_group,
                a.hostname,
                dict(a.capacity),
                a.cpu_util,
                a.mem_used,
                now - a.last_heartbeat <= self.lost_after,
                a.last_heartbeat,
            )
            for a in agents
        ]
