"""Per-request helpers: the services, the browser session, the forwarding headers."""

from __future__ import annotations

from starlette.requests import Request

from portico.sessions import WebSession, id_hash
from portico.webserver.container import WebServices
from portico.webserver.guards import own_origin
from portico.wire import encoded_body
from portico.wire.headers import SESSION_HASH_HEADER

COOKIE_NAME = "AIOHTTP_SESSION"
SESSION_HEADER = "X-BackendAI-SessionID"


def web_services(request: Request) -> WebServices:
    return request.app.state.web


def presented_session_id(request: Request) -> tuple[str | None, bool]:
    """The id the client presented, and whether it came in the header (which wins)."""
    header = request.headers.get(SESSION_HEADER)
    if header:
        return header, True
    return request.cookies.get(COOKIE_NAME), False


async def current_session(request: Request) -> tuple[str, WebSession] | None:
    session_id, _ = presented_session_id(request)
    if not session_id or len(session_id) > 128:
        return None
    session = await web_services(request).store.load(session_id)
    return (session_id, session) if session is not None else None


def peer_address(request: Request) -> str:
    return request.client.host if request.client else ""


def scheme(request: Request) -> str:
    """http or https, as the client used it (set by ProxyHeaders behind a trusted proxy). Read
    from the scope: `request.url` would build the whole URL on every relayed call."""
    return request.scope.get("scheme", "http")


def forwarding_headers(request: Request) -> dict[str, str]:
    """What the manager needs to know about the browser; it decides whom to believe."""
    peer = peer_address(request)
    chain = request.headers.get("x-forwarded-for")
    headers = {
        "X-Forwarded-For": f"{chain}, {peer}" if chain else peer,
        "X-Forwarded-Host": request.headers.get("host", ""),
        "X-Forwarded-Proto": scheme(request),
    }
    for name in ("user-agent", "accept-language"):
        if name in request.headers:
            headers[name.title()] = request.headers[name]
    return headers


def cookie_secure(request: Request, setting: str) -> bool:
    if setting == "auto":
        return scheme(request) == "https"
    return setting == "true"


def manager_headers(request: Request, session_id: str | None = None) -> dict[str, str]:
    """The headers of a call on to the manager: the forwarding ones, the domain, and (for a
    signed call) the hash that names the browser session making it."""
    headers = forwarding_headers(request)
    if session_id is not None:
        headers[SESSION_HASH_HEADER] = id_hash(session_id)
    headers["X-BackendAI-Domain"] = web_services(request).settings.api.domain
    return headers


async def decoded_body(request: Request) -> bytes | None:
    """The body of a request sent encoded (`X-BackendAI-Encoded: true`), decoded with the
    origin the client addressed; None when the body is plain. Raises MalformedEncodedBody."""
    if not encoded_body.is_encoded(request.headers):
        return None
    return encoded_body.decode(own_origin(request.scope, request.headers), await request.body())
