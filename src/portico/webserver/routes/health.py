"""GET /health/livez and /health/readyz (the session store and the manager)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portico.asgi import health
from portico.webserver.browser_request import web_services


async def livez(_request: Request) -> Response:
    return health.live()


async def readyz(request: Request) -> Response:
    web = web_services(request)

    async def manager() -> bool:
        answer = await web.manager.call("GET", "/health/livez")
        return answer.status == 200

    return await health.ready({"session_store": web.store.ping, "manager": manager})


routes = [
    Route("/health/livez", livez, methods=["GET"]),
    Route("/health/readyz", readyz, methods=["GET"]),
]
