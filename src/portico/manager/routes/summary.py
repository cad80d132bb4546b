"""GET /summary and the account's own browser sessions (list, revoke, sign out elsewhere)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field

from portico.manager.deps import Acting, BrowserSession, Services, SignedCaller
from portico.manager.routes import answers
from portico.manager.routes.bodies import Body

router = APIRouter()


class PasswordBody(Body):
    password: str = Field(max_length=4096)


@router.get("/summary")
async def summary(
    caller: SignedCaller, svc: Services, session: BrowserSession, group: str = "default"
) -> answers.Summary:
    found = await svc.summary.summary(caller, group=group, current_session=session)
    return answers.Summary(**found)


@router.delete("/portico/sessions/{session_id}", response_model=answers.Ok)
async def revoke_session(session_id: str, actor: Acting, svc: Services) -> answers.Ok:
    await svc.own_sessions.end_one(actor, session_id)
    return answers.Ok()


@router.post("/portico/sessions/sign-out-others", response_model=answers.Ok)
async def sign_out_others(
    body: PasswordBody, actor: Acting, svc: Services, session: BrowserSession
) -> answers.Ok:
    await svc.own_sessions.end_others(actor, body.password, keep_hash=session)
    return answers.Ok()
