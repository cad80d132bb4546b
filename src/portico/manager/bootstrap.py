"""First start: an empty database gets one superadmin so that somebody can log in."""

from __future__ import annotations

import secrets

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
    )
    return FIRST_ADMIN_EMAIL, password
