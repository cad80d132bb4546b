"""One clock for every replica: the database's.

Block ends, token and step-up expiries are written by one manager and compared by another. If
each used its own clock, a manager an hour ahead would find every block over (and its
successful log-in then lifted the block everywhere). So every manager keeps the offset of the
database's clock from its own, measured at start and every `SYNC_SECONDS`, and every such
comparison uses its own time corrected by that offset. A manager whose clock is off by more
than `[manager] max_clock_skew` says so and is not ready: other things (logs, signatures it
makes, the webserver's sessions) still run on its own clock.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # (the webserver reads SYNC_SECONDS and does without SQLAlchemy)
    from sqlalchemy.ext.asyncio import AsyncEngine

from portico.common.server_clock import ServerClock

log = logging.getLogger(__name__)

SYNC_SECONDS = 30.0  # how often a manager (and a webserver's session store) measures again
_NOW = {
    "postgresql": "SELECT extract(epoch from clock_timestamp())",
    "sqlite": "SELECT (julianday('now') - 2440587.5) * 86400.0",
}


class DatabaseClock(ServerClock):
    """Callable like time.time, but on the database's clock (to within a round trip)."""

    def __init__(self, max_skew: float) -> None:
        super().__init__()
        self.max_skew = max_skew

    def now(self) -> datetime:
        return datetime.fromtimestamp(self(), UTC)

    @property
    def skewed(self) -> bool:
        return abs(self.offset) > self.max_skew

    async def sync(self, engine: AsyncEngine) -> float:
        """Measure the offset again; say so when it passes max_skew, or comes back within it."""
        from sqlalchemy import text

        query = text(_NOW.get(engine.dialect.name, _NOW["postgresql"]))

        async def database_time() -> float:
            async with engine.connect() as conn:
                return float((await conn.execute(query)).scalar_one())

        was_skewed = self.skewed
        offset = await self.measure(database_time)
        if self.skewed and not was_skewed:
            log.error(
                "this machine's clock is %+.1f s off the database's (more than [manager] "
                "max_clock_skew = %g s): not ready until it is set right",
                -offset,
                self.max_skew,
            )
        elif was_skewed and not self.skewed:
            log.info("this machine's clock agrees with the database's again")
        return offset
