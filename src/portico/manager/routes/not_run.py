"""What Backend.AI's WebUI and CLI ask about the parts of a cluster portico does not run (folders,
session templates, dotfiles, agents' error logs): the empty answers, in Backend.AI's shapes,
so that their screens and commands show "none" instead of failing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from portico.manager.deps import SignedCaller

router = APIRouter()


@router.get("/folders/_/hosts")
async def folder_hosts(_caller: SignedCaller) -> dict[str, Any]:
    return {"default": None, "allowed": [], "volume_info": {}}


@router.get("/folders/_/allowed_types")
async def folder_types(_caller: SignedCaller) -> list[str]:
    return []


@router.get("/folders/invitations/list")
async def folder_invitations(_caller: SignedCaller) -> dict[str, list[Any]]:
    return {"invitations": []}


@router.get("/user-config/dotfiles")
async def dotfiles(_caller: SignedCaller) -> list[Any]:
    return []


@router.get("/user-config/bootstrap-script")
async def bootstrap_script(_caller: SignedCaller) -> str:
    return ""


@router.get("/template/session")
async def session_templates(_caller: SignedCaller) -> list[Any]:
    return []


@router.get("/logs/error")
async def error_logs(_caller: SignedCaller) -> dict[str, Any]:
    return {"logs": [], "count": 0}
