"""Keypair resource policies, resource groups and allocations (compute sessions)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portico.db.models import ComputeSession, Keypair, KeypairResourcePolicy, ResourceGroup, utcnow
from portico.db.results import rows_changed
from portico.manager.errors import InvalidRequest, NameTaken, NotFound

RESOURCE_TYPES = ("cpu", "mem", "cuda.device")


def parse_memory(text: str) -> int:
    """'16g', '512m', '1.5t' or a byte count -> bytes."""
    units = {"k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
    text = text.strip().lower().removesuffix("b").removesuffix("i")
    try:
        if text and text[-1] in units:
            return int(float(text[:-1]) * units[text[-1]])
        return int(text)
    except ValueError:
        raise InvalidRequest(f"not an amount of memory: {text!r} (use e.g. 16g)") from None


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    total_resource_slots: dict[str, Any]
    max_concurrent_sessions: int
    max_containers_per_session: int = 1
    max_session_lifetime: int = 0
    idle_timeout: int = 0
    created_at: datetime | None = None


class ResourceService:
    def __init__(self, database: async_sessionmaker[AsyncSession]) -> None:
        self._database = database

    @staticmethod
    def _check_policy(slots: dict[str, Any], max_concurrent_sessions: int) -> None:
        unknown = set(slots) - set(RESOURCE_TYPES)
        if unknown:
            raise InvalidRequest(f"unknown resource types: {', '.join(sorted(unknown))}")
        if any(not isinstance(v, int | float) or v < 0 for v in slots.values()):
            raise InvalidRequest("resource limits are numbers, 0 or more")
        if max_concurrent_sessions < 0:
            raise InvalidRequest("max_concurrent_sessions cannot be negative")

    async def create_policy(
        self, name: str, slots: dict[str, Any], max_concurrent_sessions: int
    ) -> None:
        self._check_policy(slots, max_concurrent_sessions)
        try:
            async with self._database.begin() as db:
                db.add(
                    KeypairResourcePolicy(
                        name=name,
                        total_resource_slots=slots,
                        max_concurrent_sessions=max_concurrent_sessions,
                    )
                )
        except IntegrityError as exc:
            raise NameTaken(f"policy {name!r} exists") from exc

    async def update_policy(
        self, name: str, slots: dict[str, Any], max_concurrent_sessions: int
    ) -> None:
        self._check_policy(slots, max_concurrent_sessions)
        async with self._database.begin() as db:
            result = await db.execute(
                update(KeypairResourcePolicy)
                .where(KeypairResourcePolicy.name == name)
                .values(total_resource_slots=slots, max_concurrent_sessions=max_concurrent_sessions)
            )
        if not rows_changed(result):
            raise NotFound(f"no policy {name!r}")

    async def set_user_policy(self, user_id: uuid.UUID, policy: str) -> None:
        """Every keypair of the account follows `policy`."""
        async with self._database.begin() as db:
            if await db.get(KeypairResourcePolicy, policy) is None:
                raise NotFound(f"no policy {policy!r}")
            result = await db.execute(
                update(Keypair).where(Keypair.user_id == user_id).values(resource_policy=policy)
            )
        if not rows_changed(result):
            raise NotFound("no keypair of that account")

    async def list_policies(self) -> list[PolicyInfo]:
        async with self._database() as db:
            rows = (
                await db.scalars(select(KeypairResourcePolicy).order_by(KeypairResourcePolicy.name))
            ).all()
        return [
            PolicyInfo(
                r.name,
                dict(r.total_resource_slots),
                r.max_concurrent_sessions,
                r.max_containers_per_session,
                r.max_session_lifetime,
                r.idle_timeout,
                r.created_at,
            )
            for r in rows
        ]

    async def set_keypair_policy(self, access_key: str, policy: str) -> None:
        async with self._database.begin() as db:
            if await db.get(KeypairResourcePolicy, policy) is None:
                raise NotFound(f"no policy {policy!r}")
            result = await db.execute(
                update(Keypair)
                .where(Keypair.access_key == access_key)
                .values(resource_policy=policy)
            )
        if not rows_changed(result):
            raise NotFound("no such keypair")

    async def create_group(self, name: str, description: str = "") -> None:
        try:
            async with self._database.begin() as db:
                db.add(ResourceGroup(name=name, description=description))
        except IntegrityError as exc:
            raise NameTaken(f"resource group {name!r} exists") from exc

    async def list_groups(self) -> list[ResourceGroup]:
        async with self._database() as db:
            return list(
                (await db.scalars(select(ResourceGroup).order_by(ResourceGroup.name))).all()
            )

    async def allocate(
        self,
        *,
        user_id: uuid.UUID,
        access_key: str,
        agent_id: str | None,
        slots: dict[str, Any],
        resource_group: str = "default",
        name: str = "",
    ) -> uuid.UUID:
        async with self._database.begin() as db:
            session = ComputeSession(
                user_id=user_id,
                access_key=access_key,
                agent_id=agent_id,
                slots=slots,
                resource_group=resource_group,
                name=name,
            )
            db.add(session)
            await db.flush()
            return session.id

    async def terminate(self, session_id: uuid.UUID) -> None:
        async with self._database.begin() as db:
            await db.execute(
                update(ComputeSession)
                .where(ComputeSession.id == session_id)
                .values(status="terminated", terminated_at=utcnow())
            )
