"""A clock that runs on another server's time: this process's clock corrected by the offset
last measured against that server (the database, a session store). Replicas that read one
server then agree on its time even when their own clocks do not."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable


class ServerClock:
    """Callable like time.time, but on the server's time (to within a round trip)."""

    def __init__(self, local: Callable[[], float] = time.time) -> None:
        self._local = local
        self.offset = 0.0

    def __call__(self) -> float:
        return self._local() + self.offset

    async def measure(self, server_time: Callable[[], Awaitable[float]]) -> float:
        """Measure the offset again, taking the server's time as that of the middle of the
        round trip that read it."""
        before = self._local()
        theirs = await server_time()
        after = self._local()
        self.offset = theirs - (before + after) / 2
        return self.offset
