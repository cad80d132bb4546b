"""Builds the webserver's parts from settings."""

from __future__ import annotations

from dataclasses import dataclass

from portico.common.sealing import load_or_create_server_secret
from portico.config import Settings
from portico.sessions.factory import build_session_store
from portico.sessions.store import SessionStore
from portico.webserver.manager_client import ManagerClient
from portico.wire.forwarding import ForwardingKey


@dataclass
class WebServices:
    settings: Settings
    store: SessionStore
    manager: ManagerClient
    forwarding: ForwardingKey
    owns_store: bool = True

    async def close(self) -> None:
        if self.owns_store:
            await self.store.close()
        await self.manager.close()


def build_web_services(settings: Settings, store: SessionStore | None = None) -> WebServices:
    """With `store` given (the manager's, under `portico serve`), its owner closes it."""
    secret = load_or_create_server_secret(settings.security.secret_key, settings.general.data_dir)
    return WebServices(
        settings=settings,
        store=store or build_session_store(settings),
        manager=ManagerClient(settings.api.endpoint),
        forwarding=ForwardingKey(secret),
        owns_store=store is None,
    )
