"""/server/login, /server/login-check and /server/logout, as Backend.AI's webserver has them."""

from __future__ import annotations

import contextlib
import json
import math
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from portico.asgi.fault_barrier import OUTAGE_RETRY_AFTER
from portico.asgi.problem_responses import problem_response
from portico.webserver.deps import (
    COOKIE_NAME,
    SESSION_HEADER,
    cookie_secure,
    current_session,
    forwarding_headers,
    peer_address,
    presented_session_id,
    web_services,
)
from portico.webserver.manager_client import ManagerUnreachable
from portico.wire import encoded_body, problems


async def _login_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if request.headers.get(encoded_body.HEADER, "").lower() == "true":
        endpoint = f"{request.url.scheme}://{request.headers.get('host', '')}"
        raw = encoded_body.decode(endpoint, raw)
    body = json.loads(raw or b"{}")
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


def login_failure(
    status: int, doc: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    """Both kinds of client read this: the WebUI reads `data`, Backend.AI's CLI the top level."""
    details = doc.get("details") or doc.get("msg") or doc.get("title", "Login failed.")
    data = {
        "type": doc.get("type", problems.AUTH_FAILED),
        "title": doc.get("title", "Login failed."),
        "details": details,
    }
    # Backend.AI's CLI prints the top-level title and msg.
    headline = {401: "Login failed.", 429: "Too many failed login attempts"}.get(
        status, data["title"]
    )
    body = {"authenticated": False, "data": data, **data, "title": headline, "msg": details}
    for key in ("retry_after", "minutes_left"):
        if key in doc:
            body[key] = doc[key]
    if status >= 500:
        # Not a verdict on the credentials: a problem document like every other server error.
        return JSONResponse(
            {**body, "status": status},
            status_code=status,
            headers=headers,
            media_type=problems.PROBLEM_CONTENT_TYPE,
        )
    return JSONResponse(body, status_code=status, headers=headers)


def _bad_request(title: str) -> JSONResponse:
    return login_failure(400, {"type": problems.INVALID_API_PARAMS, "title": title})


async def login(request: Request) -> Response:
    web = web_services(request)
    try:
        body = await _login_body(request)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: absurd nesting
        return _bad_request("Malformed request body.")
    if await current_session(request) is not None:
        return login_failure(
            400, {"type": problems.GENERIC_BAD_REQUEST, "title": "You have already logged in."}
        )
    username, password = body.pop("username", None), body.pop("password", None)
    for name, value in (("username", username), ("password", password)):
        if not isinstance(value, str) or not value:
            return _bad_request(f"You must provide the {name} field.")
    try:
        answer = await web.manager.call(
            "POST",
            "/auth/authorize",
            json={
                **body,
                "type": "keypair",
                "domain": web.settings.api.domain,
                "username": username,
                "password": password,
            },
            headers=forwarding_headers(request),
        )
    except ManagerUnreachable:
        return problem_response(
            502, problems.BAD_GATEWAY, "The proxy target server is inaccessible."
        )
    doc = answer.body if isinstance(answer.body, dict) else {}
    if answer.status == 429:
        retry_after = int(answer.headers.get("retry-after", "60"))
        minutes = max(1, math.ceil(retry_after / 60))
        doc = {**doc, "retry_after": retry_after, "minutes_left": minutes}
        response = login_failure(429, doc, headers={"Retry-After": str(retry_after)})
        return response
    if answer.status == 503:
        # The manager's database or Redis is down: a passing outage, so say when to retry.
        retry = answer.headers.get("retry-after", str(OUTAGE_RETRY_AFTER))
        return login_failure(503, doc, headers={"Retry-After": retry})
    if answer.status != 200:
        return login_failure(answer.status if 400 <= answer.status < 500 else 502, doc)

    grant = doc.get("data") or {}
    if grant.get("response_type") != "success":
        # A further step (re-consent) before any session exists.
        return JSONResponse({"authenticated": False, "data": grant})
    store = web.store
    session = store.start(
        user_id=grant["user_id"],
        email=grant.get("email", str(username)),
        role=grant["role"],
        status=grant["status"],
        access_key=grant["access_key"],
        secret_key=grant["secret_key"],
        manager_token=grant.get("session_token", ""),
        client_address=peer_address(request),
        user_agent=request.headers.get("user-agent", "")[:512],
    )
    # Always a new id: a session id the browser brought along is never promoted.
    session_id = await store.create(session)
    response = JSONResponse(
        {
            "authenticated": True,
            "data": {
                "access_key": grant["access_key"],
                "role": grant["role"],
                "status": grant["status"],
            },
        }
    )
    response.set_cookie(
        COOKIE_NAME,
        session_id,
        max_age=web.settings.session.max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request, web.settings.security.cookie_secure),
    )
    response.headers[SESSION_HEADER] = session_id
    return response


async def login_check(request: Request) -> Response:
    found = await current_session(request)
    if found is None:
        return JSONResponse({"authenticated": False, "data": None, "session_id": None})
    session_id, session = found
    _, via_header = presented_session_id(request)
    return JSONResponse(
        {
            "authenticated": True,
            "data": {
                "access_key": session.access_key,
                "role": session.role,
                "status": session.status,
                "email": session.email,
            },
            # Echoed only to a client that already holds it in the header (cookie mode keeps the
            # id out of reach of page scripts).
            "session_id": session_id if via_header else None,
        }
    )


async def logout(request: Request) -> Response:
    web = web_services(request)
    session_id, _ = presented_session_id(request)
    ended = await web.store.delete(session_id) if session_id and len(session_id) <= 128 else None
    if ended is not None and ended.manager_token:
        # The browser session is gone either way; if the manager is down its record stays open.
        with contextlib.suppress(ManagerUnreachable):
            await web.manager.call(
                "POST", "/auth/logout", json={"session_token": ended.manager_token}
            )
    response = JSONResponse({})
    response.delete_cookie(
        COOKIE_NAME,
        path="/",
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request, web.settings.security.cookie_secure),
    )
    return response


routes = [
    Route("/server/login", login, methods=["POST"]),
    Route("/server/login-check", login_check, methods=["GET", "POST"]),
    Route("/server/logout", logout, methods=["POST"]),
]
