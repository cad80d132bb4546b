"""The Summary: resource use against quotas, the cluster's state, and the account's security.

Values are in base units (cores, bytes, devices); the UI formats them. What a user sees is
their own; what concerns the whole cluster (nodes, everybody's sessions) only admins see.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portico.db.models import (
    ComputeSession,
    Keypair,
    KeypairResourcePolicy,
    LoginHistory,
    ResourceGroup,
    UserRole,
)
from portico.manager.errors import NotFound
from portico.manager.services.agents import AgentService
from portico.manager.services.request_auth import Caller
from portico.manager.services.resources import RESOURCE_TYPES
from portico.manager.services.user_agents import describe
from portico.sessions.store import SessionStore

RUNNING = "running"


def _add(total: dict[str, float], slots: dict[str, Any]) -> None:
    for kind in RESOURCE_TYPES:
        value = slots.get(kind)
        if isinstance(value, int | float):
            total[kind] += value


def _sum(slot_maps: Iterable[dict[str, Any]]) -> dict[str, float]:
    total = dict.fromkeys(RESOURCE_TYPES, 0.0)
    for slots in slot_maps:
        _add(total, slots)
    return total


def _login(row: LoginHistory | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "at": row.created_at,
        "client_address": row.client_address,
        "user_agent": row.user_agent,
        **describe(row.user_agent),
    }


class SummaryService:
    def __init__(
        self,
        database: async_sessionmaker[AsyncSession],
        agents: AgentService,
        browser_sessions: SessionStore,
    ) -> None:
        self._database = database
        self.agents = agents
        self.browser_sessions = browser_sessions

    async def summary(
        self, caller: Caller, *, group: str = "default", current_session: str | None = None
    ) -> dict[str, Any]:
        admin = caller.role in (UserRole.SUPERADMIN, UserRole.ADMIN)
        async with self._database() as db:
            groups = (
                await db.scalars(
                    select(ResourceGroup.name)
                    .where(ResourceGroup.is_active)
                    .order_by(ResourceGroup.name)
                )
            ).all()
            if group not in groups:
                raise NotFound(f"no resource group {group!r}")
            policy = await db.scalar(
                select(KeypairResourcePolicy)
                .join(Keypair, Keypair.resource_policy == KeypairResourcePolicy.name)
                .where(Keypair.access_key == caller.access_key)
            )
            mine = (
                await db.scalars(
                    select(ComputeSession.slots).where(
                        ComputeSession.access_key == caller.access_key,
                        ComputeSession.status == RUNNING,
                    )
                )
            ).all()
            in_group = (
                await db.scalars(
                    select(ComputeSession.slots).where(
                        ComputeSession.resource_group == group, ComputeSession.status == RUNNING
                    )
                )
            ).all()
            everyone = await db.scalar(
                select(func.count())
                .select_from(ComputeSession)
                .where(ComputeSession.status == RUNNING)
            )
        agents = await self.agents.all_in()
        alive = [a for a in agents if a.alive]
        limits = {
            kind: (policy.total_resource_slots.get(kind) if policy else None)
            for kind in RESOURCE_TYPES
        }
        system: dict[str, Any] = {
            "scope": "all" if admin else "own",
            "active_sessions": everyone if admin else len(mine),
        }
        if admin:
            system["connected_nodes"] = len(alive)
            system["nodes"] = [
                {
                    "id": a.id,
                    "hostname": a.hostname,
                    "resource_group": a.resource_group,
                    "alive": a.alive,
                    "cpu_util": a.cpu_util,
                    "mem_used": a.mem_used,
                    "capacity": a.capacity,
                    "last_heartbeat": a.last_heartbeat,
                }
                for a in agents
            ]
            system["cpu_util"] = sum(a.cpu_util * a.capacity.get("cpu", 0) for a in alive) / max(
                1, sum(a.capacity.get("cpu", 0) for a in alive)
            )
            system["mem_used"] = sum(a.mem_used for a in alive)
            system["mem_total"] = sum(a.capacity.get("mem", 0) for a in alive)
        return {
            "resource_types": list(RESOURCE_TYPES),
            "keypair": {
                "access_key": caller.access_key,
                "policy": policy.name if policy else None,
                "allocated": _sum(mine),
                "limits": limits,
                "sessions": {
                    "running": len(mine),
                    "allowed": policy.max_concurrent_sessions if policy else None,
                },
            },
            "resource_group": {
                "name": group,
                "groups": list(groups),
                "used": _sum(in_group),
                "total": _sum(a.capacity for a in alive if a.resource_group == group),
            },
            "system": system,
            "security": await self.security(caller.user_id, current_session),
        }

    async def security(self, user_id: uuid.UUID, current_session: str | None) -> dict[str, Any]:
        async with self._database() as db:
            successes = (
                await db.scalars(
                    select(LoginHistory)
                    .where(LoginHistory.user_id == user_id, LoginHistory.success)
                    .order_by(LoginHistory.created_at.desc())
                    .limit(2)
                )
            ).all()
            previous = successes[1] if len(successes) > 1 else None
            since = previous.created_at if previous is not None else 0.0
            failed = await db.scalar(
                select(func.count())
                .select_from(LoginHistory)
                .where(
                    LoginHistory.user_id == user_id,
                    LoginHistory.success.is_(False),
                    LoginHistory.created_at > since,
                )
            )
        browser = await self.browser_sessions.list_user(str(user_id))
        return {
            "current_login": _login(successes[0] if successes else None),
            "previous_login": _login(previous),
            "failed_since_previous": failed or 0,
            "sessions": [
                {
                    "id": s.id,
                    "created_at": s.created_at,
                    "last_seen": s.last_seen,
                    "client_address": s.client_address,
                    "user_agent": s.user_agent,
                    **describe(s.user_agent),
                    "current": s.id == current_session,
                }
                for s in browser
            ],
        }
