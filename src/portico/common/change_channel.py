"""A Redis pub/sub channel on which replicas tell each other what changed.

Messages sent while a listener was not subscribed are lost, so a listener is told to start
afresh (`on_reset`) each time it subscribes, and `live` says whether it is subscribed now: a
cache that depends on the channel must not be trusted while it is not.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from portico.common.redis_client import DEFAULT_TIMEOUTS, RedisTimeouts, open_redis
from portico.serving.background import repeat

RECONNECT_SECONDS = 1.0


class ChangeChannel:
    def __init__(
        self, redis_url: str, name: str, timeouts: RedisTimeouts = DEFAULT_TIMEOUTS
    ) -> None:
        self.name = name
        self._publisher = open_redis(redis_url, timeouts)
        self._redis = open_redis(redis_url, timeouts, listening=True)
        self.live = False

    async def publish(self, message: str) -> None:
        await self._publisher.publish(self.name, message)

    async def listen(self, on_message: Callable[[str], None], on_reset: Callable[[], None]) -> None:
        """Apply other replicas' messages; runs until cancelled, reconnecting after a loss."""

        async def once() -> None:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self.name)
                    async for message in pubsub.listen():
                        if message["type"] == "subscribe":
                            # Confirmed: from here on no message is missed.
                            on_reset()
                            self.live = True
                        elif message["type"] == "message":
                            on_message(message["data"].decode(errors="replace"))
            finally:
                self.live = False
                on_reset()

        await repeat(
            once, lambda: asyncio.sleep(RECONNECT_SECONDS), what=f"listening on {self.name}"
        )

    async def close(self) -> None:
        await self._publisher.aclose()
        await self._redis.aclose()
