"""A per-client-address ceiling on failed log-ins, above the per-account lockout.

It slows credential stuffing that spreads guesses over many ids. Counted in the `limits`
library's storage: in memory for one manager, in Redis when several share the work.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from portico.manager.errors import TooManyFailedLogins


class AddressThrottle:
    def __init__(self, *, failures: int, window_seconds: int, redis_url: str = "") -> None:
        storage: Storage
        if redis_url:
            storage = RedisStorage(
                redis_url.replace("redis://", "async+redis://", 1),
                implementation="redispy",
                key_prefix="portico-login-address",
            )
        else:
            storage = MemoryStorage()
        self._limiter = MovingWindowRateLimiter(storage)
        self._item = RateLimitItemPerSecond(failures, window_seconds)

    async def check(self, address: str) -> None:
        if not address or await self._limiter.test(self._item, address):
            return
        stats = await self._limiter.get_window_stats(self._item, address)
        raise TooManyFailedLogins(retry_after=max(1, math.ceil(stats.reset_time - time.time())))

    async def record_failure(self, address: str) -> None:
        if address:
            await self._limiter.hit(self._item, address)
