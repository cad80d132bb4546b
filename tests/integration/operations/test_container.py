"""The manager's services are built and closed in one place: a build that fails half-way
closes what it had opened, and `close` closes everything (engine, hashing threads, Redis
connections), counted as this process's open files and threads."""

from __future__ import annotations

import gc
import os
import threading
from pathlib import Path

import pytest

from portico.config import ConfigError
from portico.db.migrate import upgrade_database
from portico.manager.container import build_services
from tests.conftest import make_settings
from tests.support.services import require_redis


def _open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def _held() -> tuple[int, int]:
    gc.collect()
    return _open_files(), threading.active_count()


async def test_a_build_that_fails_half_way_leaves_nothing_open(tmp_path: Path, db_url: str) -> None:
    # Redis sessions without a Redis: the session store is made after the engine, the
    # hashing pool and the rate-limit storage, and fails.
    settings = make_settings(tmp_path, db_url, session={"store": "redis"})
    await upgrade_database(settings.database_url)
    before = _held()
    with pytest.raises(ConfigError, match=r"redis\.url"):
        await build_services(settings, migrate=False)
    assert _held() == before


async def test_close_closes_what_a_build_opened_with_redis(tmp_path: Path, db_url: str) -> None:
    redis_url = require_redis()
    settings = make_settings(tmp_path, db_url, redis={"url": redis_url}, session={"store": "redis"})
    await upgrade_database(settings.database_url)
    before = _held()
    services = await build_services(settings, migrate=False)
    # Use what holds connections, so that there is something to close.
    await services.password_checks.take("203.0.113.9")
    async with services.engine.connect():
        pass
    await services.pool.make("Corr3ct-h0rse!")  # (starts the hashing threads)
    await services.browser_sessions.list_user("nobody")
    await services.close()
    assert _held() == before
