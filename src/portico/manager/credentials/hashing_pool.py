"""Runs password hashing in a bounded pool of worker threads, never on the event loop.

bcrypt releases the GIL, so threads give real parallelism; the bound keeps a flood of log-ins
from starving the process. Every password check goes through `verify`, so a test can count them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from portico.common.metrics import HASH_SECONDS
from portico.manager.credentials.hashers import PasswordHashers
from portico.manager.credentials.password_policy import normalize_password

T = TypeVar("T")


class HashingPool:
    def __init__(self, hashers: PasswordHashers, workers: int = 0) -> None:
        self.hashers = hashers
        self._executor = ThreadPoolExecutor(
            max_workers=workers or os.cpu_count() or 2,
            thread_name_prefix="portico-hash",
            initializer=_lower_priority,
        )

    async def _run(self, fn: Callable[..., T], *args: str | None) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def make(self, password: str) -> str:
        with HASH_SECONDS.labels("make").time():
            return await self._run(self.hashers.make, normalize_password(password))

    async def verify(self, password: str, encoded: str | None) -> bool:
        """Check a password; with no stored hash, pay for one anyway and answer False."""
        with HASH_SECONDS.labels("verify").time():
            return await self._run(self.hashers.verify, normalize_password(password), encoded)

    def must_update(self, password: str, encoded: str) -> bool:
        return self.hashers.must_update(normalize_password(password), encoded)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def _lower_priority() -> None:
    """A storm of log-ins must not starve ordinary requests: hash at a lower CPU priority."""
    # Not Linux, or not permitted: hash at normal priority.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
