"""Password hashers, one per scheme, recognised by the prefix of the stored string.

New hashes are plain bcrypt (`$2b$`), readable by Backend.AI itself. bcrypt only looks at 72
bytes, so longer passwords are first reduced with SHA-256 under the distinct `bcrypt_sha256$`
scheme: nothing is rejected and nothing is truncated. Backend.AI's PBKDF2 hashes
(`pbkdf2_sha256$rounds$salthex$hashhex`) verify and are replaced at the next log-in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from abc import ABC, abstractmethod

import bcrypt

BCRYPT_MAX_BYTES = 72


class Hasher(ABC):
    @abstractmethod
    def owns(self, encoded: str) -> bool: ...

    @abstractmethod
    def verify(self, password: str, encoded: str) -> bool: ...

    def must_update(self, encoded: str) -> bool:
        return True


class BcryptHasher(Hasher):
    def __init__(self, rounds: int) -> None:
        self.rounds = rounds

    def owns(self, encoded: str) -> bool:
        return encoded.startswith(("$2a$", "$2b$", "$2y$"))

    def encode(self, password: str) -> str:
        return bcrypt.hashpw(password.encode(), bcrypt.gensalt(self.rounds)).decode()

    def verify(self, password: str, encoded: str) -> bool:
        secret = password.encode()
        if len(secret) > BCRYPT_MAX_BYTES:
            # Another implementation may have truncated; a plain bcrypt hash never matches more.
            # Still pay this hash's cost, or a long guess would show the scheme by its speed.
            secret = secret[:BCRYPT_MAX_BYTES]
            self._checkpw(secret, encoded)
            return False
        return self._checkpw(secret, encoded)

    @staticmethod
    def _checkpw(secret: bytes, encoded: str) -> bool:
        try:
            return bcrypt.checkpw(secret, encoded.encode())
        except ValueError:
            return False

    def must_update(self, encoded: str) -> bool:
        return _bcrypt_rounds(encoded) != self.rounds


class BcryptSha256Hasher(Hasher):
    prefix = "bcrypt_sha256$"

    def __init__(self, rounds: int) -> None:
        self.rounds = rounds

    def owns(self, encoded: str) -> bool:
        return encoded.startswith(self.prefix)

    @staticmethod
    def _reduce(password: str) -> bytes:
        # base64 keeps NUL bytes out of bcrypt's input, 44 bytes fit in its 72.
        return base64.b64encode(hashlib.sha256(password.encode()).digest())

    def encode(self, password: str) -> str:
        digest = bcrypt.hashpw(self._reduce(password), bcrypt.gensalt(self.rounds))
        return self.prefix + digest.decode()

    def verify(self, password: str, encoded: str) -> bool:
        try:
            return bcrypt.checkpw(self._reduce(password), encoded[len(self.prefix) :].encode())
        except ValueError:
            return False

    def must_update(self, encoded: str) -> bool:
        return _bcrypt_rounds(encoded[len(self.prefix) :]) != self.rounds


class Pbkdf2Hasher(Hasher):
    """Backend.AI 25.8+: `<algorithm>$<rounds>$<salt hex>$<hash hex>`; verified, never written."""

    algorithms = {"pbkdf2_sha256": "sha256", "pbkdf2_sha3_256": "sha3_256"}

    def owns(self, encoded: str) -> bool:
        return encoded.split("$", 1)[0] in self.algorithms

    def verify(self, password: str, encoded: str) -> bool:
        try:
            algorithm, rounds, salt_hex, hash_hex = encoded.split("$")
            digest = hashlib.pbkdf2_hmac(
                self.algorithms[algorithm], password.encode(), bytes.fromhex(salt_hex), int(rounds)
            )
        except (ValueError, KeyError):
            return False
        return hmac.compare_digest(digest.hex().encode(), hash_hex.lower().encode())


def _bcrypt_rounds(encoded: str) -> int:
    try:
        return int(encoded.split("$")[2])
    except (IndexError, ValueError):
        return -1


class PasswordHashers:
    """Makes new hashes with the configured cost and verifies every known scheme.

    Every `verify` that answers False costs what a wrong password against a fresh hash costs
    (Django's `harden_runtime` idea), whatever the stored value: none (a missing account), an
    unknown scheme, a cheaper imported scheme, or a guess too long for plain bcrypt. So neither
    the answer nor its timing tells which it was.
    """

    def __init__(self, bcrypt_rounds: int) -> None:
        self._bcrypt = BcryptHasher(bcrypt_rounds)
        self._long = BcryptSha256Hasher(bcrypt_rounds)
        self._schemes: list[Hasher] = [self._bcrypt, self._long, Pbkdf2Hasher()]
        # What a stored value that cannot be checked is checked against instead.
        self._dummy = self._bcrypt.encode("portico-dummy-password")
        started = time.perf_counter()
        self._bcrypt.verify("portico-wrong-password", self._dummy)
        self._reference_seconds = time.perf_counter() - started

    def make(self, password: str) -> str:
        if len(password.encode()) > BCRYPT_MAX_BYTES:
            return self._long.encode(password)
        return self._bcrypt.encode(password)

    def _scheme(self, encoded: str) -> Hasher | None:
        return next((h for h in self._schemes if h.owns(encoded)), None)

    def verify(self, password: str, encoded: str | None) -> bool:
        started = time.perf_counter()
        scheme = self._scheme(encoded) if encoded else None
        if scheme is None or encoded is None:
            self._bcrypt.verify(password, self._dummy)
            return False
        if scheme.verify(password, encoded):
            return True
        # A cheaper scheme (imported PBKDF2) answers as late as a bcrypt hash would.
        time.sleep(max(0.0, self._reference_seconds - (time.perf_counter() - started)))
        return False

    def must_update(self, password: str, encoded: str) -> bool:
        """True when the stored hash is of another scheme or cost than `make` would produce."""
        scheme = self._scheme(encoded)
        if scheme is None:
            return True
        wanted = self._long if len(password.encode()) > BCRYPT_MAX_BYTES else self._bcrypt
        return scheme is not wanted or scheme.must_update(encoded)
