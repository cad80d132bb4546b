"""Asking for a reset or verification link does the same database work for every address:
an address without an eligible account gets a revoked token and a message that is never sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from portico.db.models import AuthToken, OutboxMessage
from portico.manager.container import ManagerServices


@pytest.fixture
def manager_overrides(tmp_path: Path) -> dict[str, Any]:
    return {
        "signup": {"mode": "open", "email_verification": True},
        "recovery": {"enabled": True},
        "email": {"backend": "file", "file_dir": str(tmp_path / "mail")},
    }


async def _rows(services: ManagerServices) -> tuple[int, int]:
    async with services.database() as db:
        tokens = await db.scalar(select(func.count()).select_from(AuthToken))
        mails = await db.scalar(select(func.count()).select_from(OutboxMessage))
    return int(tokens or 0), int(mails or 0)


async def test_reset_and_resend_write_alike_for_every_address(
    services: ManagerServices, make_account: Any, tmp_path: Path
) -> None:
    await make_account()  # alice@example.com, active
    await services.signup.signup(
        email="unverified@example.com",
        password="Corr3ct-h0rse!",
        username=None,
        token=None,
        terms_version="1",
        privacy_version="1",
    )
    before = await _rows(services)
    for request in (
        services.recovery.request_change,
        services.signup.resend_verification,
    ):
        counts = []
        for address in ("alice@example.com", "unverified@example.com", "nobody@example.com"):
            start = await _rows(services)
            await request(address, client_address=f"192.0.2.{len(counts) + 1}")
            end = await _rows(services)
            counts.append((end[0] - start[0], end[1] - start[1]))
        assert counts == [(1, 1)] * 3, (request.__name__, counts)
    assert await _rows(services) == (before[0] + 6, before[1] + 6)

    sent = await services.outbox.drain_once(batch=50)
    mailed = sorted(p.read_text(errors="replace") for p in (tmp_path / "mail").glob("*.eml"))
    # Delivered: the sign-up's verification, resets for alice and the unverified account, and
    # the resend for the unverified account; nothing for the address without an account.
    assert sent == len(mailed) == 4
    assert not any("nobody@example.com" in m for m in mailed)
    async with services.database() as db:
        decoys = (
            await db.scalars(select(AuthToken).where(AuthToken.email == "nobody@example.com"))
        ).all()
    assert len(decoys) == 2 and all(t.revoked_at is not None and t.user_id is None for t in decoys)
