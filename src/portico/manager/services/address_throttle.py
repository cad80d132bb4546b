"""A per-client-address ceiling on failed log-ins, above the per-account lock-out.

It slows credential stuffing that spreads guesses over many ids. Like the lock-out, a slot is
reserved atomically before the password is hashed (one counter increment in the `limits`
library's storage: memory, or Redis shared by every manager), so 300 parallel guesses from one
address get at most the ceiling's worth of checks. A successful log-in gives its slot back.
"""

from __future__ import annotations

import math
import time

from limits.aio.storage import Storage

from portico.common.sealing import Pseudonyms
from portico.manager.errors import TooManyFailedLogins


class AddressThrottle:
    def __init__(
        self, storage: Storage, names: Pseudonyms, *, failures: int, window_seconds: int
    ) -> None:
        self._storage = storage
        self._names = names
        self._failures = failures
        self._window = window_seconds

    def _key(self, address: str) -> str:
        return f"login-address/{self._names.of(address)}"

    async def reserve(self, address: str) -> None:
        """Take a slot for one password check, or raise TooManyFailedLogins."""
        if not address:
            return
        key = self._key(address)
        taken = await self._storage.incr(key, self._window)
        if taken > self._failures:
            await self._storage.incr(key, self._window, amount=-1)
            ends = await self._storage.get_expiry(key)
            raise TooManyFailedLogins(retry_after=max(1, math.ceil(ends - time.time())))

    async def release(self, address: str) -> None:
        """The check succeeded (or never ran): the slot was not a failure."""
        if address:
            await self._storage.incr(self._key(address), self._window, amount=-1)
