"""Bounded answers: at most `max_in_flight` requests at once in this process, each answered
within `deadline` seconds.

A request beyond the limit is answered 503 with Retry-After at once (load shedding), rather
than queued behind the others for as long as a hung backing service keeps them. A request
whose answer has not begun when its deadline passes is cancelled and answered 503. Once the
answer has begun it is left to finish (its body may stream). Health probes are exempt, so a
saturated process still says whether it is alive.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portico.asgi.fault_barrier import send_problem
from portico.common.metrics import REQUESTS_SHED

log = logging.getLogger(__name__)
EXEMPT_PREFIXES = ("/health/", "/metrics")


class Admission:
    def __init__(self, app: ASGIApp, *, max_in_flight: int, deadline: float) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.deadline = deadline
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            REQUESTS_SHED.labels(reason="in-flight").inc()
            await send_problem(send, 503, "busy")
            return
        self.in_flight += 1
        started = False
        try:
            async with asyncio.timeout(self.deadline) as deadline:

                async def tracking_send(message: Message) -> None:
                    nonlocal started
                    if message["type"] == "http.response.start" and not started:
                        started = True
                        deadline.reschedule(None)  # begun: let it finish
                    await send(message)

                await self.app(scope, receive, tracking_send)
        except TimeoutError:
            if not deadline.expired() or started:
                raise  # a timeout of the request's own (an outage), not the deadline
            REQUESTS_SHED.labels(reason="deadline").inc()
            log.warning(
                "%s %s passed its %g s deadline", scope["method"], scope["path"], self.deadline
            )
            await send_problem(send, 503, "deadline")
        finally:
            self.in_flight -= 1
