"""Bounds on connections, on top of uvicorn's protocol: a deadline for each request's head,
and a cap on idle kept-alive connections.

uvicorn ends a keep-alive connection that idles between requests, but not one that sends a
request head a byte at a time, or never sends one at all: 500 such sockets (slowloris) stayed
open for ever. Here every connection must deliver a complete request head within
`head_timeout` seconds of opening, or of the start of its next request, or it is closed. And
at most `max_idle` connections of a server wait idle for their next request; beyond that the
one idle longest is closed (its client simply opens a new one when it needs it).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict

from portico.serving.write_coalescing import CoalescingHttpToolsProtocol

log = logging.getLogger(__name__)


class HeadDeadlineProtocol(CoalescingHttpToolsProtocol):
    head_timeout = 10.0
    max_idle = 1000
    # The server's idle connections, the longest idle first (one registry per server class).
    idle: OrderedDict[HeadDeadlineProtocol, None] = OrderedDict()
    _head_timer: asyncio.TimerHandle | None = None

    @classmethod
    def with_bounds(cls, head_timeout: float, max_idle: int) -> type[HeadDeadlineProtocol]:
        bounds = {"head_timeout": head_timeout, "max_idle": max_idle, "idle": OrderedDict()}
        return type(cls.__name__, (cls,), bounds)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.transport.is_closing() or self.pipeline:
            return
        self.idle[self] = None
        while len(self.idle) > self.max_idle:
            longest, _ = self.idle.popitem(last=False)
            longest.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        self.idle.pop(self, None)
        super().on_message_begin()
        self._arm()  # the next request on a kept-alive connection

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self.idle.pop(self, None)
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.head_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _too_slow(self) -> None:
        self._head_timer = None
        log.debug("closed a connection whose request head took over %g s", self.head_timeout)
        self.transport.close()
