"""Anonymous account flows: /auth/signup and the /cloud/* routes of Backend.AI's cloud plugin."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ConfigDict, Field

from portico.manager.deps import ClientAddress, Services
from portico.manager.routes import answers
from portico.manager.routes.bodies import Body

router = APIRouter()

_SENT = answers.MailOnItsWay(message="If the address can receive it, an e-mail is on its way.")


class SignupBody(Body):
    model_config = ConfigDict(extra="ignore")

    email: str = Field(max_length=256)
    password: str = Field(max_length=4096)
    # Backend.AI's SDK says `username`, its WebUI `user_name`.
    username: str | None = Field(None, max_length=64)
    user_name: str | None = Field(None, max_length=64)
    token: str | None = Field(None, max_length=256)
    terms_version: str | None = Field(None, max_length=32)
    privacy_version: str | None = Field(None, max_length=32)
    domain: str | None = None


class EmailBody(Body):
    email: str = Field(max_length=256)


class VerifyBody(Body):
    verification_code: str = Field(max_length=256)


class ChangePasswordBody(Body):
    email: str = Field(max_length=256)
    password: str = Field(max_length=4096)
    token: str = Field(max_length=256)
    # Replace the account's API keypair and remove its passkeys too (whoever knew the old
    # password may have used the one or added the other).
    replace_keypair: bool = True
    remove_passkeys: bool = True


class LinkBody(Body):
    token: str = Field(max_length=256)


def _language(request: Request) -> str:
    return request.headers.get("accept-language", "")


@router.post("/auth/signup", status_code=201)
async def signup(
    body: SignupBody, request: Request, svc: Services, address: ClientAddress
) -> answers.SignupAnswer:
    outcome = await svc.signup.signup(
        email=body.email,
        password=body.password,
        username=body.username or body.user_name,
        token=body.token,
        terms_version=body.terms_version,
        privacy_version=body.privacy_version,
        client_address=address,
        language=_language(request),
    )
    return answers.SignupAnswer(status=outcome.status)


@router.post("/cloud/verify-email")
async def verify_email(body: VerifyBody, svc: Services) -> answers.Verified:
    outcome = await svc.signup.verify_email(body.verification_code)
    return answers.Verified(status=outcome.status)


@router.post("/cloud/send-verification-email")
async def send_verification_email(
    body: EmailBody, request: Request, svc: Services, address: ClientAddress
) -> answers.MailOnItsWay:
    await svc.signup.resend_verification(
        body.email, client_address=address, language=_language(request)
    )
    return _SENT


@router.post("/cloud/send-password-change-email")
async def send_password_change_email(
    body: EmailBody, request: Request, svc: Services, address: ClientAddress
) -> answers.MailOnItsWay:
    await svc.recovery.request_change(
        body.email, client_address=address, language=_language(request)
    )
    return _SENT


@router.post("/cloud/change-password")
async def change_password(body: ChangePasswordBody, svc: Services) -> answers.PasswordReset:
    changed = await svc.recovery.change_password(
        body.email,
        body.password,
        body.token,
        replace_keypair=body.replace_keypair,
        remove_passkeys=body.remove_passkeys,
    )
    # The new access key only (its secret is shown from the profile, never in a page's JS).
    access_key = changed.keypair.access_key if changed.keypair is not None else None
    return answers.PasswordReset(
        message="Password is successfully changed.",
        keypair_replaced=changed.keypair is not None,
        access_key=access_key,
        passkeys_removed=changed.passkeys_removed,
    )


@router.post("/cloud/change-password/passkeys")
async def passkeys_of_link(body: LinkBody, svc: Services) -> answers.PasskeyNames:
    """The passkeys of the account a reset link is for, for its page to offer their removal.
    POST, with the token in the body: reading spends nothing, and no token goes in a URL."""
    return answers.PasskeyNames(passkeys=await svc.recovery.passkeys_of_link(body.token))


@router.get("/cloud/ping")
async def ping(svc: Services) -> JSONResponse:
    svc.recovery.require_enabled()
    return JSONResponse({"status": "ok"})
