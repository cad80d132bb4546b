"""Browser-facing protections on every response and every state-changing request.

- Security headers: a CSP without inline script, no framing, no sniffing, no referrer.
- A state-changing request must come from an allowed Origin (or carry none, as non-browser
  clients do) and, when it has a body, send it as JSON or as Backend.AI's encoded body. A
  cross-site form can do neither, so this closes CSRF without tokens.
- The one form a browser may post is the log-in page's own (to `/`, before its scripts run),
  and only with an Origin that is this server's.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portico.config import Settings, origin_of
from portico.wire import problems
from portico.wire.encoded_body import is_encoded

_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_JSON_TYPES = {"application/json", "application/problem+json"}
FORM_TYPE = "application/x-www-form-urlencoded"
LOGIN_PAGE = "/"


def connect_sources(settings: Settings) -> str:
    """'self' and the endpoints the operator allows: the manager's, and the other webservers
    the log-in dialog may be pointed at unless the endpoint is pinned. Nothing wider."""
    allowed = [origin_of(settings.api.endpoint)]
    if not settings.api.text:
        allowed += settings.service.allowed_endpoints  # origins already (the config's check)
    origins = dict.fromkeys(allowed)  # in order, once each
    return " ".join(["'self'", *origins])


def hsts_max_age(settings: Settings) -> tuple[int, bool]:
    """Strict-Transport-Security's max-age, and whether every answer carries it (the public
    URL is https) rather than only those served over https."""
    return settings.security.hsts_max_age, settings.service.public_url.startswith("https://")


def content_security_policy(
    connect_src: str, *, scripts: tuple[str, ...] = (), styles: tuple[str, ...] = ()
) -> str:
    """No inline script or style, except those a page names by hash."""
    script_src = " ".join(["'self'", *scripts])
    style_src = " ".join(["'self'", *styles])
    return (
        f"default-src 'self'; script-src {script_src}; style-src {style_src}; "
        f"img-src 'self' data:; connect-src {connect_src}; font-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def security_headers(connect_src: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", content_security_policy(connect_src).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]


class BrowserGuards:
    def __init__(
        self,
        app: ASGIApp,
        *,
        allowed_origins: list[str],
        connect_src: str,
        hsts_max_age: int = 0,
        hsts_always: bool = False,
    ) -> None:
        self.app = app
        self.allowed_origins = {o.rstrip("/") for o in allowed_origins}
        self.headers = security_headers(connect_src)
        self.hsts = (
            [(b"strict-transport-security", f"max-age={hsts_max_age}; includeSubDomains".encode())]
            if hsts_max_age
            else []
        )
        self.hsts_always = hsts_always

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        refusal = self._refusal(scope, request_headers)
        path: str = scope["path"]
        no_store = path.startswith(("/server/", "/func/"))
        https = self.hsts_always or scope.get("scheme") == "https"
        extra = self.headers + (self.hsts if https else [])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                # A response that set its own policy (the console page) keeps it.
                headers.extend(h for h in extra if h[0] not in present)
                if no_store:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        if refusal is not None:
            status, doc = refusal
            body = json.dumps(doc).encode()
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (b"content-type", problems.PROBLEM_CONTENT_TYPE.encode()),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send_with_headers)

    def _refusal(self, scope: Scope, headers: Headers) -> tuple[int, dict[str, Any]] | None:
        if scope["method"] not in _UNSAFE:
            return None
        media = headers.get("content-type", "").split(";")[0].strip().lower()
        if media == FORM_TYPE and scope["path"] == LOGIN_PAGE and scope["method"] == "POST":
            if _from_own_page(scope, headers):
                return None
            return _forbidden("The log-in form is accepted from this server's own page only.")
        origin = headers.get("origin")
        if origin is not None and origin.rstrip("/") not in self._origins_for(scope, headers):
            return _forbidden(f"Origin {origin} is not allowed.")
        if has_body(headers) and not is_encoded(headers) and media not in _JSON_TYPES:
            return 415, problems.problem(
                problems.UNSUPPORTED_MEDIA_TYPE,
                "Unsupported media type",
                415,
                details="Send the request body as application/json.",
            )
        return None

    def _origins_for(self, scope: Scope, headers: Headers) -> set[str]:
        return self.allowed_origins | {own_origin(scope, headers)}


def own_origin(scope: Scope, headers: Headers) -> str:
    return f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"


def _from_own_page(scope: Scope, headers: Headers) -> bool:
    """A browser says where a form came from. Under this server's no-referrer policy it sends
    `Origin: null` for a form, so Fetch Metadata decides; a named Origin must be this one."""
    origin = headers.get("origin")
    if origin is not None and origin != "null":
        return origin.rstrip("/") == own_origin(scope, headers)
    return headers.get("sec-fetch-site") == "same-origin"


def _forbidden(details: str) -> tuple[int, dict[str, Any]]:
    return 403, problems.problem(
        problems.GENERIC_FORBIDDEN, "Cross-origin request refused", 403, details=details
    )


def has_body(headers: Headers) -> bool:
    length = headers.get("content-length")
    if length is not None:
        return length.strip() not in ("", "0")
    return "transfer-encoding" in headers
