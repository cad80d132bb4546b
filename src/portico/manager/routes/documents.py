"""GET /portico/documents/{terms|privacy}: the documents a user accepts, with their versions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from portico.manager.deps import Services

router = APIRouter()


@router.get("/portico/documents/{kind}")
async def document(kind: str, svc: Services, lang: str = "en") -> dict[str, Any]:
    doc = svc.consent.document(kind, lang)
    return {"kind": doc.kind, "version": doc.version, "lang": doc.lang, "html": doc.html}
