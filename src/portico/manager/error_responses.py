"""Translates the services' domain errors into Backend.AI-shaped HTTP problems."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from portico.asgi.problem_responses import HANDLERS, problem_response
from portico.manager import errors
from portico.wire import problems

CREDENTIAL_MISMATCH = "Credential/signature mismatch."


def too_many_failed_logins(exc: errors.TooManyFailedLogins) -> JSONResponse:
    minutes = max(1, math.ceil(exc.retry_after / 60))
    return problem_response(
        429,
        problems.TOO_MANY_REQUESTS,
        "Too many failed login attempts",
        details=(
            f"Too many failed login attempts. Try again in {minutes} minute(s), "
            "or ask your administrator to unlock your account."
        ),
        retry_after=exc.retry_after,
        headers={"Retry-After": str(exc.retry_after)},
    )


def _auth_failed(details: str, code: str, attempts_left: int | None = None) -> JSONResponse:
    """Backend.AI words these apart only in `details`; `code` says the same for programs."""
    return problem_response(
        401,
        problems.AUTH_FAILED,
        CREDENTIAL_MISMATCH,
        details=details,
        code=code,
        attempts_left=attempts_left,  # (left out when None)
    )


def invalid_credentials(exc: errors.InvalidCredentials) -> JSONResponse:
    return _auth_failed(exc.details, exc.code, exc.attempts_left)


def _respond(exc: errors.DomainError) -> JSONResponse:
    match exc:
        case errors.TooManyFailedLogins():
            return too_many_failed_logins(exc)
        case errors.InvalidCredentials():
            return invalid_credentials(exc)
        case errors.AccountNotVerified():
            return _auth_failed("This account needs email verification.", exc.code)
        case errors.AccountInactive():
            return _auth_failed("This account is inactive.", exc.code)
        case errors.AccountPendingApproval():
            return _auth_failed("This account awaits approval by an administrator.", exc.code)
        case errors.PasswordExpired():
            # Backend.AI's WebUI offers the change when the message starts like this.
            return problem_response(
                401,
                problems.PASSWORD_EXPIRED,
                "Password expired.",
                details=f"Password expired on {exc.since}."
                if exc.since
                else "The password must be changed before this account can be used.",
            )
        case errors.StepUpRequired():
            return problem_response(
                401,
                problems.STEP_UP_REQUIRED,
                "Confirm it is you.",
                details=(
                    f"This action needs your password (or a code of your authenticator app) "
                    f"given within the last {exc.seconds} seconds: POST /portico/step-up with "
                    '{"password": ...} or {"code": ...}, then try again.'
                ),
                code=exc.code,
                methods=list(exc.methods),
                seconds=exc.seconds,
            )
        case errors.SamePassword():
            return problem_response(
                400,
                problems.SAME_PASSWORD,
                "Cannot update to the same password as an existing password.",
            )
        case errors.PasswordNotExpired():
            return problem_response(
                400,
                problems.GENERIC_BAD_REQUEST,
                "The password has not expired.",
                details="Log in, then change it from the user menu.",
            )
        case errors.NoKeypair():
            return _auth_failed("No API keypairs found.", exc.code)
        case errors.SignatureMismatch():
            return _auth_failed("Credential/signature mismatch.", "signature-mismatch")
        case errors.SignatureReused():
            return _auth_failed(
                "This signed request was already used: sign every request anew.",
                "signature-reused",
            )
        case errors.BadAuthParameters():
            return problem_response(
                400,
                problems.INVALID_AUTH_PARAMS,
                "Invalid authorization parameters.",
                details=str(exc),
            )
        case errors.WeakPassword():
            return problem_response(
                400,
                problems.WEAK_PASSWORD,
                "The password does not meet the password policy.",
                details=str(exc),
                reasons=[v.as_reason() for v in exc.violations],
            )
        case errors.PasswordMismatch():
            return problem_response(
                400,
                problems.INVALID_API_PARAMS,
                "new password mismatch",
                error_msg="new password mismatch",
            )
        case errors.UsernameTaken():
            return problem_response(
                400,
                problems.USERNAME_ALREADY_EXISTS,
                "User name already exists",
                details="That user name is taken; choose another.",
            )
        case errors.NameTaken():
            return problem_response(409, problems.CONFLICT, "Name taken", details=str(exc))
        case errors.AccountExists():
            return problem_response(400, problems.EMAIL_ALREADY_EXISTS, "Email already exists")
        case errors.InvalidToken():
            return problem_response(
                400,
                problems.INVALID_API_PARAMS,
                "Invalid or expired token.",
                details="The link or token is invalid or has expired. Ask for a new one.",
            )
        case errors.FeatureDisabled():
            return problem_response(
                403,
                problems.GENERIC_FORBIDDEN,
                "This feature is disabled on this server.",
                details=str(exc) or None,
            )
        case errors.RateLimited():
            return problem_response(
                429,
                problems.TOO_MANY_REQUESTS,
                "Too many requests",
                details="Please wait before asking again.",
                retry_after=exc.retry_after,
                headers={"Retry-After": str(exc.retry_after)},
            )
        case errors.CodeRequired():
            return problem_response(
                400,
                problems.INVALID_API_PARAMS,
                "A code is required.",
                details="Send the code too.",
                code=exc.code,
            )
        case errors.NotFound():
            return problem_response(404, problems.OBJECT_NOT_FOUND, str(exc) or "Not found")
        case errors.Forbidden():
            return problem_response(403, problems.GENERIC_FORBIDDEN, str(exc) or "Forbidden")
        case errors.Conflict():
            return problem_response(409, problems.CONFLICT, "Conflict", details=str(exc))
        case _:
            return problem_response(400, problems.INVALID_API_PARAMS, str(exc) or "Bad request")


async def _handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.DomainError)
    return _respond(exc)


def _describe(error: Mapping[str, Any]) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
    return f"{where}: {error.get('msg', 'invalid')}" if where else str(error.get("msg"))


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return problem_response(
        400,
        problems.INVALID_API_PARAMS,
        "Missing or invalid API parameters.",
        details="; ".join(_describe(e) for e in exc.errors()),
    )


def install(app: FastAPI) -> None:
    for exc_class, handler in HANDLERS.items():
        app.add_exception_handler(exc_class, handler)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(errors.DomainError, _handler)
