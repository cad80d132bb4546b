"""The lockout's arithmetic, on the real databases, with a fake clock."""

from __future__ import annotations

import asyncio

import pytest

from portico.manager.container import ManagerServices
from portico.manager.credentials.lockout import LoginLockout
from portico.manager.errors import TooManyFailedLogins


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def lockout(services: ManagerServices, clock: Clock) -> LoginLockout:
    return LoginLockout(services.database, allowed_failures=3, block_seconds=100, clock=clock)


async def fail(lockout: LoginLockout, key: str = "user:x") -> None:
    await lockout.reserve(key)
    await lockout.record_failure(key)


async def test_the_failure_that_fills_the_quota_blocks(lockout: LoginLockout, clock: Clock) -> None:
    for _ in range(3):
        await fail(lockout)
    with pytest.raises(TooManyFailedLogins) as info:
        await lockout.reserve("user:x")
    assert info.value.retry_after == 100


async def test_the_block_is_fixed_attempts_do_not_extend_it(
    lockout: LoginLockout, clock: Clock
) -> None:
    for _ in range(3):
        await fail(lockout)
    for elapsed in (10, 50, 99):
        clock.now += elapsed - (clock.now - 1_000_000.0)
        with pytest.raises(TooManyFailedLogins) as info:
            await lockout.reserve("user:x")
        assert info.value.retry_after == 100 - elapsed
    clock.now = 1_000_000.0 + 100
    await lockout.reserve("user:x")  # the block ended exactly when it said it would


async def test_after_the_block_the_count_starts_again(lockout: LoginLockout, clock: Clock) -> None:
    for _ in range(3):
        await fail(lockout)
    clock.now += 100
    await fail(lockout)  # one failure after the block is one failure, not a new block
    await lockout.reserve("user:x")


async def test_success_resets_the_count(lockout: LoginLockout) -> None:
    await fail(lockout)
    await fail(lockout)
    await lockout.reserve("user:x")
    await lockout.record_success("user:x")
    await fail(lockout)
    await fail(lockout)
    await lockout.reserve("user:x")  # 2 failures since the success: still allowed


async def test_failures_spread_wider_than_the_block_time_are_not_consecutive(
    lockout: LoginLockout, clock: Clock
) -> None:
    for _ in range(5):
        await fail(lockout)
        clock.now += 101
    await lockout.reserve("user:x")


async def test_an_admin_clear_lifts_a_block(lockout: LoginLockout) -> None:
    for _ in range(3):
        await fail(lockout)
    await lockout.clear("user:x")
    await lockout.reserve("user:x")


async def test_keys_are_independent(lockout: LoginLockout) -> None:
    for _ in range(3):
        await fail(lockout, "id:nobody@example.com")
    with pytest.raises(TooManyFailedLogins):
        await lockout.reserve("id:nobody@example.com")
    await lockout.reserve("user:x")


async def test_concurrent_reservations_never_exceed_the_quota(lockout: LoginLockout) -> None:
    results = await asyncio.gather(
        *(lockout.reserve("user:race") for _ in range(40)), return_exceptions=True
    )
    granted = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, TooManyFailedLogins)]
    assert sorted(granted) == [1, 2, 3]  # each granted check knows its place in the streak
    assert len(refused) == 37


async def test_purge_forgets_only_finished_counters(lockout: LoginLockout, clock: Clock) -> None:
    await fail(lockout, "id:old")
    for _ in range(3):
        await fail(lockout, "id:blocked")
    clock.now += 100.5
    await fail(lockout, "id:recent")
    assert await lockout.purge() == 2  # "old" and the now-finished "blocked"
    await fail(lockout, "id:recent")
    await fail(lockout, "id:recent")
    with pytest.raises(TooManyFailedLogins):
        await lockout.reserve("id:recent")  # its count survived the purge
