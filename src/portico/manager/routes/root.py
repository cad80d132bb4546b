"""GET /: the version document clients negotiate their API version from."""

from __future__ import annotations

from fastapi import APIRouter

from portico import __version__
from portico.wire.versions import API_VERSION

router = APIRouter()


@router.get("/")
async def hello() -> dict[str, str]:
    return {"version": API_VERSION, "manager": __version__}
