"""GET /health/livez and /health/readyz (database, and Redis when configured)."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from portico.asgi import health
from portico.common.storage_space import full_paths, storage_of
from portico.manager.deps import Services

log = logging.getLogger(__name__)

router = APIRouter(prefix="/health", include_in_schema=False)


@router.get("/livez")
async def livez() -> JSONResponse:
    return health.live()


@router.get("/readyz")
async def readyz(svc: Services) -> JSONResponse:
    async def database() -> None:
        async with svc.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def storage() -> bool:
        # Full: requests that write would fail, so traffic goes elsewhere until space is back.
        full = full_paths(storage_of(svc.settings))
        if full:
            log.error("storage is full at %s", ", ".join(map(str, full)))
        return not full

    async def clock() -> bool:
        # Its own clock is off from the database's (which decides expiries): not trusted.
        return not svc.clock.skewed

    checks: dict[str, health.Check] = {"database": database, "storage": storage, "clock": clock}
    if svc.settings.redis.url:
        checks["redis"] = svc.limits_storage.check
    if svc.settings.session.store == "redis":
        checks["session_store"] = svc.browser_sessions.ping
    return await health.ready(checks)
