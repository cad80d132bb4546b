"""The manager's log-in answers, typed on both sides: the manager sends them, the webserver
reads them (a log-in through Backend.AI's `/server/login`, the log-in page, a passkey)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class Answer(BaseModel):
    """Fields are sent as declared, None included (Backend.AI's clients expect the keys)."""


class KeypairGrant(Answer):
    response_type: Literal["success"] = "success"
    type: Literal["keypair"] = "keypair"
    access_key: str
    secret_key: str
    role: str
    status: str
    user_id: str
    email: str
    session_token: str


class ConsentStep(Answer):
    response_type: Literal["require-consent"] = "require-consent"
    type: str
    title: str
    details: str
    terms_version: str
    privacy_version: str


class TwoFactorStep(Answer):
    """The password was right; a code is wanted (or, under "required", an enrolment first)."""

    response_type: Literal["require-totp-authentication", "require-totp-registration"]
    type: str
    title: str
    details: str
    two_factor_registration_token: str | None = None


class AuthorizeAnswer(Answer):
    data: KeypairGrant | ConsentStep | TwoFactorStep
