"""Recently verified API keys, so that a signed call costs no database round trip.

An entry holds an active account's unsealed secret key and what the routes need of the caller,
for at most `ttl` seconds. Whatever ends or changes a credential (a replaced keypair, a
deactivated account, a new role) calls `forget(user_id)`: the entry goes at once on this replica,
and with Redis configured, on every other replica too (a message on one channel). If that
channel is lost for a while, every replica drops its whole cache when it reconnects, and the TTL
bounds what a replica without Redis can keep.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import redis.asyncio as redis

from portico.background import repeat

CHANNEL = "portico:credentials-changed"
RECONNECT_SECONDS = 1.0


@dataclass(frozen=True)
class Credential:
    secret_key: str
    user_id: uuid.UUID
    email: str
    role: str
    domain_name: str
    must_change_password: bool = False


class CredentialCache:
    def __init__(
        self,
        ttl_seconds: float,
        *,
        redis_url: str = "",
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, Credential]] = OrderedDict()
        # Bumped by every forget: a lookup that began before it must not store what it read.
        self._generation = 0
        self._redis = redis.Redis.from_url(redis_url) if redis_url else None

    @property
    def generation(self) -> int:
        return self._generation

    def get(self, access_key: str) -> Credential | None:
        found = self._entries.get(access_key)
        if found is None:
            return None
        expires_at, credential = found
        if self._clock() >= expires_at:
            del self._entries[access_key]
            return None
        return credential

    def put(self, access_key: str, credential: Credential, generation: int) -> None:
        """Store what a lookup read, unless a credential changed since it began."""
        if self.ttl <= 0 or generation != self._generation:
            return
        self._entries[access_key] = (self._clock() + self.ttl, credential)
        self._entries.move_to_end(access_key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    async def forget(self, user_id: uuid.UUID) -> None:
        """The credentials of `user_id` changed: drop them here and on every other replica."""
        self._forget_locally(user_id)
        if self._redis is not None:
            await self._redis.publish(CHANNEL, str(user_id))

    def _forget_locally(self, user_id: uuid.UUID) -> None:
        self._generation += 1
        for key in [k for k, (_, c) in self._entries.items() if c.user_id == user_id]:
            del self._entries[key]

    def clear(self) -> None:
        self._generation += 1
        self._entries.clear()

    async def listen(self) -> None:
        """Apply the other replicas' `forget`s; runs for the life of the manager (Redis only)."""
        if self._redis is None:
            return
        await repeat(
            self._listen_once,
            lambda: asyncio.sleep(RECONNECT_SECONDS),
            what="listening for credential changes",
        )

    async def _listen_once(self) -> None:
        assert self._redis is not None
        async with self._redis.pubsub() as pubsub:
            await pubsub.subscribe(CHANNEL)
            # Changes published while we were not subscribed are lost: start afresh.
            self.clear()
            async for message in pubsub.listen():
                if message["type"] != "message":
                    continue
                try:
                    self._forget_locally(uuid.UUID(message["data"].decode()))
                except ValueError:
                    self.clear()

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
