"""/func/<path>: relayed to the manager, signed with the browser session's keypair."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

import aiohttp
from aiohttp import ClientResponse
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from portico import __version__
from portico.asgi.body_limit import BodyTooLarge
from portico.asgi.problem_responses import problem_response
from portico.common.metrics import RELAY_SECONDS
from portico.webserver.browser_request import (
    current_session,
    decoded_body,
    manager_headers,
    web_services,
)
from portico.webserver.guards import has_body
from portico.webserver.manager_client import ManagerUnreachable
from portico.webserver.unreachable import unreachable_answer
from portico.wire import encoded_body, problems

# Relayed without a session: the manager itself decides what anonymous callers may do.
ANONYMOUS_PREFIXES: tuple[str, ...] = (
    "auth/signup",
    "cloud/",
    "portico/documents/",
    "portico/password-check",
    # The way out of a log-in block: asking for an unlock link, and using it.
    "portico/unlock",
    # Enrolment with the token a log-in's registration step hands out (no session exists yet).
    "portico/two-factor/setup/",
    "portico/passkeys/login-options",
)

_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "server",
    "date",
}
# Manager routes a browser session may not reach through the relay: log-ins hand out a secret
# key (POST /server/login, /server/login-passkey), and replacing the keypair must switch the
# session too (POST /server/replace-keypair).
_NOT_RELAYED = {"/auth/authorize", "/portico/passkeys/login", "/portico/keypair/replace"}
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_FORWARDED_REQUEST_HEADERS = ("content-type", "content-length", "accept")
# Answers up to this size are read whole and sent at once; larger or unsized ones stream.
BUFFERED_ANSWER_BYTES = 256 * 1024


async def ping(_request: Request) -> Response:
    return JSONResponse({"version": __version__, "details": "Success"})


async def version_probe(request: Request) -> Response:
    return await _relay(request, "/", signed=False)


async def relay(request: Request) -> Response:
    path = _manager_path(request)
    if path is None:
        return problem_response(400, problems.INVALID_API_PARAMS, "Invalid path.")
    if path.partition("?")[0].rstrip("/") in _NOT_RELAYED:
        return problem_response(
            403,
            problems.GENERIC_FORBIDDEN,
            "Not available through the console server.",
            details="Log in with POST /server/login or /server/login-passkey; replace the "
            "keypair with POST /server/replace-keypair.",
        )
    anonymous = path.lstrip("/").startswith(ANONYMOUS_PREFIXES)
    return await _relay(request, path, signed=not anonymous)


def _manager_path(request: Request) -> str | None:
    """The manager path for this request: built from the decoded path (so `/func%2f...` means
    `/func/...`), refused when it holds dot segments or NUL, and encoded afresh."""
    decoded = "/" + request.path_params["path"]
    if "\x00" in decoded or any(part in (".", "..") for part in decoded.split("/")):
        return None
    path = quote(decoded, safe=_PATH_SAFE)
    query = request.scope.get("query_string", b"").decode("latin-1")
    return f"{path}?{query}" if query else path


async def _relay(request: Request, path: str, *, signed: bool) -> Response:
    web = web_services(request)
    keypair = None
    session_id = None
    if signed:
        found = await current_session(request)
        if found is None:
            return problem_response(401, problems.AUTH_FAILED, "Unauthorized access")
        session_id, session = found
        keypair = (session.access_key, session.secret_key)
    headers = manager_headers(request, session_id)
    for name in _FORWARDED_REQUEST_HEADERS:
        if name in request.headers:
            headers[name.title()] = request.headers[name]
    body: bytes | object
    overflow: list[bool] = []
    try:
        decoded = await decoded_body(request)
    except encoded_body.MalformedEncodedBody:
        return problem_response(400, problems.INVALID_API_PARAMS, "Malformed encoded body.")
    if decoded is not None:
        headers["Content-Type"] = "application/json"
        headers["Content-Length"] = str(len(decoded))
        body = decoded
    elif has_body(request.headers) and signed:
        body = await request.body()  # at most 1 MiB; signed together with the request
    elif has_body(request.headers):
        body = _limited_stream(request, overflow)
    else:
        body = b""

    try:
        with RELAY_SECONDS.time():
            upstream = await web.manager.relay(
                request.method,
                path,
                headers=headers,
                body=body,
                keypair=keypair,
                api_version=request.headers.get("x-backendai-version"),
            )
    except ManagerUnreachable:
        if overflow:  # the client's body passed the limit while it was being sent on
            return problem_response(
                413,
                problems.REQUEST_TOO_LARGE,
                "Request body too large",
                headers={"Connection": "close"},  # the rest of the body is not read
            )
        return unreachable_answer()
    response_headers = {k: v for k, v in upstream.headers.items() if k.lower() not in _HOP_BY_HOP}
    if _small(upstream):
        # Read at once and answered whole: streaming costs a task group per request, which
        # was most of the relay's own work for the usual small JSON answers.
        try:
            content = await upstream.read()
        except aiohttp.ClientError:
            return unreachable_answer()
        finally:
            upstream.release()
        return Response(content, status_code=upstream.status, headers=response_headers)
    return StreamingResponse(
        upstream.content.iter_any(),
        status_code=upstream.status,
        headers=response_headers,
        background=BackgroundTask(_release, upstream),
    )


def _small(upstream: ClientResponse) -> bool:
    length = upstream.content_length
    return length is not None and length <= BUFFERED_ANSWER_BYTES


async def _limited_stream(request: Request, overflow: list[bool]) -> AsyncIterator[bytes]:
    """The request body as it arrives; notes in `overflow` when it passed the size limit."""
    try:
        async for chunk in request.stream():
            yield chunk
    except BodyTooLarge:
        overflow.append(True)
        raise


async def _release(upstream: ClientResponse) -> None:
    # A coroutine, so Starlette runs it on the event loop. Given the plain (synchronous)
    # `upstream.release`, it would call it from a worker thread, which then touches the
    # connection's transport while the loop reads from it: uvloop crashes with SIGSEGV.
    upstream.release()


routes = [
    Route("/func/ping", ping, methods=["GET"]),
    Route("/func", version_probe, methods=["GET"]),
    Route("/func/", version_probe, methods=["GET"]),
    Route("/func/{path:path}", relay, methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]),
]
