"""Browser sessions in Redis: shared by several webservers, expired by Redis itself."""

from __future__ import annotations

import json
from typing import Any

from portico.common.redis_client import DEFAULT_TIMEOUTS, RedisTimeouts, open_redis
from portico.sessions.store import SessionStore

_PREFIX = "portico:websession:"
_USER_PREFIX = "portico:websessions-of:"


class RedisSessionStore(SessionStore):
    def __init__(
        self, url: str, *args: Any, timeouts: RedisTimeouts = DEFAULT_TIMEOUTS, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._redis = open_redis(url, timeouts)

    async def _put(
        self,
        key: str,
        user_id: str,
        record: dict[str, Any],
        expires_at: float,
        last_seen: float,
        ttl: int,
    ) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(_PREFIX + key, json.dumps(record), ex=ttl)
            # Per-user index so that "sign out everywhere" can find them.
            pipe.sadd(_USER_PREFIX + user_id, key)
            pipe.expire(_USER_PREFIX + user_id, self.max_age + 60)
            await pipe.execute()

    async def _get(self, key: str) -> dict[str, Any] | None:
        raw = await self._redis.get(_PREFIX + key)
        return json.loads(raw) if raw is not None else None

    async def _touch(self, key: str, record: dict[str, Any], now: float, ttl: int) -> None:
        # XX: never resurrect a session deleted meanwhile.
        await self._redis.set(_PREFIX + key, json.dumps(record), ex=ttl, xx=True)

    async def _delete(self, key: str) -> None:
        await self._redis.delete(_PREFIX + key)

    async def _delete_user(self, user_id: str, keep_key: str | None) -> None:
        members = {_text(m) for m in await self._redis.smembers(_USER_PREFIX + user_id)}
        doomed = [_PREFIX + key for key in members if key != keep_key]
        async with self._redis.pipeline(transaction=True) as pipe:
            if doomed:
                pipe.delete(*doomed)
            if members:
                pipe.srem(_USER_PREFIX + user_id, *members)
            if keep_key is not None and keep_key in members:
                pipe.sadd(_USER_PREFIX + user_id, keep_key)
            await pipe.execute()

    async def _user_records(self, user_id: str) -> list[tuple[str, dict[str, Any]]]:
        keys = sorted(_text(m) for m in await self._redis.smembers(_USER_PREFIX + user_id))
        if not keys:
            return []
        values = await self._redis.mget([_PREFIX + key for key in keys])
        return [(key, json.loads(raw)) for key, raw in zip(keys, values, strict=True) if raw]

    async def count(self) -> int:
        # Redis expires sessions itself: every key under the prefix is a live one.
        return sum([1 async for _ in self._redis.scan_iter(match=_PREFIX + "*", count=1000)])

    async def ping(self) -> None:
        await self._redis.ping()

    async def _server_time(self) -> float:
        seconds, microseconds = await self._redis.time()
        return seconds + microseconds / 1e6

    async def close(self) -> None:
        await self._redis.aclose()
        await super().close()


def _text(member: bytes | str) -> str:
    """A set member as text (this client answers bytes; the stubs allow either)."""
    return member.decode() if isinstance(member, bytes) else member
