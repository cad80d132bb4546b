"""Administration: accounts waiting for approval."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import Field

from portico.db.models import UserRole
from portico.manager.deps import Services, SignedCaller
from portico.manager.errors import Forbidden
from portico.manager.routes.bodies import Body

router = APIRouter(prefix="/admin")


class ActivateBody(Body):
    email: str = Field(max_length=256)


def _require_admin(role: str) -> None:
    if role not in (UserRole.SUPERADMIN, UserRole.ADMIN):
        raise Forbidden("Administrators only.")


@router.get("/pending-users")
async def pending_users(caller: SignedCaller, svc: Services) -> dict[str, Any]:
    _require_admin(caller.role)
    users = await svc.signup.pending()
    return {
        "users": [
            {"email": u.email, "username": u.username, "created_at": u.created_at.isoformat()}
            for u in users
        ]
    }


@router.post("/activate-user")
async def activate_user(body: ActivateBody, caller: SignedCaller, svc: Services) -> dict[str, Any]:
    _require_admin(caller.role)
    await svc.signup.activate(body.email)
    return {"status": "ok"}


@router.post("/unlock-user")
async def unlock_user(body: ActivateBody, caller: SignedCaller, svc: Services) -> dict[str, Any]:
    """Lift a log-in block before it ends by itself."""
    _require_admin(caller.role)
    await svc.accounts.unlock(body.email)
    return {"status": "ok"}
