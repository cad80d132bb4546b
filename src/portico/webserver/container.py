"""Builds the webserver's parts from settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from portico.config import Settings
from portico.db.engine import create_engine
from portico.sealing import SecretBox, load_or_create_server_secret
from portico.webserver.manager_client import ManagerClient
from portico.webserver.sessions import SessionStore
from portico.webserver.sessions.redis import RedisSessionStore
from portico.webserver.sessions.sql import SqlSessionStore


@dataclass
class WebServices:
    settings: Settings
    store: SessionStore
    manager: ManagerClient
    engine: AsyncEngine | None = field(default=None)

    async def close(self) -> None:
        await self.store.close()
        await self.manager.close()
        if self.engine is not None:
            await self.engine.dispose()


def build_web_services(settings: Settings, engine: AsyncEngine | None = None) -> WebServices:
    """`engine` lets `portico serve` share the manager's pool for the `sql` session store."""
    secret = load_or_create_server_secret(settings.security.secret_key, settings.general.data_dir)
    box = SecretBox(secret, "web-session")
    timing = {"max_age": settings.session.max_age, "idle_timeout": settings.session.idle_timeout}
    owned_engine = None
    store: SessionStore
    if settings.session.store == "redis":
        if not settings.redis.url:
            from portico.config import ConfigError

            raise ConfigError("config: session.store = 'redis' needs redis.url")
        store = RedisSessionStore(settings.redis.url, box, **timing)
    else:
        if engine is None:
            engine = owned_engine = create_engine(settings.database_url)
        store = SqlSessionStore(engine, box, **timing)
    return WebServices(
        settings=settings,
        store=store,
        manager=ManagerClient(settings.api.endpoint),
        engine=owned_engine,
    )
