"""Backend.AI-shaped API keypairs: `AKIA` + 16 base32 characters, and a 40-character secret."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class NewKeypair:
    access_key: str
    secret_key: str


def generate_keypair() -> NewKeypair:
    access_key = "AKIA" + base64.b32encode(secrets.token_bytes(10)).decode()
    return NewKeypair(access_key=access_key, secret_key=secrets.token_urlsafe(30))
