"""/portico/passkeys: the caller's passkeys (list, register, remove), and a log-in with one.

The log-in route hands out the account's secret key, like /auth/authorize: the webserver calls
it (POST /server/login-passkey) and never relays it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import Field

from portico.manager.deps import Acting, ClientAddress, Services, SignedCaller, SteppedUp
from portico.manager.errors import ConsentRequired
from portico.manager.routes import answers
from portico.manager.routes.auth import consent_step, keypair_grant
from portico.manager.routes.bodies import Body
from portico.manager.services.passkeys import PasskeyInfo

router = APIRouter(prefix="/portico/passkeys")


class RegisterBody(Body):
    name: str = Field(default="", max_length=64)
    credential: dict[str, Any]


class PasskeyLogInBody(Body):
    credential: dict[str, Any]
    agreed_terms_version: str | None = Field(default=None, max_length=64)
    agreed_privacy_version: str | None = Field(default=None, max_length=64)


def _json(text: str) -> Response:
    return Response(text, media_type="application/json")


def _row(info: PasskeyInfo) -> answers.PasskeyRow:
    used = info.last_used_at.isoformat() if info.last_used_at else None
    return answers.PasskeyRow(
        id=info.id, name=info.name, created_at=info.created_at.isoformat(), last_used_at=used
    )


@router.get("")
async def listed(caller: SignedCaller, svc: Services) -> answers.PasskeyList:
    return answers.PasskeyList(
        passkeys=[_row(p) for p in await svc.passkeys.owned_by(caller.user_id)]
    )


@router.post("/register-options")
async def register_options(caller: SteppedUp, svc: Services) -> Response:
    """WebAuthn's creation options (JSON, binary fields in base64url), with a fresh challenge.
    A passkey stands for both factors: adding one needs a step-up."""
    user = await svc.accounts.user_row(caller.user_id)
    return _json(await svc.passkeys.registration_options(user))


@router.post("", status_code=201)
async def register(
    body: RegisterBody, _fresh: SteppedUp, actor: Acting, svc: Services
) -> answers.PasskeyRow:
    user = await svc.accounts.user_row(actor.user_id)
    return _row(await svc.passkeys.register(user, body.name, body.credential, actor))


@router.delete("/{passkey_id}")
async def remove(passkey_id: int, _fresh: SteppedUp, actor: Acting, svc: Services) -> answers.Ok:
    user = await svc.accounts.user_row(actor.user_id)
    await svc.passkeys.remove(user, passkey_id, actor)
    return answers.Ok()


@router.post("/login-options")
async def login_options(svc: Services, address: ClientAddress) -> Response:
    """Options for a discoverable credential: no account is named before the passkey does."""
    await svc.passkey_challenges.take(address or "-")
    return _json(await svc.passkeys.login_options())


@router.post("/login", response_model=answers.AuthorizeAnswer)
async def log_in(
    body: PasskeyLogInBody, request: Request, svc: Services, address: ClientAddress
) -> Any:
    try:
        auth = await svc.log_in.authorize_passkey(
            body.credential,
            client_address=address,
            user_agent=request.headers.get("user-agent", ""),
            agreed_terms_version=body.agreed_terms_version,
            agreed_privacy_version=body.agreed_privacy_version,
        )
    except ConsentRequired as step:
        return consent_step(step)
    return keypair_grant(auth)
