"""POST /portico/step-up: the signed caller gives the password (or a code of its authenticator
app) again, for the actions that add or remove an authenticator."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field

from portico.manager.credentials.step_up import holder_of
from portico.manager.deps import Acting, BrowserSession, Services, SignedCaller
from portico.manager.routes import answers
from portico.manager.routes.bodies import Body
from portico.manager.services.two_factor import MAX_CODE_LENGTH

router = APIRouter()


class StepUpBody(Body):
    password: str | None = Field(default=None, max_length=4096)
    code: str | None = Field(default=None, max_length=MAX_CODE_LENGTH)


@router.post("/portico/step-up")
async def step_up(
    body: StepUpBody, caller: SignedCaller, actor: Acting, session: BrowserSession, svc: Services
) -> answers.SteppedUp:
    user = await svc.accounts.user_row(caller.user_id)
    until = await svc.step_up.prove(
        user,
        holder_of(session, caller.access_key),
        actor,
        password=body.password,
        code=body.code,
    )
    return answers.SteppedUp(until=until, seconds=svc.step_up.seconds)
