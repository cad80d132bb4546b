"""Fixtures shared by the integration tests that send mail."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from portico.manager.container import ManagerServices
from portico.serving.background import stop
from tests.support.smtp import SmtpServer


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback; `smtp.email_settings()` points portico at it."""
    with SmtpServer() as server:
        yield server


@pytest.fixture
async def sender(services: ManagerServices) -> AsyncIterator[None]:
    """The outbox's sender, running as the manager runs it (polling every 0.1 s)."""
    task = asyncio.create_task(services.outbox.run(poll_seconds=0.1))
    yield
    await stop([task])
