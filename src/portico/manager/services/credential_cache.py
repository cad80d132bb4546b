"""Recently verified API keys, so that a signed call costs no database round trip.

An entry holds an active account's unsealed secret key and what the routes need of the caller,
for at most `ttl` seconds. Whatever ends or changes a credential (a replaced keypair, a
deactivated account, a new role) calls `forget(user_id)`: the entry goes at once on this replica,
and with Redis configured, on every other replica too (a message on one channel). If that
channel is lost for a while, every replica drops its whole cache when it reconnects, and the TTL
bounds what a replica without Redis can keep.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from portico.common.change_channel import ChangeChannel
from portico.common.expiring_cache import ExpiringCache
from portico.common.redis_client import DEFAULT_TIMEOUTS, RedisTimeouts

CHANNEL = "portico:credentials-changed"


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
        redis_timeouts: RedisTimeouts = DEFAULT_TIMEOUTS,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._entries: ExpiringCache[Credential] = ExpiringCache(
            ttl_seconds, max_entries=max_entries, clock=clock
        )
        self._channel = ChangeChannel(redis_url, CHANNEL, redis_timeouts) if redis_url else None

    @property
    def generation(self) -> int:
        return self._entries.generation

    def get(self, access_key: str) -> Credential | None:
        return self._entries.get(access_key)

    def put(self, access_key: str, credential: Credential, generation: int) -> None:
        """Store what a lookup read, unless a credential changed since it began."""
        self._entries.put(access_key, credential, generation)

    async def forget(self, user_id: uuid.UUID) -> None:
        """The credentials of `user_id` changed: drop them here and on every other replica."""
        self._forget_locally(str(user_id))
        if self._channel is not None:
            await self._channel.publish(str(user_id))

    def _forget_locally(self, user_id: str) -> None:
        self._entries.forget(lambda _key, credential: str(credential.user_id) == user_id)

    def clear(self) -> None:
        self._entries.clear()

    async def listen(self) -> None:
        """Apply the other replicas' `forget`s; runs for the life of the manager (Redis only)."""
        if self._channel is not None:
            await self._channel.listen(self._forget_locally, self.clear)

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()
