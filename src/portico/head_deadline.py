"""A deadline for each request's head, on top of uvicorn's protocol.

uvicorn ends a keep-alive connection that idles between requests, but not one that sends a
request head a byte at a time, or never sends one at all: 500 such sockets (slowloris) stayed
open for ever. Here every connection must deliver a complete request head within
`head_timeout` seconds of opening, or of the start of its next request, or it is closed.
"""

from __future__ import annotations

import asyncio
import logging

from portico.write_coalescing import CoalescingHttpToolsProtocol

log = logging.getLogger(__name__)


class HeadDeadlineProtocol(CoalescingHttpToolsProtocol):
    head_timeout = 10.0
    _head_timer: asyncio.TimerHandle | None = None

    @classmethod
    def with_timeout(cls, seconds: float) -> type[HeadDeadlineProtocol]:
        return type(cls.__name__, (cls,), {"head_timeout": seconds})

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()  # the next request on a kept-alive connection

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
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
