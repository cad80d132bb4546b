"""The session store the configuration names; the webserver keeps sessions in it, the manager
ends them (password change, reset, revocation)."""

from __future__ import annotations

from portico.config import ConfigError, Settings
from portico.sealing import SecretBox, load_or_create_server_secret
from portico.sessions import SessionStore


def build_session_store(settings: Settings) -> SessionStore:
    secret = load_or_create_server_secret(settings.security.secret_key, settings.general.data_dir)
    # Two values are opened on every relayed call; the last few thousand sessions' are kept.
    box = SecretBox(secret, "web-session", remember=8192)
    timing = {"max_age": settings.session.max_age, "idle_timeout": settings.session.idle_timeout}
    if settings.session.store == "redis":
        if not settings.redis.url:
            raise ConfigError("config: session.store = 'redis' needs redis.url")
        from portico.sessions.redis import RedisSessionStore

        return RedisSessionStore(settings.redis.url, box, **timing)
    from portico.sessions.sql import SqlSessionStore

    return SqlSessionStore(settings.database_url, box, **timing)
