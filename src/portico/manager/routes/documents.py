"""GET /portico/documents/{terms|privacy}: the documents a user accepts, with their versions."""

from __future__ import annotations

from fastapi import APIRouter

from portico.manager.deps import Services
from portico.manager.routes import answers

router = APIRouter()


@router.get("/portico/documents/{kind}")
async def document(kind: str, svc: Services, lang: str = "en") -> answers.Document:
    doc = svc.consent.document(kind, lang)
    return answers.Document(kind=doc.kind, version=doc.version, lang=doc.lang, html=doc.html)
