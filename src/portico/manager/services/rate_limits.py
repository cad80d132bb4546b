"""Rate limits counted by the `limits` library: in memory for one manager, in Redis when
several managers share the work."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.storage.redis.redispy import RedispyBridge
from limits.aio.strategies import MovingWindowRateLimiter

from portico.common.redis_client import RedisTimeouts, redis_options
from portico.common.sealing import Pseudonyms
from portico.config import RedisConfig
from portico.manager.errors import RateLimited


def limits_storage(config: RedisConfig) -> Storage:
    if config.url:
        return RedisStorage(
            config.url.replace("redis://", "async+redis://", 1),
            implementation="redispy",
            key_prefix="portico-limits",
            **redis_options(RedisTimeouts.of(config)),
        )
    return MemoryStorage()


async def close_storage(storage: Storage) -> None:
    """Close what a storage holds open (limits has no close of its own): the Redis client's
    connections, or the memory storage's expiry task."""
    if isinstance(storage, RedisStorage) and isinstance(storage.bridge, RedispyBridge):
        await storage.bridge.storage.aclose()
    elif isinstance(storage, MemoryStorage) and storage.timer is not None:
        storage.timer.cancel()


class RateLimit:
    """`key`s (an e-mail address, a client address) are stored under their pseudonym."""

    def __init__(
        self, storage: Storage, rate: str | RateLimitItem, namespace: str, names: Pseudonyms
    ) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._item = parse(rate) if isinstance(rate, str) else rate
        self._namespace = namespace
        self._names = names

    async def retry_after(self, key: str) -> int:
        stats = await self._limiter.get_window_stats(
            self._item, self._namespace, self._names.of(key)
        )
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def allows(self, key: str) -> bool:
        """Would one more hit be allowed? (Records nothing.)"""
        return await self._limiter.test(self._item, self._namespace, self._names.of(key))

    async def hit(self, key: str) -> None:
        await self._limiter.hit(self._item, self._namespace, self._names.of(key))

    async def take(self, key: str) -> None:
        """Count one use now, or raise RateLimited when the limit is reached."""
        if not await self._limiter.hit(self._item, self._namespace, self._names.of(key)):
            raise RateLimited(retry_after=await self.retry_after(key))
