"""/portico/two-factor: the caller's second factor (state, enrolment, removal), and enrolment
with the token a log-in hands out under [auth] two_factor = "required"."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field

from portico.manager.deps import (
    Acting,
    Anonymous,
    Services,
    SignedCaller,
    SteppedUp,
)
from portico.manager.routes import answers
from portico.manager.routes.bodies import Body
from portico.manager.services.audit import Actor
from portico.manager.services.two_factor import MAX_CODE_LENGTH, Enrolment

router = APIRouter(prefix="/portico/two-factor")


class CodeBody(Body):
    code: str = Field(min_length=1, max_length=MAX_CODE_LENGTH)


class PasswordCodeBody(Body):
    password: str = Field(min_length=1, max_length=4096)
    code: str = Field(default="", max_length=MAX_CODE_LENGTH)


class SetupBody(Body):
    token: str = Field(min_length=1, max_length=256)


class SetupCodeBody(SetupBody, CodeBody):
    pass


def _enrolment(made: Enrolment) -> answers.TotpEnrolment:
    return answers.TotpEnrolment(secret=made.secret, uri=made.uri, qr_svg=made.qr_svg)


@router.get("")
async def state(caller: SignedCaller, svc: Services) -> answers.TwoFactorState:
    found = await svc.two_factor.state(caller.user_id)
    return answers.TwoFactorState(
        mode=found.mode, enabled=found.enabled, recovery_codes_left=found.recovery_codes_left
    )


@router.post("/totp")
async def begin(caller: SteppedUp, svc: Services) -> answers.TotpEnrolment:
    """A new secret for the caller's authenticator app; log-ins ask for codes once confirmed.
    Enrolment needs a step-up: whoever holds the session alone must not pick the factor."""
    user = await svc.accounts.user_row(caller.user_id)
    return _enrolment(await svc.two_factor.begin(user))


@router.post("/totp/confirm")
async def confirm(
    body: CodeBody, _fresh: SteppedUp, actor: Acting, svc: Services
) -> answers.RecoveryCodes:
    user = await svc.accounts.user_row(actor.user_id)
    codes = await svc.two_factor.confirm(user, body.code, actor)
    return answers.RecoveryCodes(recovery_codes=codes)


@router.post("/totp/disable", response_model=answers.Empty)
async def disable(body: PasswordCodeBody, actor: Acting, svc: Services) -> answers.Empty:
    user = await svc.accounts.user_row(actor.user_id)
    await svc.two_factor.disable_by_owner(user, body.password, body.code, actor)
    return answers.Empty()


@router.post("/recovery-codes", response_model=answers.RecoveryCodes)
async def renew_recovery_codes(
    body: PasswordCodeBody, actor: Acting, svc: Services
) -> answers.RecoveryCodes:
    """Ten new recovery codes; the old ones stop working."""
    user = await svc.accounts.user_row(actor.user_id)
    codes = await svc.two_factor.renew_recovery_codes_by_owner(
        user, body.password, body.code, actor
    )
    return answers.RecoveryCodes(recovery_codes=codes)


@router.post("/setup/totp")
async def begin_with_token(body: SetupBody, svc: Services) -> answers.TotpEnrolment:
    """Enrolment for an account that may not log in without a factor (the token of its
    log-in's registration step)."""
    user_id = await svc.two_factor.user_of_setup_token(body.token)
    return _enrolment(await svc.two_factor.begin(await svc.accounts.user_row(user_id)))


@router.post("/setup/totp/confirm")
async def confirm_with_token(
    body: SetupCodeBody, who: Anonymous, svc: Services
) -> answers.RecoveryCodes:
    user = await svc.accounts.user_row(await svc.two_factor.user_of_setup_token(body.token))
    actor = Actor(user.uuid, user.email, who.client_address, who.user_agent)
    codes = await svc.two_factor.confirm(user, body.code, actor)
    return answers.RecoveryCodes(recovery_codes=codes)
