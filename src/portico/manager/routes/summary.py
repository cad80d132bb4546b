"""GET /summary and the account's own browser sessions (list, revoke, sign out elsewhere)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import Field

from portico.asgi.problem_responses import problem_response
from portico.manager.deps import Acting, BrowserSession, Services, SignedCaller
from portico.manager.errors import InvalidCredentials
from portico.manager.routes import answers
from portico.manager.routes.bodies import Body
from portico.manager.services.audit import AuditKind
from portico.wire import problems

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
async def revoke_session(session_id: str, actor: Acting, svc: Services) -> Any:
    if not await svc.browser_sessions.revoke_one(str(actor.user_id), session_id):
        return problem_response(404, problems.OBJECT_NOT_FOUND, "No such session of yours.")
    await svc.audit.record(
        AuditKind.SESSION_REVOKED, actor=actor, subject_id=actor.user_id, subject=actor.email
    )
    return answers.Ok()


@router.post("/portico/sessions/sign-out-others", response_model=answers.Ok)
async def sign_out_others(
    body: PasswordBody, actor: Acting, svc: Services, session: BrowserSession
) -> Any:
    try:
        await svc.accounts.verify_own_password(actor.user_id, body.password, actor.client_address)
    except InvalidCredentials:
        return problem_response(
            401, problems.AUTH_FAILED, "Password mismatch", details="The password is not correct."
        )
    await svc.browser_sessions.revoke_user(str(actor.user_id), keep_hash=session)
    await svc.audit.record(
        AuditKind.SESSIONS_ENDED,
        actor=actor,
        subject_id=actor.user_id,
        subject=actor.email,
        outcome="others",
    )
    return answers.Ok()
