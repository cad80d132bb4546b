"""A per-client-address ceiling on failed log-ins, above the per-account lockout.

It slows credential stuffing that spreads guesses over many ids.
"""

from __future__ import annotations

from limits import RateLimitItemPerSecond
from limits.aio.storage import Storage

from portico.manager.errors import TooManyFailedLogins
from portico.manager.services.rate_limits import RateLimit


class AddressThrottle:
    def __init__(self, storage: Storage, *, failures: int, window_seconds: int) -> None:
        self._limit = RateLimit(
            storage, RateLimitItemPerSecond(failures, window_seconds), "login-address"
        )

    async def check(self, address: str) -> None:
        if address and not await self._limit.allows(address):
            raise TooManyFailedLogins(retry_after=await self._limit.retry_after(address))

    async def record_failure(self, address: str) -> None:
        if address:
            await self._limit.hit(address)
