"""Secrets at rest: values sealed with a key derived from the server secret, and the one hash
under which random tokens (session ids, e-mailed tokens, agent tokens) are stored."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from portico.common.private_files import private_dir


def token_hash(token: str) -> str:
    """How a random token is stored: a copy of the table does not yield usable tokens. Plain
    SHA-256 is enough, since the tokens carry 256 random bits (nothing to guess)."""
    return hashlib.sha256(token.encode()).hexdigest()


def derived_key(server_secret: str, purpose: str) -> bytes:
    """32 bytes for one purpose, derived from the server secret (HKDF-SHA256)."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"portico:{purpose}".encode()
    ).derive(server_secret.encode())


class Pseudonyms:
    """Keyed stand-ins for personal values that name counters in a shared store (the rate
    limits in Redis): one value always gives the same name, and whoever reads the store finds
    neither the e-mail address nor the client address, nor a plain hash to look up."""

    def __init__(self, server_secret: str, purpose: str) -> None:
        self._key = derived_key(server_secret, purpose)

    def of(self, value: str) -> str:
        return hmac.new(self._key, value.encode(), hashlib.sha256).hexdigest()[:32]


class SealBroken(Exception):
    """A sealed value could not be opened: wrong server key or tampered data."""


class SecretBox:
    """Authenticated encryption of short secrets; one purpose string per use keeps keys apart."""

    def __init__(self, server_secret: str, purpose: str) -> None:
        self._fernet = Fernet(base64.urlsafe_b64encode(derived_key(server_secret, purpose)))

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise SealBroken("sealed value does not open with this server key") from exc


class BoundBox:
    """Authenticated encryption of a record tied to the name it is stored under.

    The name is associated data (AES-GCM): a sealed record copied under another name, or
    edited in any byte, does not open. A store that can be written by others (Redis) then
    cannot be used to mint a record for an id of the writer's choosing."""

    _NONCE = 12

    def __init__(self, server_secret: str, purpose: str) -> None:
        self._aead = AESGCM(derived_key(server_secret, purpose))

    def seal(self, plaintext: str, name: str) -> str:
        nonce = os.urandom(self._NONCE)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), name.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, sealed: str, name: str) -> str:
        try:
            raw = base64.urlsafe_b64decode(sealed.encode())
            nonce, body = raw[: self._NONCE], raw[self._NONCE :]
            return self._aead.decrypt(nonce, body, name.encode()).decode()
        except (InvalidTag, ValueError) as exc:
            raise SealBroken("sealed record does not open under this name and key") from exc


def load_or_create_server_secret(configured: str, data_dir: Path) -> str:
    """The configured [security] secret_key, or one generated once into the data directory."""
    if configured:
        return configured
    path = private_dir(data_dir) / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    value = secrets.token_urlsafe(48)
    # O_EXCL: when two processes start together, exactly one writes and both read the same key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    return value
