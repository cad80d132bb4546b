"""What the webserver reads from a browser's request (its session, address, scheme, encoded
body) and the headers it passes on to the manager for it."""

from __future__ import annotations

from starlette.requests import Request

from portico.sessions.store import WebSession, id_hash
from portico.webserver.container import WebServices
from portico.webserver.guards import own_origin
from portico.wire import encoded_body
from portico.wire.forwarding import PROOF_HEADER
from portico.wire.headers import SESSION_HASH_HEADER

COOKIE_NAME = "AIOHTTP_SESSION"
SESSION_HEADER = "X-BackendAI-SessionID"


def web_services(request: Request) -> WebServices:
    web: WebServices = request.app.state.web
    return web


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
    used: str = request.scope.get("scheme", "http")
    return used


def forwarding_headers(request: Request, session_id: str | None = None) -> dict[str, str]:
    """What the manager needs to know about the browser: the address this server settled on
    (its trusted TLS proxies' word, else the peer; the browser's own X-Forwarded-For is never
    passed on), the hash naming the browser session making a signed call, and the proof that
    a portico webserver vouches for both. The manager believes neither without the proof."""
    address = peer_address(request)
    session_hash = id_hash(session_id) if session_id is not None else None
    headers = {
        "X-Forwarded-For": address,
        "X-Forwarded-Host": request.headers.get("host", ""),
        "X-Forwarded-Proto": scheme(request),
        PROOF_HEADER: web_services(request).forwarding.proof(address, session_hash),
    }
    if session_hash is not None:
        headers[SESSION_HASH_HEADER] = session_hash
    for name in ("user-agent", "accept-language"):
        if name in request.headers:
            headers[name.title()] = request.headers[name]
    return headers


def cookie_secure(request: Request, setting: str) -> bool:
    if setting == "auto":
        return scheme(request) == "https"
    return setting == "true"


def manager_headers(request: Request, session_id: str | None = None) -> dict[str, str]:
    """The headers of a call on to the manager: the forwarding ones and the domain."""
    headers = forwarding_headers(request, session_id)
    headers["X-BackendAI-Domain"] = web_services(request).settings.api.domain
    return headers


async def decoded_body(request: Request) -> bytes | None:
    """The body of a request sent encoded (`X-BackendAI-Encoded: true`), decoded with the
    origin the client addressed; None when the body is plain. Raises MalformedEncodedBody."""
    if not encoded_body.is_encoded(request.headers):
        return None
    return encoded_body.decode(own_origin(request.scope, request.headers), await request.body())
