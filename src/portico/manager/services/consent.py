"""Terms of Service and Privacy Policy: the documents, their versions, who accepted what."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portico.common.languages import LANGUAGES
from portico.config import ConsentConfig
from portico.db.models import Consent, User
from portico.manager.errors import InvalidRequest, NotFound

SHIPPED = Path(__file__).resolve().parents[1] / "documents"
DOCUMENTS = ("terms", "privacy")


@dataclass(frozen=True)
class Document:
    kind: str
    version: str
    lang: str
    html: str


class ConsentService:
    def __init__(self, database: async_sessionmaker[AsyncSession], config: ConsentConfig) -> None:
        self._database = database
        self.config = config

    @property
    def versions(self) -> dict[str, str]:
        return {"terms": self.config.terms_version, "privacy": self.config.privacy_version}

    def document(self, kind: str, lang: str) -> Document:
        if kind not in DOCUMENTS:
            raise NotFound("no such document")
        lang = lang if lang in LANGUAGES else "en"
        configured = self.config.terms_path if kind == "terms" else self.config.privacy_path
        candidates = (
            [Path(configured.format(lang=lang)), Path(configured.format(lang="en"))]
            if configured
            else [SHIPPED / f"{kind}.{lang}.html", SHIPPED / f"{kind}.en.html"]
        )
        for path in candidates:
            if path.is_file():
                return Document(kind, self.versions[kind], lang, path.read_text(encoding="utf-8"))
        raise NotFound(f"the {kind} document is missing on the server")

    def require_current(self, terms_version: str | None, privacy_version: str | None) -> None:
        if (terms_version, privacy_version) != (self.versions["terms"], self.versions["privacy"]):
            raise InvalidRequest(
                "You must read and agree to the current Terms of Service and Privacy Policy."
            )

    async def record(self, db: AsyncSession, user_id: uuid.UUID, client_address: str) -> None:
        """Record acceptance of the current versions (inside the caller's transaction)."""
        for kind, version in self.versions.items():
            db.add(
                Consent(
                    user_id=user_id,
                    document=kind,
                    version=version,
                    client_address=client_address[:64],
                )
            )

    async def accept(self, user_id: uuid.UUID, client_address: str) -> None:
        async with self._database.begin() as db:
            await self.record(db, user_id, client_address)

    async def outdated(self, user: User) -> bool:
        """True when the user has not accepted the current versions.

        Accounts an operator created (marked so, never by the absence of consent rows) did not
        go through sign-up and are asked only once they have accepted some version.
        """
        async with self._database() as db:
            rows = (
                await db.execute(
                    select(Consent.document, Consent.version).where(Consent.user_id == user.uuid)
                )
            ).all()
        if not rows:
            return user.created_via == "signup"
        accepted = {(r.document, r.version) for r in rows}
        return any((kind, v) not in accepted for kind, v in self.versions.items())
