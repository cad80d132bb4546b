"""The one password check: every log-in and every re-entry of one's password goes through it.

    client-address ceiling (reserve) -> account lock-out (reserve) -> verify at equal cost
    -> the second factor's code, when the account has one -> record the outcome

A wrong code counts like a wrong password, and a missing one keeps its attempt counted until a
log-in succeeds: knowing the password buys no more code guesses than the lock-out allows.
Second-factor failures always count against the account alone (NIST SP 800-63B 5.2.2): with
`lockout_scope = "account_and_address"` the password step is counted per address, but the code
step reserves a slot on the account's own counter, so a thousand addresses get no more code
guesses than one. That counter is read before the hash too, so a blocked account answers 429
whatever the password, and the block tells nothing about it.

Both reservations are atomic and taken before the hash, so no amount of concurrency gets more
password checks than the limits allow. A missing account is checked like an existing one
(the hashers pay for a hash either way), so the answer and its timing tell nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Literal

from portico.db.models import User
from portico.manager.credentials.hashing_pool import HashingPool
from portico.manager.credentials.lockout import LoginLockout
from portico.manager.errors import (
    DomainError,
    InvalidCredentials,
    InvalidOtp,
    OtpRequired,
    TooManyFailedLogins,
)
from portico.manager.services.address_throttle import AddressThrottle
from portico.serving.background import TaskSet

log = logging.getLogger(__name__)
LockoutScope = Literal["account", "account_and_address"]
# Checks the second factor once the password was right; raises OtpRequired or InvalidOtp.
SecondFactor = Callable[[], Awaitable[None]]
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
        self._returning = TaskSet()

    def _counter(self, user: User | None, normalized_id: str, client_address: str) -> str:
        key = lockout_key(user, normalized_id)
        if self.scope == "account_and_address":
            # A stranger's failures block the account only from the stranger's address.
            return f"{key}|{client_address}"
        return key

    async def check_code(self, user: User, second_factor: SecondFactor) -> None:
        """A second factor alone (a step-up with a code): counted on the account's counter,
        reserved before the check like a password. Raises TooManyFailedLogins or InvalidOtp."""
        key = lockout_key(user, "")
        await self.lockout.reserve(key)
        try:
            await second_factor()
        except (InvalidOtp, OtpRequired):
            blocked = await self.lockout.record_failure(key)
            raise InvalidOtp(blocked=blocked) from None
        await self.lockout.record_success(key)

    async def check(
        self,
        user: User | None,
        normalized_id: str,
        password: str,
        client_address: str,
        *,
        second_factor: SecondFactor | None = None,
    ) -> None:
        """Raise TooManyFailedLogins, InvalidCredentials (InvalidOtp for a wrong code) or
        OtpRequired; return when the password (and the code, where one is needed) is right."""
        counter = self._counter(user, normalized_id, client_address)
        account = lockout_key(user, normalized_id)  # where second-factor failures count
        await self.throttle.reserve(client_address)
        try:
            if account != counter:
                # Blocked by wrong codes: refused before the hash, whatever the password.
                await self.lockout.ensure_open(account)
            attempt = await self.lockout.reserve(counter)
        except TooManyFailedLogins:
            await self.throttle.release(client_address)  # refused unchecked: not a failure
            raise
        left = self.lockout.allowed_failures - attempt
        warn = left if 0 < left <= WARN_WHEN_LEFT else None
        try:
            right = await self.pool.verify(password, user.password if user is not None else None)
        except BaseException:
            # Timed out or cancelled while queued for the hash: not a guess.
            self._return_slot(counter, client_address)
            raise
        if not right:
            blocked = await self.lockout.record_failure(counter)
            raise InvalidCredentials(warn, blocked=blocked)
        try:
            if second_factor is not None:
                await self._second_factor(second_factor, counter, account, client_address, warn)
        except DomainError:
            raise  # an outcome, counted where it belongs
        except BaseException:
            self._return_slot(counter, client_address)  # the password was right
            raise
        await self.throttle.release(client_address)
        await self.lockout.record_success(counter)

    def _return_slot(self, counter: str, client_address: str) -> None:
        """Give back the slots of a check that did not finish, in the background: the request
        that took them is being cancelled, and the database may be slow to answer."""

        async def give_back() -> None:
            try:
                await self.lockout.give_back(counter)
                await self.throttle.release(client_address)
            except Exception:
                log.warning("the slot of an unfinished log-in could not be given back")

        self._returning.spawn(give_back())

    async def settle(self) -> None:
        """Wait for slots being given back (tests, shutdown)."""
        await self._returning.settle()

    async def _second_factor(
        self,
        second_factor: SecondFactor,
        counter: str,
        account: str,
        client_address: str,
        warn: int | None,
    ) -> None:
        """The code step of a log-in whose password was right. On the account's own counter:
        the password's slot when the scope is the account, a slot of its own otherwise."""
        if account != counter:
            try:
                attempt = await self.lockout.reserve(account)
            except TooManyFailedLogins:
                await self.throttle.release(client_address)
                raise
            left = self.lockout.allowed_failures - attempt
            warn = left if 0 < left <= WARN_WHEN_LEFT else None
        try:
            await second_factor()
        except OtpRequired:
            # The password was right, so no guess of this address's; the attempt stays
            # counted on the account until a log-in succeeds.
            await self.throttle.release(client_address)
            await self.lockout.record_failure(account)
            raise
        except InvalidOtp:
            blocked = await self.lockout.record_failure(account)
            raise InvalidOtp(warn, blocked=blocked) from None
        if account != counter:
            await self.lockout.record_success(account)

    async def unlock(self, user: User | None, normalized_id: str) -> None:
        """Lift the block: an administrator's unlock, or a completed password reset."""
        await self.lockout.clear_all(lockout_key(user, normalized_id))
