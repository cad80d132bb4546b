"""Hashing tests use real costs: they are about hashing."""

import hashlib
import secrets

import bcrypt
import pytest

from portico.manager.credentials.hashers import PasswordHashers


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


# -- every wrong answer costs the same -----------------------------------------------------------

SHORT_GUESS = "Wr0ng-guess!"
LONG_GUESS = "Wr0ng-guess!" * 8  # 96 bytes: past plain bcrypt's 72


def _stored_shapes(hashers: PasswordHashers) -> dict[str, str | None]:
    salt = secrets.token_bytes(16)
    pbkdf2 = hashlib.pbkdf2_hmac("sha256", b"Corr3ct-h0rse!", salt, 100_000).hex()
    return {
        "bcrypt, short guess": hashers.make("Corr3ct-h0rse!"),
        "bcrypt, >72-byte guess": hashers.make("Corr3ct-h0rse!"),
        "bcrypt_sha256 (long password)": hashers.make("Corr3ct-h0rse!" * 8),
        "imported PBKDF2": f"pbkdf2_sha256$100000${salt.hex()}${pbkdf2}",
        "unknown scheme": "md5$abc$def",
        "missing account": None,
    }


def test_every_wrong_answer_pays_exactly_one_hash(
    hashers: PasswordHashers, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real_checkpw, real_pbkdf2 = bcrypt.checkpw, hashlib.pbkdf2_hmac

    def counting_checkpw(*args: object) -> bool:
        calls.append("bcrypt")
        return real_checkpw(*args)  # type: ignore[arg-type]

    def counting_pbkdf2(*args: object) -> bytes:
        calls.append("pbkdf2")
        return real_pbkdf2(*args)  # type: ignore[arg-type]

    shapes = _stored_shapes(hashers)
    monkeypatch.setattr(bcrypt, "checkpw", counting_checkpw)
    monkeypatch.setattr(hashlib, "pbkdf2_hmac", counting_pbkdf2)
    for shape, stored in shapes.items():
        calls.clear()
        guess = LONG_GUESS if ">72" in shape else SHORT_GUESS
        assert hashers.verify(guess, stored) is False, shape
        assert len(calls) == 1, (shape, calls)
