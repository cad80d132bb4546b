"""Liveness and readiness answers, the same on both services.

`livez` says the process answers; `readyz` says the services it depends on answer too, so a load
balancer (or Backend.AI's webserver, which probes `/health/readyz`) sends traffic elsewhere
while they do not.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping

from starlette.responses import JSONResponse

from portico.asgi.fault_barrier import OUTAGE_RETRY_AFTER
from portico.wire import problems

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[object]]
CHECK_TIMEOUT_SECONDS = 2.0


def live() -> JSONResponse:
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


async def _run(name: str, check: Check) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            result = await check()
    except Exception as exc:
        log.warning("readiness: %s unreachable (%s)", name, type(exc).__name__)
        return False
    return result is not False


async def ready(checks: Mapping[str, Check]) -> JSONResponse:
    names = list(checks)
    results = await asyncio.gather(*(_run(name, checks[name]) for name in names))
    report = {n: ("ok" if ok else "unavailable") for n, ok in zip(names, results, strict=True)}
    if all(results):
        return JSONResponse(
            {"status": "ready", "checks": report}, headers={"Cache-Control": "no-store"}
        )
    return JSONResponse(
        problems.problem(
            problems.SERVICE_UNAVAILABLE,
            "Not ready",
            503,
            details="Unavailable: " + ", ".join(n for n, v in report.items() if v != "ok"),
            checks=report,
        ),
        status_code=503,
        media_type=problems.PROBLEM_CONTENT_TYPE,
        headers={"Retry-After": str(OUTAGE_RETRY_AFTER), "Cache-Control": "no-store"},
    )
