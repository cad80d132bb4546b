"""The answer when the manager does not answer: Backend.AI's webserver's 502, which its
clients know."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from portico.asgi.problem_responses import problem_response
from portico.wire import problems


def unreachable_answer() -> Response:
    return problem_response(502, problems.BAD_GATEWAY, "The proxy target server is inaccessible.")


async def on_manager_unreachable(_request: Request, _exc: Exception) -> Response:
    """The webserver's handler for ManagerUnreachable, wherever a route meets it."""
    return unreachable_answer()
