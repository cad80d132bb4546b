"""The signed caller's own account: GET /portico/me (the console's top bar, Summary and
profile) and a new API keypair."""

from __future__ import annotations

from fastapi import APIRouter

from portico.manager.deps import Acting, BrowserSession, Services, SignedCaller, SteppedUp
from portico.manager.routes import answers

router = APIRouter()


@router.get("/portico/me")
async def me(caller: SignedCaller, svc: Services) -> answers.Me:
    user = await svc.accounts.get_user(caller.user_id)
    return answers.Me(
        email=user.email,
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        status=user.status,
        domain_name=user.domain_name,
        access_key=caller.access_key,
    )


@router.post("/portico/keypair/replace")
async def replace_keypair(
    _fresh: SteppedUp, actor: Acting, svc: Services, session: BrowserSession
) -> answers.NewKeypair:
    """A new API keypair for the caller. The answer is the only place its secret shows."""
    keypair = await svc.passwords.replace_keypair(actor.user_id, actor, keep_session=session)
    return answers.NewKeypair(access_key=keypair.access_key, secret_key=keypair.secret_key)
