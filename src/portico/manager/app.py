"""The manager's ASGI application."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI

from portico.agent import node_stats
from portico.asgi.body_limit import BodyLimitMiddleware
from portico.asgi.fault_barrier import FaultBarrier
from portico.asgi.nul_guard import NulGuard
from portico.config import Settings
from portico.manager import error_responses
from portico.manager.container import ManagerServices, build_services
from portico.manager.routes import (
    admin,
    agents,
    auth,
    documents,
    health,
    me,
    root,
    signup,
    summary,
    ui_settings,
)

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
        if svc.settings.agent.local:
            background.append(asyncio.create_task(run_local_agent(svc)))
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
    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(ui_settings.router)
    app.include_router(signup.router)
    app.include_router(documents.router)
    app.include_router(admin.router)
    app.include_router(me.router)
    app.include_router(summary.router)
    app.include_router(agents.router)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(NulGuard)
    app.add_middleware(FaultBarrier)  # last added = outermost
    return app


async def run_local_agent(svc: ManagerServices) -> None:
    """The manager reports the machine it runs on, like any agent would."""
    while True:
        try:
            report = await asyncio.to_thread(node_stats.collect)
            await svc.agents.report(f"local-{report.hostname}"[:64], report)
        except Exception:  # a failed report must not end the reporting
            log.exception("reporting the local node failed")
        await asyncio.sleep(svc.settings.agent.interval)


async def _purge_lockout_counters(svc: ManagerServices) -> None:
    while True:
        await asyncio.sleep(max(60, svc.lockout.block_seconds))
        try:
            await svc.lockout.purge()
        except Exception:  # a database hiccup must not end the loop
            log.exception("purging lockout counters failed")
