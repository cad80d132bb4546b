"""GET /: the version document clients negotiate their API version from."""

from __future__ import annotations

from fastapi import APIRouter

from portico import __version__
from portico.manager.routes import answers
from portico.wire.versions import API_VERSION

router = APIRouter()


@router.get("/")
async def hello() -> answers.Version:
    return answers.Version(version=API_VERSION, manager=__version__)
