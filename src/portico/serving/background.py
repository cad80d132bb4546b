"""Background loops of a service: repeat a step, log its failures, stop when cancelled.

Every loop of the manager and the webserver (outbox, purges, the local agent) runs through
`repeat`, and their owner stops them with `stop`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any

log = logging.getLogger(__name__)

STOP_SECONDS = 10.0


async def repeat(
    step: Callable[[], Awaitable[object]],
    pause: Callable[[], Awaitable[object]],
    *,
    what: str,
) -> None:
    """Run `step`, then `pause`, forever. A failing step is logged and tried again later."""
    while True:
        try:
            await step()
        except Exception:  # an outage or a bad row must not end the loop
            log.exception("%s failed", what)
        _stop_if_cancelled()
        await pause()


def _stop_if_cancelled() -> None:
    # On Python 3.11 asyncio.wait_for returns normally when its awaitable finishes in the same
    # step as a cancellation, so a library using it (aiosmtplib does) can swallow ours. A
    # cancellation that was requested still ends the loop.
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def wait_or_timeout(event: asyncio.Event, seconds: float) -> None:
    """Wait until `event` is set or `seconds` pass, whichever comes first."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()


class TaskSet:
    """Work a request starts and does not wait for (bookkeeping after its answer), kept
    referenced until it ends, and waited for at shutdown and in tests."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self) -> None:
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


async def stop(tasks: Iterable[asyncio.Task[None]], seconds: float = STOP_SECONDS) -> None:
    """Cancel `tasks` and wait for them to finish, at most `seconds`."""
    pending = [task for task in tasks if not task.done()]
    for task in pending:
        task.cancel()
    if not pending:
        return
    _, stuck = await asyncio.wait(pending, timeout=seconds)
    for task in stuck:
        log.error("background task %s did not stop within %.0f s", task.get_name(), seconds)
