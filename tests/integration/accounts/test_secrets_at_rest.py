"""No table, file or log holds a usable token, and portico's files are private (0700/0600).

A local user who can read the database file must not find a live reset or verification link
in it: the mail's link is kept sealed until delivery and dropped after.
"""

from __future__ import annotations

import email
import email.policy
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from portico.db.models import AuthToken, Base, TokenPurpose
from portico.manager.container import ManagerServices
from tests.conftest import GOOD_PASSWORD


@pytest.fixture
def manager_overrides(tmp_path: Path) -> dict[str, Any]:
    return {
        "signup": {"mode": "open", "email_verification": True},
        "recovery": {"enabled": True},
        "service": {"public_url": "https://console.example.org"},
        "email": {"backend": "file", "file_dir": str(tmp_path / "data" / "mail")},
    }


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def _every_stored_text(services: ManagerServices) -> str:
    """Every value of every column of every table, as text."""
    out = []
    async with services.database() as db:
        for table in Base.metadata.sorted_tables:
            for row in (await db.execute(select(table))).all():
                out.extend(str(value) for value in row)
    return "\n".join(out)


def _tokens_in_mail(mail_dir: Path) -> dict[str, str]:
    """Link parameter -> token, from the delivered mail."""
    found = {}
    for path in sorted(mail_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        found.update(re.findall(r"(token|verification_code)=([\w-]{20,})", text))
    return found


async def test_no_table_holds_a_usable_token_before_or_after_delivery(
    services: ManagerServices, make_account: Any, tmp_path: Path
) -> None:
    await make_account()
    await services.signup.signup(
        email="new@example.com",
        password=GOOD_PASSWORD,
        username=None,
        token=None,
        terms_version="1",
        privacy_version="1",
    )
    await services.recovery.request_change("alice@example.com")
    # Queued, not yet sent: the table holds the message, but not its link.
    queued = await _every_stored_text(services)
    assert "PORTICO_LINK" in queued and "change-password?token=" not in queued
    assert await services.outbox.drain_once() == 2
    mail_dir = tmp_path / "data" / "mail"
    tokens = _tokens_in_mail(mail_dir)
    assert set(tokens) == {"token", "verification_code"}, "the mail carries working links"
    stored = await _every_stored_text(services)
    for token in tokens.values():
        assert token not in queued and token not in stored
    # ... and the links work.
    assert (await services.signup.verify_email(tokens["verification_code"])).status == "active"
    if services.settings.database_url.startswith("sqlite"):
        db_file = Path(services.settings.database_url.split("///", 1)[1])
        raw = b"".join(
            p.read_bytes() for p in db_file.parent.glob(db_file.name + "*") if p.is_file()
        )
        for token in tokens.values():
            assert token.encode() not in raw


async def test_a_reset_link_still_works_after_the_table_was_read(
    services: ManagerServices, make_account: Any, tmp_path: Path
) -> None:
    await make_account()
    await services.recovery.request_change("alice@example.com")
    await services.outbox.drain_once()
    token = _tokens_in_mail(tmp_path / "data" / "mail")["token"]
    await services.recovery.change_password("alice@example.com", "Brand-n3w-secret!", token)
    reset = AuthToken.purpose == TokenPurpose.RESET.value
    async with services.database() as db:
        left = (await db.scalars(select(AuthToken.uses_left).where(reset))).all()
    assert left == [0]


async def test_data_files_are_private(
    services: ManagerServices, make_account: Any, tmp_path: Path
) -> None:
    await make_account()
    await services.recovery.request_change("alice@example.com")
    await services.outbox.drain_once()
    data = tmp_path / "data"
    assert _mode(data) == 0o700
    assert _mode(data / "secret_key") == 0o600
    assert _mode(data / "mail") == 0o700
    mails = list((data / "mail").glob("*.eml"))
    assert mails and all(_mode(m) == 0o600 for m in mails)
    if services.settings.database_url.startswith("sqlite"):
        db_file = Path(services.settings.database_url.split("///", 1)[1])
        files = [p for p in db_file.parent.glob(db_file.name + "*") if p.is_file()]
        assert len(files) >= 2  # the database and its write-ahead log
        assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}


def test_an_existing_world_readable_data_directory_is_tightened(tmp_path: Path) -> None:
    from portico.common.private_files import private_dir

    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    loose.chmod(0o755)
    private_dir(loose)
    assert _mode(loose) == 0o700
