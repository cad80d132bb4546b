"""Background loops go on after a failure and stop when cancelled, even if a step swallowed it."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from portico.serving.background import repeat, stop, wait_or_timeout


async def test_a_failing_step_is_logged_and_tried_again(caplog: pytest.LogCaptureFixture) -> None:
    calls = 0
    third = asyncio.Event()

    async def step() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OSError("database unreachable")
        if calls == 3:
            third.set()

    task = asyncio.create_task(repeat(step, lambda: asyncio.sleep(0), what="purging"))
    await asyncio.wait_for(third.wait(), timeout=5)
    await stop([task])
    assert task.cancelled()
    assert "purging failed" in caplog.text
    assert "database unreachable" in caplog.text


async def test_the_loop_stops_even_when_a_step_swallows_the_cancellation() -> None:
    started = asyncio.Event()

    async def step() -> None:
        started.set()
        # What asyncio.wait_for does on Python 3.11 when its result races the cancellation.
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(30)

    task = asyncio.create_task(repeat(step, lambda: asyncio.sleep(0), what="sending"))
    await started.wait()
    await stop([task], seconds=2)
    assert task.cancelled()


async def test_wait_or_timeout_returns_on_the_event_or_after_the_time() -> None:
    event = asyncio.Event()
    await wait_or_timeout(event, 0.01)  # nothing set: returns after the timeout
    event.set()
    await asyncio.wait_for(wait_or_timeout(event, 30), timeout=1)


async def test_stop_gives_up_on_a_task_that_will_not_end(caplog: pytest.LogCaptureFixture) -> None:
    release = asyncio.Event()

    async def stubborn() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            await release.wait()  # finishes its own business first

    task = asyncio.create_task(stubborn(), name="stubborn")
    await asyncio.sleep(0)
    await stop([task], seconds=0.05)
    assert not task.done()
    assert "stubborn did not stop" in caplog.text
    release.set()
    await task
