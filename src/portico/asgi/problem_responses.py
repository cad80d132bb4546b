"""Every error leaves as application/problem+json: HTTP errors, validation errors, crashes."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from portico.wire import problems

log = logging.getLogger(__name__)

_TYPES_BY_STATUS = {
    400: problems.INVALID_API_PARAMS,
    401: problems.AUTH_FAILED,
    403: problems.GENERIC_FORBIDDEN,
    404: problems.OBJECT_NOT_FOUND,
    405: problems.METHOD_NOT_ALLOWED,
    413: problems.REQUEST_TOO_LARGE,
    415: problems.UNSUPPORTED_MEDIA_TYPE,
    429: problems.TOO_MANY_REQUESTS,
}


def problem_response(
    status: int,
    type_: str,
    title: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    return JSONResponse(
        problems.problem(type_, title, status, **extra),
        status_code=status,
        headers=headers,
        media_type=problems.PROBLEM_CONTENT_TYPE,
    )


def _describe(error: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
    return f"{where}: {error.get('msg', 'invalid')}" if where else str(error.get("msg"))


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    type_ = _TYPES_BY_STATUS.get(exc.status_code, problems.GENERIC_BAD_REQUEST)
    return problem_response(
        exc.status_code, type_, str(exc.detail), headers=dict(exc.headers or {}) or None
    )


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [_describe(e) for e in exc.errors()]
    return problem_response(
        400,
        problems.INVALID_API_PARAMS,
        "Missing or invalid API parameters.",
        details="; ".join(details),
    )


async def _crash(_request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error: %s", type(exc).__name__, exc_info=exc)
    return problem_response(500, problems.INTERNAL_SERVER_ERROR, "Internal server error")


def install(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _crash)
