"""Hashing tests use real costs: they are about hashing."""

import hashlib
import secrets

import bcrypt
import pytest

from portico.manager.services.hashers import PasswordHashers


@pytest.fixture(scope="module")
def hashers() -> PasswordHashers:
    return PasswordHashers(bcrypt_rounds=12)


def test_new_hashes_are_bcrypt_cost_12(hashers: PasswordHashers) -> None:
    encoded = hashers.make("Corr3ct-h0rse!")
    assert encoded.startswith("$2b$12$")
    assert hashers.verify("Corr3ct-h0rse!", encoded)
    assert not hashers.verify("Corr3ct-h0rse?", encoded)
    assert not hashers.must_update("Corr3ct-h0rse!", encoded)


def test_long_passwords_are_prehashed_not_truncated(hashers: PasswordHashers) -> None:
    long_password = "가" * 30 + "!1a" + "x" * 20  # 90 + 23 bytes, well past bcrypt's 72
    encoded = hashers.make(long_password)
    assert encoded.startswith("bcrypt_sha256$$2b$12$")
    assert hashers.verify(long_password, encoded)
    # A plain bcrypt would ignore everything after byte 72; this one does not.
    assert not hashers.verify(long_password[:-1] + "y", encoded)


def test_a_truncating_bcrypt_hash_never_accepts_a_longer_password() -> None:
    hashers = PasswordHashers(bcrypt_rounds=4)
    seventy_two = "a" * 72
    encoded = bcrypt.hashpw(seventy_two.encode(), bcrypt.gensalt(4)).decode()
    assert hashers.verify(seventy_two, encoded)
    assert not hashers.verify(seventy_two + "tail", encoded)


def test_imported_backendai_bcrypt_2a_verifies() -> None:
    hashers = PasswordHashers(bcrypt_rounds=4)
    encoded = bcrypt.hashpw(b"legacy-Pass1!", bcrypt.gensalt(4, prefix=b"2a")).decode()
    assert encoded.startswith("$2a$")
    assert hashers.verify("legacy-Pass1!", encoded)
    assert hashers.must_update("legacy-Pass1!", encoded) is False  # same cost, readable scheme


def test_imported_backendai_pbkdf2_verifies_and_must_be_replaced() -> None:
    hashers = PasswordHashers(bcrypt_rounds=4)
    salt = secrets.token_bytes(32)
    digest = hashlib.pbkdf2_hmac("sha256", b"legacy-Pass1!", salt, 1000)
    encoded = f"pbkdf2_sha256$1000${salt.hex()}${digest.hex()}"
    assert hashers.verify("legacy-Pass1!", encoded)
    assert not hashers.verify("legacy-Pass2!", encoded)
    assert hashers.must_update("legacy-Pass1!", encoded)


def test_a_different_cost_must_be_updated() -> None:
    encoded = PasswordHashers(bcrypt_rounds=4).make("Corr3ct-h0rse!")
    assert PasswordHashers(bcrypt_rounds=5).must_update("Corr3ct-h0rse!", encoded)


@pytest.mark.parametrize("encoded", ["", "plain", "$2b$garbage", "pbkdf2_sha256$x$y$z", "md5$a$b"])
def test_garbage_hashes_never_verify(encoded: str) -> None:
    hashers = PasswordHashers(bcrypt_rounds=4)
    assert hashers.verify("anything", encoded) is False
