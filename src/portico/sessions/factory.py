"""The session store the configuration names; the webserver keeps sessions in it, the manager
ends them (password change, reset, revocation)."""

from __future__ import annotations

import time
from collections.abc import Callable

from portico.common.change_channel import ChangeChannel
from portico.common.redis_client import RedisTimeouts
from portico.common.sealing import BoundBox, load_or_create_server_secret
from portico.config import ConfigError, Settings
from portico.db.deadlines import Deadlines
from portico.sessions.store import CHANNEL, SessionStore


def build_session_store(
    settings: Settings,
    *,
    single_process: bool = False,
    clock: Callable[[], float] = time.time,
) -> SessionStore:
    """`single_process`: this store is the only one that changes sessions (`portico serve`).
    `clock`: this process's clock, which the store's time is measured against."""
    secret = load_or_create_server_secret(settings.security.secret_key, settings.general.data_dir)
    box = BoundBox(secret, "web-session-record")
    timeouts = RedisTimeouts.of(settings.redis)
    options = {
        "max_age": settings.session.max_age,
        "idle_timeout": settings.session.idle_timeout,
        "cache_seconds": settings.session.cache_seconds,
        "channel": ChangeChannel(settings.redis.url, CHANNEL, timeouts)
        if settings.redis.url
        else None,
        "single_process": single_process,
        "clock": clock,
    }
    if settings.session.store == "redis":
        if not settings.redis.url:
            raise ConfigError("config: session.store = 'redis' needs redis.url")
        from portico.sessions.redis import RedisSessionStore

        return RedisSessionStore(settings.redis.url, box, timeouts=timeouts, **options)
    from portico.sessions.sql import SqlSessionStore

    return SqlSessionStore(
        settings.database_url, box, deadlines=Deadlines.of(settings.db), **options
    )
