"""One log-in through the manager, and the browser session it opens: shared by Backend.AI's
JSON `/server/login` and the log-in page's own form."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from portico.asgi.fault_barrier import OUTAGE_RETRY_AFTER
from portico.webserver.browser_request import (
    COOKIE_NAME,
    SESSION_HEADER,
    cookie_secure,
    forwarding_headers,
    peer_address,
    web_services,
)
from portico.wire import problems
from portico.wire.answers import AuthorizeAnswer, ConsentStep, KeypairGrant, TwoFactorStep

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Opened:
    """A browser session exists; `grant` is the manager's answer."""

    session_id: str
    grant: KeypairGrant


@dataclass(frozen=True)
class FurtherStep:
    """The password was right, and the manager asks for one more step (a code, an enrolment,
    re-consent)."""

    step: ConsentStep | TwoFactorStep


@dataclass(frozen=True)
class Refused:
    """`doc` is the manager's problem document; 429 carries `retry_after` and `minutes_left`."""

    status: int
    doc: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


async def sign_in(
    request: Request, username: str, password: str, extra: dict[str, Any]
) -> Opened | FurtherStep | Refused:
    """A log-in with a password (and the further steps' fields in `extra`)."""
    body = {
        **extra,
        "type": "keypair",
        "domain": web_services(request).settings.api.domain,
        "username": username,
        "password": password,
    }
    return await open_session(request, "/auth/authorize", body)


async def open_session(
    request: Request, path: str, body: dict[str, Any]
) -> Opened | FurtherStep | Refused:
    """Ask the manager's log-in at `path`; on its grant, open a browser session. Raises
    ManagerUnreachable."""
    web = web_services(request)
    answer = await web.manager.call("POST", path, json=body, headers=forwarding_headers(request))
    doc = answer.body if isinstance(answer.body, dict) else {}
    if answer.status == 429:
        retry_after = int(answer.headers.get("retry-after", "60"))
        minutes = max(1, math.ceil(retry_after / 60))
        doc = {**doc, "retry_after": retry_after, "minutes_left": minutes}
        return Refused(429, doc, {"Retry-After": str(retry_after)})
    if answer.status == 503:
        # The manager's database or Redis is down: a passing outage, so say when to retry.
        retry = answer.headers.get("retry-after", str(OUTAGE_RETRY_AFTER))
        return Refused(503, doc, {"Retry-After": retry})
    if answer.status != 200:
        return Refused(answer.status if 400 <= answer.status < 500 else 502, doc)

    try:
        grant = AuthorizeAnswer.model_validate(doc).data
    except ValidationError:
        log.error("the manager's log-in answer has an unknown shape")
        return Refused(502, {"type": problems.BAD_GATEWAY, "title": "Unexpected answer."})
    if not isinstance(grant, KeypairGrant):
        return FurtherStep(grant)
    session = web.store.start(
        user_id=grant.user_id,
        email=grant.email,
        role=grant.role,
        status=grant.status,
        access_key=grant.access_key,
        secret_key=grant.secret_key,
        manager_token=grant.session_token,
        client_address=peer_address(request),
        user_agent=request.headers.get("user-agent", "")[:512],
    )
    # Always a new id: a session id the browser brought along is never promoted.
    return Opened(await web.store.create(session), grant)


def hand_over(response: Response, request: Request, session_id: str) -> Response:
    """Gives the browser its session: the cookie, and the header Backend.AI's clients read."""
    settings = web_services(request).settings
    response.set_cookie(
        COOKIE_NAME,
        session_id,
        max_age=settings.session.max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request, settings.security.cookie_secure),
    )
    response.headers[SESSION_HEADER] = session_id
    return response
