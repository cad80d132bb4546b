"""The manager's ASGI application."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from portico.agent import node_stats
from portico.asgi.admission import Admission
from portico.asgi.body_limit import BodyLimitMiddleware
from portico.asgi.fault_barrier import FaultBarrier
from portico.asgi.nul_guard import NulGuard
from portico.common.metrics import metrics_endpoint, parse_allowed
from portico.common.storage_space import storage_of
from portico.config import Settings
from portico.db.clock import SYNC_SECONDS
from portico.db.models import TokenPurpose
from portico.manager import error_responses
from portico.manager.container import ManagerServices, build_services
from portico.manager.routes import (
    admin,
    agents,
    auth,
    cluster,
    documents,
    graphql,
    health,
    me,
    not_run,
    passkeys,
    password_check,
    root,
    signup,
    step_up,
    summary,
    two_factor,
    ui_settings,
    unlock,
)
from portico.serving.background import repeat, stop

# Tokens of short ceremonies: anyone may have made them, so they leave once expired.
CEREMONY_PURPOSES = (
    TokenPurpose.PASSKEY_LOGIN,
    TokenPurpose.PASSKEY_REGISTER,
    TokenPurpose.TWO_FACTOR_SETUP,
    # Anyone may ask for one (most are decoys), and each expires with its block.
    TokenPurpose.UNLOCK,
)


def create_app(settings: Settings, services: ManagerServices | None = None) -> FastAPI:
    """With `services` given, the caller owns them (tests, `portico serve`)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        svc = services or await build_services(settings)
        app.state.services = svc
        background = [
            asyncio.create_task(_purge_lockout_counters(svc)),
            asyncio.create_task(_purge_audit_trail(svc)),
            asyncio.create_task(_purge_ceremony_tokens(svc)),
            asyncio.create_task(_keep_clock(svc)),
            asyncio.create_task(svc.outbox.run()),
            asyncio.create_task(svc.credentials.listen()),
        ]
        if svc.settings.agent.local:
            background.append(asyncio.create_task(run_local_agent(svc)))
        try:
            yield
        finally:
            await stop(background)
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
    app.add_route("/metrics", metrics_endpoint(parse_allowed(settings.metrics.allowed)))
    app.include_router(root.router)
    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(ui_settings.router)
    app.include_router(password_check.router)
    app.include_router(signup.router)
    app.include_router(documents.router)
    app.include_router(graphql.router)  # before admin's: /admin/gql is no admin route
    app.include_router(admin.router)
    app.include_router(me.router)
    app.include_router(two_factor.router)
    app.include_router(passkeys.router)
    app.include_router(step_up.router)
    app.include_router(unlock.router)
    app.include_router(summary.router)
    app.include_router(agents.router)
    app.include_router(cluster.router)
    app.include_router(not_run.router)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(NulGuard)
    app.add_middleware(
        Admission,
        max_in_flight=settings.service.max_in_flight,
        deadline=settings.service.request_deadline,
    )
    app.add_middleware(FaultBarrier, storage=storage_of(settings))  # last added = outermost
    return app


async def run_local_agent(svc: ManagerServices) -> None:
    """The manager reports the machine it runs on, like any agent would."""

    async def report() -> None:
        stats = await asyncio.to_thread(node_stats.collect)
        await svc.agents.report(f"local-{stats.hostname}"[:64], stats)

    await repeat(
        report,
        lambda: asyncio.sleep(svc.settings.agent.interval),
        what="reporting the local node",
    )


async def _purge_lockout_counters(svc: ManagerServices) -> None:
    await repeat(
        svc.lockout.purge,
        lambda: asyncio.sleep(max(60, svc.lockout.block_seconds)),
        what="purging lockout counters",
    )


async def _purge_ceremony_tokens(svc: ManagerServices) -> None:
    async def purge() -> None:
        await svc.tokens.purge_expired(CEREMONY_PURPOSES)
        await svc.step_up.purge()
        await svc.used_signatures.purge()

    await repeat(
        purge,
        lambda: asyncio.sleep(600),
        what="purging expired passkey challenges, set-up tokens, step-ups and used signatures",
    )


async def _keep_clock(svc: ManagerServices) -> None:
    await repeat(
        lambda: svc.clock.sync(svc.engine),
        lambda: asyncio.sleep(SYNC_SECONDS),
        what="reading the database's clock",
    )


async def _purge_audit_trail(svc: ManagerServices) -> None:
    await repeat(
        lambda: svc.audit.purge(svc.settings.audit.retention_days),
        lambda: asyncio.sleep(3600),
        what="purging the audit trail",
    )
