"""The manager's ASGI application."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI

from portico.asgi.body_limit import BodyLimitMiddleware
from portico.config import Settings
from portico.manager import error_responses
from portico.manager.container import ManagerServices, build_services
from portico.manager.routes import admin, auth, documents, me, root, signup, ui_settings

log = logging.getLogger(__name__)


def create_app(settings: Settings, services: ManagerServices | None = None) -> FastAPI:
    """With `services` given, the caller owns them (tests, `portico serve`)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        svc = services or await build_services(settings)
        app.state.services = svc
        background = [
            asyncio.create_task(_purge_lockout_counters(svc)),
            asyncio.create_task(svc.outbox.run()),
        ]
        try:
            yield
        finally:
            for task in background:
                task.cancel()
            if services is None:
                await svc.close()

    app = FastAPI(
        title="portico manager",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    if services is not None:
        app.state.services = services
    error_responses.install(app)
    app.include_router(root.router)
    app.include_router(auth.router)
    app.include_router(ui_settings.router)
    app.include_router(signup.router)
    app.include_router(documents.router)
    app.include_router(admin.router)
    app.include_router(me.router)
    app.add_middleware(BodyLimitMiddleware)
    return app


async def _purge_lockout_counters(svc: ManagerServices) -> None:
    while True:
        await asyncio.sleep(max(60, svc.lockout.block_seconds))
        try:
            await svc.lockout.purge()
        except Exception:  # a database hiccup must not end the loop
            log.exception("purging lockout counters failed")
