"""The one way portico opens Redis: with explicit deadlines, so that a Redis that hangs (paused,
or a network that drops packets) is an error within seconds, answered 503, never a request
that waits for as long as the hang lasts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import redis.asyncio as redis

    from portico.config import RedisConfig


@dataclass(frozen=True)
class RedisTimeouts:
    connect: float = 2.0
    socket: float = 5.0

    @classmethod
    def of(cls, config: RedisConfig) -> RedisTimeouts:
        return cls(connect=config.connect_timeout, socket=config.socket_timeout)


DEFAULT_TIMEOUTS = RedisTimeouts()


def redis_options(timeouts: RedisTimeouts, *, listening: bool = False) -> dict[str, Any]:
    """redis-py's connection options. A listener waits for messages as long as there are none:
    no read deadline, but TCP keepalive and a ping between messages find a dead server."""
    return {
        "socket_connect_timeout": timeouts.connect,
        "socket_timeout": None if listening else timeouts.socket,
        "socket_keepalive": True,
        "health_check_interval": 30 if listening else 0,
    }


def open_redis(
    url: str, timeouts: RedisTimeouts = DEFAULT_TIMEOUTS, *, listening: bool = False
) -> redis.Redis:
    import redis.asyncio as redis  # here: a deployment without Redis never loads it

    return redis.Redis.from_url(url, **redis_options(timeouts, listening=listening))
