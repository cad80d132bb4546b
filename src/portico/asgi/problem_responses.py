"""Every error leaves as application/problem+json."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from portico.wire import problems

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


async def http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    type_ = _TYPES_BY_STATUS.get(exc.status_code, problems.GENERIC_BAD_REQUEST)
    return problem_response(
        exc.status_code, type_, str(exc.detail), headers=dict(exc.headers or {}) or None
    )


# Anything else escapes to portico.asgi.fault_barrier (500, or 503 in an outage).
HANDLERS: dict[Any, Any] = {HTTPException: http_error}
