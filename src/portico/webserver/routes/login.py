"""/server/login, /server/login-check and /server/logout, as Backend.AI's webserver has them."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from portico.webserver.browser_request import (
    COOKIE_NAME,
    cookie_secure,
    current_session,
    decoded_body,
    forwarding_headers,
    presented_session_id,
    web_services,
)
from portico.webserver.manager_client import ManagerUnreachable
from portico.webserver.sign_in import (
    FurtherStep,
    Opened,
    Refused,
    hand_over,
    open_session,
    sign_in,
)
from portico.wire import problems


async def _login_body(request: Request) -> dict[str, Any]:
    raw = await decoded_body(request)
    if raw is None:
        raw = await request.body()
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
    # Which refusal it is, and how near the lock-out, for programs (the console).
    data.update({key: doc[key] for key in ("code", "attempts_left") if key in doc})
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
    outcome = await sign_in(request, username, password, body)
    return _logged_in(request, outcome)


async def login_passkey(request: Request) -> Response:
    """A log-in with a passkey: the browser's signed answer to the manager's challenge."""
    try:
        body = await _login_body(request)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _bad_request("Malformed request body.")
    if await current_session(request) is not None:
        return login_failure(
            400, {"type": problems.GENERIC_BAD_REQUEST, "title": "You have already logged in."}
        )
    if not isinstance(body.get("credential"), dict):
        return _bad_request("You must provide the credential field.")
    fields = ("credential", "agreed_terms_version", "agreed_privacy_version")
    outcome = await open_session(
        request, "/portico/passkeys/login", {k: body[k] for k in fields if k in body}
    )
    return _logged_in(request, outcome)


def _logged_in(request: Request, outcome: Opened | FurtherStep | Refused) -> Response:
    if isinstance(outcome, Refused):
        return login_failure(outcome.status, outcome.doc, headers=outcome.headers or None)
    if isinstance(outcome, FurtherStep):
        # A further step (re-consent) before any session exists.
        return JSONResponse({"authenticated": False, "data": outcome.step.model_dump()})
    grant = outcome.grant
    response = JSONResponse(
        {
            "authenticated": True,
            "data": {"access_key": grant.access_key, "role": grant.role, "status": grant.status},
        }
    )
    return hand_over(response, request, outcome.session_id)


async def update_password_no_auth(request: Request) -> Response:
    """Backend.AI's change of an expired password, before any session: always HTTP 200, with
    the manager's problem in `data` when it refused."""
    web = web_services(request)
    try:
        body = await _login_body(request)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _bad_request("Malformed request body.")
    fields = {name: body.get(name) for name in ("username", "current_password", "new_password")}
    for name, value in fields.items():
        if not isinstance(value, str) or not value:
            return _bad_request(f"You must provide the {name} field.")
    answer = await web.manager.call(
        "POST",
        "/auth/update-password-no-auth",
        json={"domain": web.settings.api.domain, **fields},
        headers=forwarding_headers(request),
    )
    doc = answer.body if isinstance(answer.body, dict) else {}
    if answer.status == 201:
        return JSONResponse({"data": None, "password_changed_at": doc.get("password_changed_at")})
    if answer.status >= 500:
        return login_failure(answer.status if answer.status == 503 else 502, doc)
    problem = {key: doc.get(key) for key in ("type", "title", "details")}
    if "reasons" in doc:
        problem["reasons"] = doc["reasons"]
    extra = {"retry_after": doc["retry_after"]} if "retry_after" in doc else {}
    return JSONResponse({"data": problem, "password_changed_at": None, **extra})


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
    Route("/server/login-passkey", login_passkey, methods=["POST"]),
    Route("/server/login-check", login_check, methods=["GET", "POST"]),
    Route("/server/logout", logout, methods=["POST"]),
    Route("/server/update-password-no-auth", update_password_no_auth, methods=["POST"]),
]
