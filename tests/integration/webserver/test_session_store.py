"""Both browser-session stores: expiry, idle timeout, sealing, deletion."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from portico.common.sealing import BoundBox
from portico.db.models import WebSessionRow
from portico.manager.container import ManagerServices
from portico.sessions.redis import RedisSessionStore
from portico.sessions.sql import SqlSessionStore
from portico.sessions.store import SessionStore, WebSession, id_hash, new_session_id
from tests.support.services import require_redis


class Clock:
    now = 5_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sql", "redis"])
def kind(request: pytest.FixtureRequest, backend: str) -> str:
    if request.param == "redis" and backend == "postgres":
        pytest.skip("the Redis store does not depend on the SQL backend")
    return request.param


@pytest.fixture
async def store(
    kind: str, services: ManagerServices, tmp_path: Path
) -> AsyncIterator[SessionStore]:
    box = BoundBox("test-server-secret", "web-session-record")
    timing = {"max_age": 1000, "idle_timeout": 100, "clock": Clock()}
    made: SessionStore
    if kind == "redis":
        made = RedisSessionStore(require_redis(), box, **timing)
        await made._redis.flushdb()  # type: ignore[attr-defined]
    else:
        made = SqlSessionStore(services.settings.database_url, box, **timing)
    yield made
    await made.close()


def a_session(store: SessionStore, owner: str, **fields: str) -> WebSession:
    """A session of `owner` as a log-in starts one; `fields` change what a test looks at."""
    values = {
        "user_id": owner,
        "email": "s@example.com",
        "role": "user",
        "status": "active",
        "access_key": "A" * 20,
        "secret_key": "k",
        "manager_token": "t",
    }
    return store.start(**{**values, **fields})


async def user_id(services: ManagerServices) -> str:
    created = await services.accounts.create_user(email="s@example.com", password="Zebra-42-quilt")
    return str(created.user_id)


async def test_round_trip_and_sealing(
    store: SessionStore, services: ManagerServices, kind: str
) -> None:
    session = store.start(
        user_id=await user_id(services),
        email="s@example.com",
        role="user",
        status="active",
        access_key="AKIAQWERTYUIOPASDFGH",
        secret_key="very-secret-key-value",
        manager_token="tok-123",
        client_address="192.0.2.44",
        user_agent="Firefox/140",
    )
    sid = await store.create(session)
    loaded = await store.load(sid)
    assert loaded == session
    # At rest: neither the id nor anything personal appears.
    stored = json.dumps(await _raw(store, kind, services, id_hash(sid)))
    for secret in (
        "very-secret-key-value",
        "tok-123",
        sid,
        "s@example.com",
        "AKIAQWERTYUIOPASDFGH",
    ):
        assert secret not in stored
    for personal in ("192.0.2.44", "Firefox"):
        assert personal not in stored
    # The owner still sees where each session is.
    (listed,) = await store.list_user(session.user_id)
    assert (listed.id, listed.client_address, listed.user_agent) == (
        id_hash(sid),
        "192.0.2.44",
        "Firefox/140",
    )


async def _raw(store: SessionStore, kind: str, services: ManagerServices, key: str) -> dict:
    """The record as whoever reads the store directly sees it."""
    if kind == "sql":
        async with services.database() as db:
            row = await db.scalar(select(WebSessionRow).where(WebSessionRow.id_hash == key))
        return dict(row.data)
    raw = await store._redis.get("portico:websession:" + key)  # type: ignore[attr-defined]
    return json.loads(raw)


async def _plant(
    store: SessionStore, kind: str, services: ManagerServices, key: str, user: str, record: dict
) -> None:
    """Write a record straight into the store under `key`, as one who can write to it would."""
    if kind == "sql":
        async with services.database() as db, db.begin():
            db.add(
                WebSessionRow(
                    id_hash=key,
                    user_id=uuid.UUID(user),
                    data=record,
                    expires_at=store._clock() + 500,  # type: ignore[attr-defined]
                    last_seen=store._clock(),  # type: ignore[attr-defined]
                )
            )
        return
    redis = store._redis  # type: ignore[attr-defined]
    await redis.set("portico:websession:" + key, json.dumps(record), ex=500)
    await redis.sadd("portico:websessions-of:" + user, key)


async def test_a_record_copied_under_another_id_or_edited_is_refused_and_logged(
    store: SessionStore, services: ManagerServices, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Whoever can write to the store copies a live record under an id of his own (or edits
    one): the copy is no session, the refusal is logged, and the owner's session is unharmed."""
    owner = await user_id(services)
    victim = await store.create(a_session(store, owner, role="admin"))
    record = await _raw(store, kind, services, id_hash(victim))

    mine = new_session_id()
    await _plant(store, kind, services, id_hash(mine), owner, record)
    with caplog.at_level(logging.WARNING, logger="portico.sessions"):
        assert await store.load(mine) is None
    assert "does not open under its id" in caplog.text
    assert await _gone(store, kind, services, id_hash(mine))

    edited = new_session_id()
    sealed = record["sealed"]
    flipped = sealed[:20] + ("A" if sealed[20] != "A" else "B") + sealed[21:]
    await _plant(store, kind, services, id_hash(edited), owner, {"sealed": flipped})
    assert await store.load(edited) is None
    # A record in plain fields, as an earlier release wrote them, is no session either.
    plain = new_session_id()
    await _plant(store, kind, services, id_hash(plain), owner, {"user_id": owner, "role": "admin"})
    assert await store.load(plain) is None
    # Planted records do not show among the owner's sessions; the real one still works.
    assert [s.id for s in await store.list_user(owner)] == [id_hash(victim)]
    assert (await store.load(victim)) is not None


