"""The browser session and the store interface: expiry, idle timeout and sealing, the
in-memory copy and the change channel; subclasses only move records."""

from __future__ import annotations

import functools
import json
import logging
import secrets
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

from portico.common.change_channel import ChangeChannel
from portico.common.expiring_cache import ExpiringCache
from portico.common.sealing import BoundBox, SealBroken, token_hash
from portico.common.server_clock import ServerClock

CHANNEL = "portico:web-sessions-ended"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebSession:
    user_id: str
    email: str
    role: str
    status: str
    access_key: str
    secret_key: str
    manager_token: str
    created_at: float
    expires_at: float
    last_seen: float
    client_address: str = ""
    user_agent: str = ""


@dataclass(frozen=True)
class SessionInfo:
    """What a user may see of their own sessions: no secrets, and the id only as its hash."""

    id: str
    created_at: float
    last_seen: float
    client_address: str
    user_agent: str


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def id_hash(session_id: str) -> str:
    return token_hash(session_id)


class SessionStore(ABC):
    """Expiry, idle timeout and sealing; subclasses only move records."""

    def __init__(
        self,
        box: BoundBox,
        *,
        max_age: int,
        idle_timeout: int,
        clock: Callable[[], float] = time.time,
        cache_seconds: float = 0.0,
        channel: ChangeChannel | None = None,
        single_process: bool = False,
    ) -> None:
        self._box = box
        # Every relayed call opens its session's record; the last few thousand are kept
        # opened. A sealed record never changes, so its plaintext can be reused.
        self._open_sealed = functools.lru_cache(maxsize=8192)(self._open_sealed_uncached)
        self.max_age = max_age
        self.idle_timeout = idle_timeout
        # Expiry is judged on the store's time, so webservers whose clocks disagree still
        # agree on which sessions are over.
        self._store_clock = ServerClock(clock)
        self._clock = clock  # this process's own clock, which the offset corrects
        # Writing last_seen on every request would make each relayed call a write.
        self._touch_interval = max(1.0, min(60.0, idle_timeout / 10))
        self._cache: ExpiringCache[WebSession] = ExpiringCache(cache_seconds)
        self._channel = channel
        self._single_process = single_process

    def now(self) -> float:
        return self._store_clock()

    async def sync_clock(self) -> float:
        """Measure the store's clock against this process's again."""
        return await self._store_clock.measure(self._server_time)

    def start(
        self,
        *,
        user_id: str,
        email: str,
        role: str,
        status: str,
        access_key: str,
        secret_key: str,
        manager_token: str,
        client_address: str = "",
        user_agent: str = "",
    ) -> WebSession:
        now = self.now()
        return WebSession(
            user_id=user_id,
            email=email,
            role=role,
            status=status,
            access_key=access_key,
            secret_key=secret_key,
            manager_token=manager_token,
            created_at=now,
            expires_at=now + self.max_age,
            last_seen=now,
            client_address=client_address,
            user_agent=user_agent,
        )

    async def create(self, session: WebSession) -> str:
        """Store a session under a brand-new id and return the id."""
        session_id = new_session_id()
        key = id_hash(session_id)
        await self._put(
            key,
            session.user_id,
            self._seal(key, session),
            session.expires_at,
            session.last_seen,
            self._ttl(session),
        )
        return session_id

    async def load(self, session_id: str) -> WebSession | None:
        key = id_hash(session_id)
        now = self.now()
        caching = self._caching()
        if caching:
            cached = self._cache.get(key)
            if cached is not None and self._alive(cached, now) and not self._due(cached, now):
                return cached
        generation = self._cache.generation
        record = await self._get(key)
        if record is None:
            return None
        session = self._open(key, record)
        if session is None or not self._alive(session, now):
            await self._delete(key)
            return None
        if self._due(session, now):
            session = replace(session, last_seen=now)
            await self._touch(key, self._seal(key, session), now, self._ttl_at(session, now))
        if caching:
            self._cache.put(key, session, generation)
        return session

    def _alive(self, session: WebSession, now: float) -> bool:
        return now < session.expires_at and now - session.last_seen < self.idle_timeout

    def _due(self, session: WebSession, now: float) -> bool:
        """Whether last_seen should be written now."""
        return now - session.last_seen >= self._touch_interval

    def _caching(self) -> bool:
        if self._cache.ttl <= 0:
            return False
        return self._channel.live if self._channel is not None else self._single_process

    async def _ended(self, *, key: str | None = None, user_id: str | None = None) -> None:
        """Sessions were ended or changed: forget them here, and tell every other store."""
        message = f"key:{key}" if key is not None else f"user:{user_id}"
        self._forget(message)
        if self._channel is not None:
            try:
                await self._channel.publish(message)
            except Exception:
                # Redis is down: the stores that cannot hear have stopped caching (not live).
                log.exception("could not announce an ended browser session")

    def _forget(self, message: str) -> None:
        kind, _, value = message.partition(":")
        if kind == "key":
            self._cache.forget(lambda key, _session: key == value)
        elif kind == "user":
            self._cache.forget(lambda _key, session: session.user_id == value)
        else:
            self._cache.clear()

    async def listen(self) -> None:
        """Apply the sessions other stores ended; runs for the life of the webserver."""
        if self._channel is not None:
            await self._channel.listen(self._forget, self._cache.clear)

    async def replace_keypair(self, session_id: str, access_key: str, secret_key: str) -> None:
        """The account's keypair was replaced from this session: it signs with the new one."""
        key = id_hash(session_id)
        record = await self._get(key)
        session = self._open(key, record) if record is not None else None
        if session is None:
            return
        now = self.now()
        renewed = replace(session, access_key=access_key, secret_key=secret_key, last_seen=now)
        await self._touch(key, self._seal(key, renewed), now, self._ttl_at(renewed, now))
        await self._ended(key=key)

    async def delete(self, session_id: str) -> WebSession | None:
        key = id_hash(session_id)
        record = await self._get(key)
        await self._delete(key)
        await self._ended(key=key)
        return self._open(key, record) if record is not None else None

    async def revoke_user(self, user_id: str, *, keep_hash: str | None = None) -> None:
        """End every session of a user, except the one whose id hashes to `keep_hash`."""
        await self._delete_user(user_id, keep_hash)
        await self._ended(user_id=user_id)

    async def list_user(self, user_id: str) -> list[SessionInfo]:
        now = self.now()
        found = []
        for key, record in await self._user_records(user_id):
            session = self._open(key, record)
            if session is None or session.user_id != user_id or not self._alive(session, now):
                continue
            found.append(
                SessionInfo(
                    key,
                    session.created_at,
                    session.last_seen,
                    session.client_address,
                    session.user_agent,
                )
            )
        return sorted(found, key=lambda s: s.created_at)

    async def revoke_one(self, user_id: str, key: str) -> bool:
        """End one of the user's own sessions, named by its hash."""
        if key not in {k for k, _ in await self._user_records(user_id)}:
            return False
        await self._delete(key)
        await self._ended(key=key)
        return True

    def _ttl(self, session: WebSession) -> int:
        return self._ttl_at(session, session.last_seen)

    def _ttl_at(self, session: WebSession, now: float) -> int:
        return max(1, int(min(session.expires_at - now, self.idle_timeout)) + 1)

    def _seal(self, key: str, session: WebSession) -> dict[str, Any]:
        return {"sealed": self._box.seal(json.dumps(asdict(session)), key)}

    def _open(self, key: str, record: dict[str, Any]) -> WebSession | None:
        """The session in a record, or None (and a log line) when it is not one this server
        sealed under this id: copied from another id, edited, or from another server key."""
        sealed = record.get("sealed")
        if not isinstance(sealed, str):
            log.info("browser session %s… is from an earlier release: ended", key[:12])
            return None
        session = self._open_sealed(key, sealed)
        if session is None:
            log.warning(
                "browser session %s… does not open under its id: copied, edited or sealed "
                "with another server key; refused",
                key[:12],
            )
        return session

    def _open_sealed_uncached(self, key: str, sealed: str) -> WebSession | None:
        try:
            return WebSession(**json.loads(self._box.open(sealed, key)))
        except (SealBroken, ValueError, TypeError):
            return None

    @abstractmethod
    async def _put(
        self,
        key: str,
        user_id: str,
        record: dict[str, Any],
        expires_at: float,
        last_seen: float,
        ttl: int,
    ) -> None: ...

    @abstractmethod
    async def _get(self, key: str) -> dict[str, Any] | None: ...

    @abstractmethod
    async def _touch(self, key: str, record: dict[str, Any], now: float, ttl: int) -> None: ...

    @abstractmethod
    async def _delete(self, key: str) -> None: ...

    @abstractmethod
    async def _delete_user(self, user_id: str, keep_key: str | None) -> None: ...

    @abstractmethod
    async def _user_records(self, user_id: str) -> list[tuple[str, dict[str, Any]]]: ...

    @abstractmethod
    async def _server_time(self) -> float:
        """The store's own time, in epoch seconds."""

    @abstractmethod
    async def count(self) -> int:
        """How many sessions are live (for the metrics)."""

    async def purge(self) -> None:  # noqa: B027 - optional: Redis expires records itself
        """Drop sessions past their end."""

    @abstractmethod
    async def ping(self) -> None:
        """Raise when the store cannot be reached (readiness probes)."""

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()
