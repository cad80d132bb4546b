"""Builds the webserver's parts from settings."""

from __future__ import annotations

from dataclasses import dataclass

from portico.config import ConfigError, Settings
from portico.sealing import SecretBox, load_or_create_server_secret
from portico.webserver.manager_client import ManagerClient
from portico.webserver.sessions import SessionStore


@dataclass
class WebServices:
    settings: Settings
    store: SessionStore
    manager: ManagerClient

    async def close(self) -> None:
        await self.store.close()
        await self.manager.close()


def build_web_services(settings: Settings) -> WebServices:
    secret = load_or_create_server_secret(settings.security.secret_key, settings.general.data_dir)
    box = SecretBox(secret, "web-session")
    timing = {"max_age": settings.session.max_age, "idle_timeout": settings.session.idle_timeout}
    store: SessionStore
    if settings.session.store == "redis":
        if not settings.redis.url:
            raise ConfigError("config: session.store = 'redis' needs redis.url")
        from portico.webserver.sessions.redis import RedisSessionStore

        store = RedisSessionStore(settings.redis.url, box, **timing)
    else:
        from portico.webserver.sessions.sql import SqlSessionStore

        store = SqlSessionStore(settings.database_url, box, **timing)
    return WebServices(settings=settings, store=store, manager=ManagerClient(settings.api.endpoint))
