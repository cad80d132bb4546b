"""First start: an empty database gets one superadmin so that somebody can log in."""

from __future__ import annotations

import logging
import secrets
import sys
from pathlib import Path

from portico.common.private_files import write_private
from portico.db.models import UserRole
from portico.manager.services.accounts import AccountService

FIRST_ADMIN_EMAIL = "admin@portico.local"


def random_password() -> str:
    # 4 groups of random url-safe text, a digit and a symbol: passes either policy mode.
    return "-".join(secrets.token_urlsafe(6) for _ in range(4)) + "-7!"


async def ensure_first_superadmin(accounts: AccountService) -> tuple[str, str] | None:
    """Create the superadmin when there is no account at all; return (e-mail, password)."""
    if await accounts.list_users():
        return None
    password = random_password()
    await accounts.create_user(
        email=FIRST_ADMIN_EMAIL,
        username="admin",
        password=password,
        role=UserRole.SUPERADMIN.value,
        # A password that sat in a file and on a terminal: nothing works until it is changed.
        need_password_change=True,
    )
    return FIRST_ADMIN_EMAIL, password


def hand_over_first_password(email: str, password: str, data_dir: Path) -> None:
    """Give the operator the first password without putting it in the service's log: it goes to
    a 0600 file in the data directory, and to the terminal only when a person is watching."""
    path = data_dir / "first-superadmin-password"
    path.unlink(missing_ok=True)
    write_private(path, f"{email}\n{password}\n".encode())
    if not sys.stderr.isatty():
        # A log, not a person: one line in the log's own format, and never the password.
        logging.getLogger("portico").warning(
            "created the first superadmin %s; its password is in %s (readable by this user "
            "only): log in, choose a new password, then delete that file",
            email,
            path,
        )
        return
    print(
        f"\nportico: created the first superadmin\n"
        f"    e-mail:   {email}\n    password: {password}\n"
        f"The password is in {path} (readable by this user only). Log in: the console asks "
        "for a new password first. Then delete that file.\n",
        file=sys.stderr,
        flush=True,
    )
