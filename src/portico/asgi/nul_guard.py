"""Refuses a request whose path or query holds a NUL byte (`%00`) with 400.

No database column can store NUL and no file name can hold it, so such a request cannot mean
anything; refusing it at the door keeps it from failing deep inside as a server error.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from portico.asgi.problem_responses import problem_response
from portico.wire import problems


class NulGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
            "\x00" in scope["path"] or b"%00" in scope.get("query_string", b"")
        ):
            response = problem_response(
                400, problems.INVALID_API_PARAMS, "NUL characters are not allowed."
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
