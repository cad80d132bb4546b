"""The /auth routes of Backend.AI's manager API."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import ConfigDict, Field

from portico.manager.deps import BrowserSession, ClientAddress, Services, SignedCaller
from portico.manager.errors import (
    BadAuthParameters,
    ConsentRequired,
    OtpRequired,
    TwoFactorRegistrationRequired,
)
from portico.manager.routes import answers
from portico.manager.routes.bodies import Body
from portico.manager.services.accounts import Authorization
from portico.wire import problems

router = APIRouter(prefix="/auth")


class AuthorizeBody(Body):
    # The webserver forwards extra log-in fields (otp, force, ...) untouched.
    model_config = ConfigDict(extra="allow")

    type: str = "keypair"
    domain: str = "default"
    # 320: the longest e-mail address there is, and the lockout key's column.
    username: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=4096)


class LogoutBody(Body):
    session_token: str = Field(min_length=1, max_length=256)


class UpdatePasswordBody(Body):
    old_password: str = Field(max_length=4096)
    new_password: str = Field(max_length=4096)
    new_password2: str = Field(max_length=4096)


class UpdatePasswordNoAuthBody(Body):
    domain: str = "default"
    username: str = Field(min_length=1, max_length=320)
    current_password: str = Field(min_length=1, max_length=4096)
    new_password: str = Field(min_length=1, max_length=4096)


class UpdateFullNameBody(Body):
    email: str = Field(max_length=256)
    full_name: str = Field(max_length=256)


class EchoBody(Body):
    echo: Any = None


@router.post("/authorize", response_model=answers.AuthorizeAnswer)
async def authorize(
    body: AuthorizeBody, request: Request, svc: Services, address: ClientAddress
) -> Any:
    if body.type != "keypair":
        raise BadAuthParameters("Unsupported authorization type.")
    extra = body.model_extra or {}
    try:
        auth = await svc.log_in.authorize(
            body.username,
            body.password,
            client_address=address,
            user_agent=request.headers.get("user-agent", ""),
            agreed_terms_version=_str_or_none(extra.get("agreed_terms_version")),
            agreed_privacy_version=_str_or_none(extra.get("agreed_privacy_version")),
            otp=_str_or_none(extra.get("otp")),
        )
    except OtpRequired:
        return answers.AuthorizeAnswer(
            data=answers.TwoFactorStep(
                response_type="require-totp-authentication",
                type=problems.REQUIRE_TOTP_AUTHENTICATION,
                title="Two-Factor Authentication required.",
                details=problems.OTP_NOT_PROVIDED,
            )
        )
    except TwoFactorRegistrationRequired as step:
        return answers.AuthorizeAnswer(
            data=answers.TwoFactorStep(
                response_type="require-totp-registration",
                type=problems.REQUIRE_TOTP_REGISTRATION,
                title="Two-Factor Authentication registration required.",
                details="You must register Two-Factor Authentication.",
                two_factor_registration_token=step.token,
            )
        )
    except ConsentRequired as step:
        return consent_step(step)
    return keypair_grant(auth)


def consent_step(step: ConsentRequired) -> answers.AuthorizeAnswer:
    """Like Backend.AI's 2FA challenges: 200, no session, the step to take."""
    return answers.AuthorizeAnswer(
        data=answers.ConsentStep(
            type=problems.REQUIRE_CONSENT,
            title="Consent required.",
            details="Please read and accept the updated Terms of Service and "
            "Privacy Policy to continue.",
            terms_version=step.terms_version,
            privacy_version=step.privacy_version,
        )
    )


def keypair_grant(auth: Authorization) -> answers.AuthorizeAnswer:
    return answers.AuthorizeAnswer(
        data=answers.KeypairGrant(
            access_key=auth.access_key,
            secret_key=auth.secret_key,
            role=auth.role,
            status=auth.status,
            user_id=str(auth.user_id),
            email=auth.email,
            session_token=auth.session_token,
        )
    )


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@router.post("/logout")
async def logout(body: LogoutBody, svc: Services) -> answers.Empty:
    await svc.log_in.end_login_session(body.session_token)
    return answers.Empty()


@router.post("/update-password", response_model=answers.Empty)
async def update_password(
    body: UpdatePasswordBody,
    caller: SignedCaller,
    svc: Services,
    session: BrowserSession,
    address: ClientAddress,
) -> Any:
    await svc.passwords.change_own(
        caller.user_id,
        body.old_password,
        body.new_password,
        body.new_password2,
        # The webserver names the browser session making the change; it stays signed in.
        keep_session=session,
        client_address=address,
    )
    return answers.Empty()


@router.post("/update-password-no-auth", status_code=201)
async def update_password_no_auth(
    body: UpdatePasswordNoAuthBody, svc: Services, address: ClientAddress
) -> answers.PasswordChangedAt:
    """An expired password (one that must be changed before any log-in) changed without a
    session, as Backend.AI's manager does it."""
    changed_at = await svc.passwords.change_expired(
        body.username, body.current_password, body.new_password, address
    )
    return answers.PasswordChangedAt(password_changed_at=changed_at.isoformat())


@router.post("/update-full-name")
async def update_full_name(
    body: UpdateFullNameBody, caller: SignedCaller, svc: Services
) -> answers.Empty:
    await svc.accounts.update_full_name(caller.user_id, body.email, body.full_name)
    return answers.Empty()


@router.get("/role")
async def role(
    caller: SignedCaller, svc: Services, group: Annotated[uuid.UUID | None, Query()] = None
) -> answers.Roles:
    roles = await svc.accounts.roles(caller.user_id, caller.role, group)
    return answers.Roles(
        global_role=roles.global_role, domain_role=roles.domain_role, group_role=roles.group_role
    )


@router.get("")
@router.get("/test")
async def echo_get(caller: SignedCaller, echo: str | None = None) -> answers.Echo:
    return answers.Echo(echo=echo)


@router.post("")
@router.post("/test")
async def echo_post(caller: SignedCaller, body: EchoBody) -> JSONResponse:
    return JSONResponse({"authorized": "yes", "echo": body.echo})
