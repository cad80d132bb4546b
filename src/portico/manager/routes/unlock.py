"""The unlock link: asked for from the log-in dialog when blocked, used from the mailed page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import Field

from portico.manager.deps import ClientAddress, Services
from portico.manager.routes import answers
from portico.manager.routes.bodies import Body

router = APIRouter()


class UnlockLinkBody(Body):
    # The id the person logs in with: an e-mail address or a user name.
    username: str = Field(max_length=256)


class UnlockBody(Body):
    token: str = Field(max_length=256)


@router.post("/portico/unlock-link")
async def request_unlock_link(
    body: UnlockLinkBody, request: Request, svc: Services, address: ClientAddress
) -> answers.MailOnItsWay:
    await svc.unlock.request(
        body.username,
        client_address=address,
        language=request.headers.get("accept-language", ""),
    )
    return answers.MailOnItsWay(
        message="If this account is blocked, an unlock link is on its way to its e-mail address."
    )


@router.post("/portico/unlock")
async def unlock(body: UnlockBody, svc: Services, address: ClientAddress) -> answers.Unlocked:
    await svc.unlock.unlock(body.token, client_address=address)
    return answers.Unlocked(message="The account is unlocked: log in again.")
