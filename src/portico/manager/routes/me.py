"""GET /portico/me: the signed caller's own account, for the console's top bar and Summary."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from portico.manager.deps import Services, SignedCaller

router = APIRouter()


@router.get("/portico/me")
async def me(caller: SignedCaller, svc: Services) -> dict[str, Any]:
    user = await svc.accounts.get_user(caller.user_id)
    return {
        "email": user.email,
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "status": user.status,
        "domain_name": user.domain_name,
        "access_key": caller.access_key,
    }
