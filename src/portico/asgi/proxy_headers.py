"""Behind a TLS-terminating proxy: believe its X-Forwarded-Proto, -Host and -For, and nobody
else's.

When the peer is one of the configured trusted proxies, the request is rewritten as the browser
sent it to the proxy (scheme, Host, client address), so everything downstream (the cookie's
Secure flag, the same-origin check, the encoded log-in body's key, the client address) sees the
browser's view. From any other peer these headers are ignored.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from portico.asgi.client_address import Network, client_address, is_trusted


class ProxyHeaders:
    def __init__(self, app: ASGIApp, *, trusted: list[Network]) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        peer = scope.get("client")
        if scope["type"] != "http" or not self.trusted or not peer:
            await self.app(scope, receive, send)
            return
        if not is_trusted(peer[0], self.trusted):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").split(",")[0].strip()
        host = headers.get(b"x-forwarded-host", b"").decode("latin-1").split(",")[0].strip()
        chain = headers.get(b"x-forwarded-for", b"").decode("latin-1")
        scope = dict(scope)
        if proto.lower() in ("http", "https"):
            scope["scheme"] = proto.lower()
        if host:
            scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"host"] + [
                (b"host", host.encode("latin-1"))
            ]
        if chain:
            scope["client"] = (client_address(peer[0], chain, self.trusted), 0)
        await self.app(scope, receive, send)
