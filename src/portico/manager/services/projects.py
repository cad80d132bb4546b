"""Projects (Backend.AI's groups): the units users join and that invitations name."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portico.db.models import Group
from portico.manager.errors import NameTaken


class ProjectService:
    def __init__(self, database: async_sessionmaker[AsyncSession]) -> None:
        self._database = database

    async def create(self, name: str, description: str = "", domain_name: str = "default") -> None:
        try:
            async with self._database.begin() as db:
                db.add(Group(name=name, description=description, domain_name=domain_name))
        except IntegrityError as exc:
            raise NameTaken(f"project {name!r} exists") from exc

    async def names_and_descriptions(self) -> list[tuple[str, str]]:
        async with self._database() as db:
            rows = (
                await db.execute(select(Group.name, Group.description).order_by(Group.name))
            ).all()
        return [(r.name, r.description) for r in rows]

    async def exists(self, name: str, domain_name: str = "default") -> bool:
        async with self._database() as db:
            return (
                await db.scalar(
                    select(Group.id).where(Group.name == name, Group.domain_name == domain_name)
                )
                is not None
            )
