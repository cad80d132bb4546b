"""The webserver's ASGI application (Starlette: it needs routing, not validation)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route

from portico.asgi.admission import Admission
from portico.asgi.body_limit import BodyLimitMiddleware
from portico.asgi.client_address import parse_networks
from portico.asgi.fault_barrier import FaultBarrier
from portico.asgi.nul_guard import NulGuard
from portico.asgi.problem_responses import HANDLERS
from portico.asgi.proxy_headers import ProxyHeaders
from portico.common.metrics import ACTIVE_SESSIONS, metrics_endpoint, parse_allowed
from portico.common.storage_space import storage_of
from portico.config import Settings
from portico.db.clock import SYNC_SECONDS
from portico.serving.background import repeat, stop
from portico.webserver.container import WebServices, build_web_services
from portico.webserver.guards import BrowserGuards, connect_sources, hsts_max_age
from portico.webserver.manager_client import ManagerUnreachable
from portico.webserver.routes import health, keypair, login, relay, ui
from portico.webserver.unreachable import on_manager_unreachable


def create_app(settings: Settings, services: WebServices | None = None) -> Starlette:
    """With `services` given, the caller owns them (tests, `portico serve`)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        web = services or build_web_services(settings)
        app.state.web = web
        background = [
            asyncio.create_task(_purge_sessions(web)),
            asyncio.create_task(_count_sessions(web)),
            asyncio.create_task(web.store.listen()),
            asyncio.create_task(_keep_clock(web)),
        ]
        try:
            yield
        finally:
            await stop(background)
            if services is None:
                await web.close()

    origins = settings.security.allowed_origins
    hsts = hsts_max_age(settings)
    middleware = [
        Middleware(FaultBarrier, storage=storage_of(settings)),
        Middleware(
            Admission,
            max_in_flight=settings.service.max_in_flight,
            deadline=settings.service.request_deadline,
        ),
        Middleware(ProxyHeaders, trusted=parse_networks(settings.service.trusted_proxies)),
        Middleware(NulGuard),
    ]
    if origins:
        middleware.append(
            Middleware(
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
        )
    middleware += [
        Middleware(
            BrowserGuards,
            allowed_origins=origins,
            connect_src=connect_sources(settings),
            hsts_max_age=hsts[0],
            hsts_always=hsts[1],
        ),
        Middleware(BodyLimitMiddleware),
    ]
    app = Starlette(
        routes=[
            # Routes are tried in order: the relay, by far the most called, is tried first (no
            # other path starts with /func).
            *relay.routes,
            *health.routes,
            Route("/metrics", metrics_endpoint(parse_allowed(settings.metrics.allowed))),
            *login.routes,
            *keypair.routes,
            *ui.routes,
        ],
        middleware=middleware,
        exception_handlers={**HANDLERS, ManagerUnreachable: on_manager_unreachable},
        lifespan=lifespan,
    )
    if services is not None:
        app.state.web = services
    return app


async def _purge_sessions(web: WebServices) -> None:
    """Expired and idle browser sessions leave the store (they are refused long before)."""
    interval = max(60, min(3600, web.settings.session.idle_timeout // 2))
    await repeat(
        web.store.purge, lambda: asyncio.sleep(interval), what="purging expired browser sessions"
    )


async def _keep_clock(web: WebServices) -> None:
    await repeat(
        web.store.sync_clock,
        lambda: asyncio.sleep(SYNC_SECONDS),
        what="reading the session store's clock",
    )


async def _count_sessions(web: WebServices) -> None:
    async def count() -> None:
        ACTIVE_SESSIONS.set(await web.store.count())

    await repeat(count, lambda: asyncio.sleep(30), what="counting browser sessions")
