"""The webserver's in-memory copy of the sessions it read: used only where every ended session
reaches it at once, and then an ended session is refused at once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import delete

from portico.common.change_channel import ChangeChannel
from portico.common.sealing import BoundBox
from portico.db.models import WebSessionRow
from portico.manager.container import ManagerServices
from portico.sessions.sql import SqlSessionStore
from portico.sessions.store import CHANNEL, SessionStore
from tests.support.services import require_redis

Opener = Callable[..., SqlSessionStore]


@pytest.fixture
async def open_store(services: ManagerServices) -> AsyncIterator[Opener]:
    made: list[SessionStore] = []

    def opener(**options: object) -> SqlSessionStore:
        store = SqlSessionStore(
            services.settings.database_url,
            BoundBox("test-server-secret", "web-session-record"),
            max_age=1000,
            idle_timeout=1000,
            cache_seconds=60,
            **options,  # type: ignore[arg-type]
        )
        made.append(store)
        return store

    yield opener
    for store in made:
        await store.close()


async def new_session(store: SessionStore, services: ManagerServices) -> tuple[str, str]:
    created = await services.accounts.create_user(email="c@example.com", password="Zebra-42-quilt")
    owner = str(created.user_id)
    sid = await store.create(
        store.start(
            user_id=owner,
            email="c@example.com",
            role="user",
            status="active",
            access_key="A" * 20,
            secret_key="k",
            manager_token="t",
        )
    )
    return owner, sid


async def remove_rows_behind_its_back(services: ManagerServices) -> None:
    async with services.database.begin() as db:
        await db.execute(delete(WebSessionRow))


async def test_without_a_channel_a_webserver_of_its_own_reads_the_store_every_time(
    open_store: Opener, services: ManagerServices
) -> None:
    store = open_store()
    _, sid = await new_session(store, services)
    assert await store.load(sid) is not None
    await remove_rows_behind_its_back(services)  # another process ended it
    assert await store.load(sid) is None


async def test_in_one_process_the_copy_serves_and_an_ended_session_leaves_it_at_once(
    open_store: Opener, services: ManagerServices
) -> None:
    store = open_store(single_process=True)
    owner, sid = await new_session(store, services)
    assert await store.load(sid) is not None
    await remove_rows_behind_its_back(services)
    # Served from memory: the store was not read (no other process changes it under serve).
    assert await store.load(sid) is not None
    await store.revoke_user(owner)
    assert await store.load(sid) is None


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 2.0) -> float:
    started = time.monotonic()
    while not await check():
        assert time.monotonic() - started < seconds, "not within the time allowed"
        await asyncio.sleep(0.005)
    return time.monotonic() - started


async def test_a_session_ended_by_another_process_is_refused_at_once_through_redis(
    open_store: Opener, services: ManagerServices
) -> None:
    redis_url = require_redis()
    web = open_store(channel=ChangeChannel(redis_url, CHANNEL))
    manager = open_store(channel=ChangeChannel(redis_url, CHANNEL))
    listening = asyncio.create_task(web.listen())
    try:
        owner, sid = await new_session(web, services)
        await eventually(lambda: _listening(web))
        assert await web.load(sid) is not None
        other_sid = await web.create(
            web.start(
                user_id=owner,
                email="c@example.com",
                role="user",
                status="active",
                access_key="A" * 20,
                secret_key="k",
                manager_token="t",
            )
        )
        assert await web.load(other_sid) is not None
        await remove_rows_behind_its_back(services)
        assert await web.load(sid) is not None  # the copy serves while nothing was announced

        await manager.revoke_user(owner)  # e.g. a password reset, in the manager
        took = await eventually(lambda: _gone(web, sid))
        assert took < 1.0  # the copy lives 60 s: the announcement ended it
        assert await web.load(other_sid) is None
    finally:
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)


async def test_while_the_channel_is_down_nothing_is_served_from_memory(
    open_store: Opener, services: ManagerServices
) -> None:
    web = open_store(channel=ChangeChannel(require_redis(), CHANNEL))  # nobody listens
    _, sid = await new_session(web, services)
    assert await web.load(sid) is not None
    await remove_rows_behind_its_back(services)
    assert await web.load(sid) is None


async def _gone(store: SessionStore, sid: str) -> bool:
    return await store.load(sid) is None


async def _listening(store: SessionStore) -> bool:
    return store._channel is not None and store._channel.live
