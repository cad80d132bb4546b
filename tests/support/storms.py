"""A storm of requests against a service whose backing service hangs, and the checks every
such test makes: each answer 503 with Retry-After, the slowest one bounded, recovery after."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import httpx


class Pausable(Protocol):
    def pause(self) -> None: ...
    def resume(self) -> None: ...


@dataclass(frozen=True)
class Answer:
    status: int
    retry_after: str
    seconds: float


async def _storm(url: str, path: str, body: dict, count: int, wait: float) -> list[Answer]:
    """`count` POSTs of `body` to `path`, with a readiness probe in every five, all at once."""
    async with httpx.AsyncClient(base_url=url, timeout=wait) as client:

        async def one(i: int) -> Answer:
            started = time.monotonic()
            if i % 5 == 4:
                r = await client.get("/health/readyz")
            else:
                r = await client.post(path, json=body)
            return Answer(
                r.status_code, r.headers.get("retry-after", ""), time.monotonic() - started
            )

        return list(await asyncio.gather(*(one(i) for i in range(count))))


def storm_while_paused(
    server: Pausable, seconds: float, url: str, path: str, body: dict, count: int
) -> list[Answer]:
    """Pause `server` for `seconds` (the whole outage, however fast the answers come) and send
    the storm meanwhile."""
    server.pause()
    paused_at = time.monotonic()
    try:
        return asyncio.run(_storm(url, path, body, count, wait=max(seconds * 2, 60.0)))
    finally:
        time.sleep(max(0.0, seconds - (time.monotonic() - paused_at)))
        server.resume()


def assert_all_shed(answers: list[Answer], within: float) -> None:
    slowest = max(a.seconds for a in answers)
    assert slowest < within, f"slowest answer {slowest:.1f} s, bound {within} s"
    for answer in answers:
        assert answer.status == 503, answers
        assert int(answer.retry_after) > 0


def first_answer_after_503s(
    send: Callable[[], httpx.Response], within: float = 20
) -> httpx.Response:
    """`send` again until it answers anything but 503 (the service is back), or `within` s."""
    deadline = time.monotonic() + within
    while True:
        r = send()
        if r.status_code != 503 or time.monotonic() > deadline:
            return r
        time.sleep(0.5)
