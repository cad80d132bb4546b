"""Translates the services' domain errors into Backend.AI-shaped HTTP problems."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from portico.asgi.problem_responses import HANDLERS, problem_response
from portico.manager import errors
from portico.wire import problems

CREDENTIAL_MISMATCH = "Credential/signature mismatch."

# The answer to one kind of domain error (typed loosely: each takes its own kind).
Answer = Callable[[Any], JSONResponse]


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


def _problem(
    status: int,
    type_: str,
    title: str,
    *,
    details: str | None = None,
    from_error: Callable[[Any], dict[str, Any]] | None = None,
) -> Answer:
    """An answer of fixed words; `from_error` adds fields read from the error itself."""

    def answer(exc: errors.DomainError) -> JSONResponse:
        extra = from_error(exc) if from_error else {}
        return problem_response(status, type_, title, **({"details": details} | extra))

    return answer


def _said(exc: errors.DomainError) -> dict[str, Any]:
    """The service's own words as the details (left out when it said nothing)."""
    return {"details": str(exc) or None}


def _code(exc: errors.DomainError) -> dict[str, Any]:
    return {"code": exc.code}


def _auth_answer(details: str, code: str | None = None) -> Answer:
    return lambda exc: _auth_failed(details, code or exc.code)


def _password_expired(exc: errors.PasswordExpired) -> JSONResponse:
    # Backend.AI's WebUI offers the change when the message starts like this.
    return problem_response(
        401,
        problems.PASSWORD_EXPIRED,
        "Password expired.",
        details=f"Password expired on {exc.since}."
        if exc.since
        else "The password must be changed before this account can be used.",
    )


def _step_up_required(exc: errors.StepUpRequired) -> JSONResponse:
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


def _rate_limited(exc: errors.RateLimited) -> JSONResponse:
    return problem_response(
        429,
        problems.TOO_MANY_REQUESTS,
        "Too many requests",
        details="Please wait before asking again.",
        retry_after=exc.retry_after,
        headers={"Retry-After": str(exc.retry_after)},
    )


# Every domain error a service raises on purpose, and the problem it is answered with. An
# error is looked up by its class, then by each base class in turn; DomainError answers any
# other.
ANSWERS: dict[type[errors.DomainError], Answer] = {
    errors.TooManyFailedLogins: too_many_failed_logins,
    errors.InvalidCredentials: invalid_credentials,
    errors.AccountNotVerified: _auth_answer("This account needs email verification."),
    errors.AccountInactive: _auth_answer("This account is inactive."),
    errors.AccountPendingApproval: _auth_answer(
        "This account awaits approval by an administrator."
    ),
    errors.PasswordExpired: _password_expired,
    errors.StepUpRequired: _step_up_required,
    errors.NoKeypair: _auth_answer("No API keypairs found."),
    errors.SignatureMismatch: _auth_answer(CREDENTIAL_MISMATCH, "signature-mismatch"),
    errors.SignatureReused: _auth_answer(
        "This signed request was already used: sign every request anew.", "signature-reused"
    ),
    errors.BadAuthParameters: _problem(
        400, problems.INVALID_AUTH_PARAMS, "Invalid authorization parameters.", from_error=_said
    ),
    errors.SamePassword: _problem(
        400,
        problems.SAME_PASSWORD,
        "Cannot update to the same password as an existing password.",
    ),
    errors.PasswordNotExpired: _problem(
        400,
        problems.GENERIC_BAD_REQUEST,
        "The password has not expired.",
        details="Log in, then change it from the user menu.",
    ),
    errors.WeakPassword: _problem(
        400,
        problems.WEAK_PASSWORD,
        "The password does not meet the password policy.",
        from_error=lambda exc: {
            "details": str(exc),
            "reasons": [v.as_reason() for v in exc.violations],
        },
    ),
    errors.PasswordMismatch: _problem(
        400,
        problems.INVALID_API_PARAMS,
        "new password mismatch",
        from_error=lambda _exc: {"error_msg": "new password mismatch"},
    ),
    errors.UsernameTaken: _problem(
        400,
        problems.USERNAME_ALREADY_EXISTS,
        "User name already exists",
        details="That user name is taken; choose another.",
    ),
    errors.NameTaken: _problem(409, problems.CONFLICT, "Name taken", from_error=_said),
    errors.AccountExists: _problem(400, problems.EMAIL_ALREADY_EXISTS, "Email already exists"),
    errors.InvalidToken: _problem(
        400,
        problems.INVALID_API_PARAMS,
        "Invalid or expired token.",
        details="The link or token is invalid or has expired. Ask for a new one.",
    ),
    errors.FeatureDisabled: _problem(
        403,
        problems.GENERIC_FORBIDDEN,
        "This feature is disabled on this server.",
        from_error=_said,
    ),
    errors.RateLimited: _rate_limited,
    errors.CodeRequired: _problem(
        400,
        problems.INVALID_API_PARAMS,
        "A code is required.",
        details="Send the code too.",
        from_error=_code,
    ),
    errors.NotFound: lambda exc: problem_response(
        404, problems.OBJECT_NOT_FOUND, str(exc) or "Not found"
    ),
    errors.Forbidden: lambda exc: problem_response(
        403, problems.GENERIC_FORBIDDEN, str(exc) or "Forbidden"
    ),
    errors.Conflict: _problem(409, problems.CONFLICT, "Conflict", from_error=_said),
    errors.DomainError: lambda exc: problem_response(
        400, problems.INVALID_API_PARAMS, str(exc) or "Bad request"
    ),
}


def answer_for(exc: errors.DomainError) -> JSONResponse:
    """The problem `exc` is answered with (its class's entry, else its nearest base's)."""
    for kind in type(exc).__mro__:
        answer = ANSWERS.get(kind)
        if answer is not None:
            return answer(exc)
    raise TypeError(f"{type(exc).__name__} is no DomainError")


async def _handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.DomainError)
    return answer_for(exc)


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
