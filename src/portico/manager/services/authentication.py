"""The one password check: every log-in and every re-entry of one's password goes through it.

    client-address ceiling (reserve) -> account lock-out (reserve) -> verify at equal cost
    -> record the outcome

Both reservations are atomic and taken before the hash, so no amount of concurrency gets more
password checks than the limits allow. A missing account is checked like an existing one
(the hashers pay for a hash either way), so the answer and its timing tell nothing.
"""

from __future__ import annotations

from typing import Literal

from portico.db.models import User
from portico.manager.errors import InvalidCredentials, TooManyFailedLogins
from portico.manager.services.address_throttle import AddressThrottle
from portico.manager.services.hashing_pool import HashingPool
from portico.manager.services.lockout import LoginLockout

LockoutScope = Literal["account", "account_and_address"]
# A failed log-in says how many attempts remain once this few (or fewer) are left.
WARN_WHEN_LEFT = 3


def lockout_key(user: User | None, normalized_id: str) -> str:
    """An account's e-mail and user name share one counter; unknown ids get their own."""
    return f"user:{user.uuid}" if user is not None else f"id:{normalized_id}"


class PasswordCheck:
    def __init__(
        self,
        pool: HashingPool,
        lockout: LoginLockout,
        throttle: AddressThrottle,
        *,
        scope: LockoutScope = "account",
    ) -> None:
        self.pool = pool
        self.lockout = lockout
        self.throttle = throttle
        self.scope = scope

    def _counter(self, user: User | None, normalized_id: str, client_address: str) -> str:
        key = lockout_key(user, normalized_id)
        if self.scope == "account_and_address":
            # A stranger's failures block the account only from the stranger's address.
            return f"{key}|{client_address}"
        return key

    async def check(
        self, user: User | None, normalized_id: str, password: str, client_address: str
    ) -> None:
        """Raise TooManyFailedLogins or InvalidCredentials; return when the password is right."""
        counter = self._counter(user, normalized_id, client_address)
        await self.throttle.reserve(client_address)
        try:
            attempt = await self.lockout.reserve(counter)
        except TooManyFailedLogins:
            await self.throttle.release(client_address)  # refused unchecked: not a failure
            raise
        if not await self.pool.verify(password, user.password if user is not None else None):
            blocked = await self.lockout.record_failure(counter)
            left = self.lockout.allowed_failures - attempt
            raise InvalidCredentials(left if 0 < left <= WARN_WHEN_LEFT else None, blocked=blocked)
        await self.throttle.release(client_address)
        await self.lockout.record_success(counter)

    async def unlock(self, user: User | None, normalized_id: str) -> None:
        """Lift the block: an administrator's unlock, or a completed password reset."""
        await self.lockout.clear_all(lockout_key(user, normalized_id))
