"""A small in-process cache whose entries live a few seconds and can be forgotten at once.

It saves a store round trip on hot paths (verified API keys in the manager, browser sessions
in the webserver). `generation` closes the race between a lookup and a change: a lookup notes
the generation before it reads the store and `put` drops what it read if anything was
forgotten meanwhile, so a stale value never lands after the change that made it stale.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class ExpiringCache(Generic[V]):
    def __init__(
        self,
        ttl_seconds: float,
        *,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, V]] = OrderedDict()
        self._generation = 0

    @property
    def generation(self) -> int:
        return self._generation

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> V | None:
        found = self._entries.get(key)
        if found is None:
            return None
        expires_at, value = found
        if self._clock() >= expires_at:
            del self._entries[key]
            return None
        return value

    def put(self, key: str, value: V, generation: int) -> None:
        """Store what a lookup read, unless something was forgotten since it began."""
        if self.ttl <= 0 or generation != self._generation:
            return
        self._entries[key] = (self._clock() + self.ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def forget(self, matches: Callable[[str, V], bool]) -> None:
        """Drop every entry for which `matches(key, value)` holds."""
        self._generation += 1
        for key in [k for k, (_, v) in self._entries.items() if matches(k, v)]:
            del self._entries[key]

    def clear(self) -> None:
        self._generation += 1
        self._entries.clear()
