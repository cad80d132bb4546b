"""Backend.AI-shaped API keypairs: `AKIA` + 16 base32 characters, and a 40-character secret."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

from portico.common.sealing import SecretBox
from portico.db.models import Keypair, User, UserRole


@dataclass(frozen=True)
class NewKeypair:
    access_key: str
    secret_key: str


def generate_keypair() -> NewKeypair:
    access_key = "AKIA" + base64.b32encode(secrets.token_bytes(10)).decode()
    return NewKeypair(access_key=access_key, secret_key=secrets.token_urlsafe(30))


def default_keypair_for(user: User, box: SecretBox) -> tuple[NewKeypair, Keypair]:
    """A new default keypair of `user`: the secret in clear, to show once, and the row to add,
    which holds it sealed."""
    new = generate_keypair()
    row = Keypair(
        access_key=new.access_key,
        secret_key_sealed=box.seal(new.secret_key),
        user_id=user.uuid,
        is_admin=user.role in (UserRole.SUPERADMIN, UserRole.ADMIN),
        is_default=True,
    )
    return new, row
