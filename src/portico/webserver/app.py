"""The webserver's ASGI application."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from portico.asgi import problem_responses
from portico.asgi.body_limit import BodyLimitMiddleware
from portico.config import Settings
from portico.webserver.container import WebServices, build_web_services
from portico.webserver.guards import BrowserGuards
from portico.webserver.routes import login, relay, ui


def create_app(settings: Settings, services: WebServices | None = None) -> FastAPI:
    """With `services` given, the caller owns them (tests, `portico serve`)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        web = services or build_web_services(settings)
        app.state.web = web
        try:
            yield
        finally:
            if services is None:
                await web.close()

    app = FastAPI(
        title="portico webserver",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    if services is not None:
        app.state.web = services
    problem_responses.install(app)
    app.include_router(login.router)
    app.include_router(relay.router)
    app.include_router(ui.router)
    origins = settings.security.allowed_origins
    # The log-in dialog may point at another webserver unless the endpoint is pinned.
    connect_src = "'self'" if settings.api.text else "'self' http: https:"
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(BrowserGuards, allowed_origins=origins, connect_src=connect_src)
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=[
                "Content-Type",
                "X-BackendAI-Encoded",
                "X-BackendAI-SessionID",
                "X-BackendAI-Version",
                "Accept-Language",
            ],
            expose_headers=["X-BackendAI-SessionID", "Retry-After"],
            max_age=600,
        )
    return app