async def _gone(store: SessionStore, kind: str, services: ManagerServices, key: str) -> bool:
    if kind == "sql":
        async with services.database() as db:
            return (
                await db.scalar(select(WebSessionRow).where(WebSessionRow.id_hash == key)) is None
            )
    return await store._redis.get("portico:websession:" + key) is None  # type: ignore[attr-defined]


async def test_idle_timeout_and_absolute_lifetime(
    store: SessionStore, services: ManagerServices
) -> None:
    clock: Clock = store._clock  # type: ignore[assignment]
    uid = await user_id(services)

    def make():
        return a_session(store, uid, access_key="AKIA" + "A" * 16)

    idle = await store.create(make())
    clock.now += 99
    assert await store.load(idle) is not None
    clock.now += 99  # used 99 s ago: still within the idle timeout, thanks to the touch
    assert await store.load(idle) is not None
    clock.now += 100
    assert await store.load(idle) is None

    busy = await store.create(make())
    for _ in range(20):
        clock.now += 50
        if await store.load(busy) is None:
            break
    # Kept busy it lives max_age (1000 s), not longer.
    assert await store.load(busy) is None


async def test_delete(store: SessionStore, services: ManagerServices) -> None:
    sid = await store.create(a_session(store, await user_id(services)))
    assert (await store.delete(sid)) is not None
    assert await store.load(sid) is None
    assert await store.delete(sid) is None
    assert await store.load("no-such-session") is None


async def test_a_replaced_keypair_is_kept_sealed_and_counted_sessions_stay(
    store: SessionStore, services: ManagerServices
) -> None:
    owner = await user_id(services)
    sids = [await store.create(a_session(store, owner, secret_key="old-secret")) for _ in range(2)]
    assert await store.count() == 2
    await store.replace_keypair(sids[0], "B" * 20, "new-secret")
    renewed = await store.load(sids[0])
    assert renewed is not None
    assert (renewed.access_key, renewed.secret_key) == ("B" * 20, "new-secret")
    other = await store.load(sids[1])
    assert other is not None and other.secret_key == "old-secret"
    await store.replace_keypair("no-such-session", "C" * 20, "x")  # nothing to switch
    assert await store.count() == 2


def _sqlite_worker_threads() -> set[threading.Thread]:
    return {
        t
        for t in threading.enumerate()
        if getattr(getattr(t, "_target", None), "__name__", "") == "_connection_worker_thread"
    }


async def test_statements_that_arrive_together_share_one_connection_and_close_leaves_none(
    services: ManagerServices, backend: str
) -> None:
    """A service starts its purge and its count together; an aiosqlite connection opened
    twice leaves one unclosed, and its thread keeps the process from exiting."""
    before = _sqlite_worker_threads()
    store = SqlSessionStore(
        services.settings.database_url,
        BoundBox("test-server-secret", "web-session-record"),
        max_age=1000,
        idle_timeout=100,
    )
    assert await asyncio.gather(*(store.count() for _ in range(8))) == [0] * 8
    opened = _sqlite_worker_threads() - before
    assert len(opened) == (1 if backend == "sqlite" else 0)
    await store.close()
    for thread in opened:
        thread.join(timeout=5)
        assert not thread.is_alive()


async def test_stores_whose_clocks_disagree_judge_expiry_on_the_store_s_clock(
    store: SessionStore, services: ManagerServices, kind: str
) -> None:
    """Two webservers an hour apart read the same store: once each has measured the store's
    clock, both see the same time, so a session ends at the same moment for both."""
    other_clock = Clock()
    other_clock.now = store._clock() + 3600  # type: ignore[attr-defined]
    timing = {"max_age": 1000, "idle_timeout": 100, "clock": other_clock}
    box = BoundBox("test-server-secret", "web-session-record")
    other: SessionStore
    if kind == "redis":
        other = RedisSessionStore(require_redis(), box, **timing)
    else:
        other = SqlSessionStore(services.settings.database_url, box, **timing)
    try:
        await store.sync_clock()
        await other.sync_clock()
        assert abs(store.now() - other.now()) < 1.0
        assert abs(store.now() - time.time()) < 1.0  # (the store runs on this machine)
        sid = await store.create(a_session(store, await user_id(services)))
        assert await other.load(sid) is not None  # an hour ahead, it is not over for it
    finally:
        await other.close()
