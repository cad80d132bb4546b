"""Password rules. `backendai` is the seed's rule (8+ characters with a letter, a digit and a
special character); `nist` drops the composition part. Both always refuse common passwords,
passwords built from the e-mail address or user name, and anything over 256 characters.
"""

from __future__ import annotations

import gzip
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from portico.manager.errors import PasswordViolation, WeakPassword

MIN_LENGTH = 8
MAX_LENGTH = 256
_COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt.gz")


def normalize_password(password: str) -> str:
    """NFKC, so that the same password typed on different keyboards hashes the same."""
    return unicodedata.normalize("NFKC", password)


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(_COMMON_PASSWORDS, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


@dataclass(frozen=True)
class PasswordPolicy:
    mode: Literal["backendai", "nist"] = "backendai"

    def rules(self) -> list[str]:
        """The rules, in the order a checklist shows them. A client lists them from here and
        asks the server which are met (POST /portico/password-check); it copies none."""
        composition = ["no_letter", "no_digit", "no_special"] if self.mode == "backendai" else []
        return ["too_short", *composition, "common", "contains_identity"]

    def describe(self) -> dict[str, object]:
        return {
            "mode": self.mode,
            "min_length": MIN_LENGTH,
            "max_length": MAX_LENGTH,
            "require_letter_digit_special": self.mode == "backendai",
            "rules": self.rules(),
        }

    def violations(
        self, password: str, *, email: str = "", username: str = ""
    ) -> list[PasswordViolation]:
        password = normalize_password(password)
        found: list[PasswordViolation] = []
        if len(password) < MIN_LENGTH:
            found.append(
                PasswordViolation("too_short", f"Use at least {MIN_LENGTH} characters.", MIN_LENGTH)
            )
        if len(password) > MAX_LENGTH:
            found.append(
                PasswordViolation("too_long", f"Use at most {MAX_LENGTH} characters.", MAX_LENGTH)
            )
        if self.mode == "backendai":
            if not any(ch.isalpha() for ch in password):
                found.append(PasswordViolation("no_letter", "Include at least one letter."))
            if not any(ch.isdigit() for ch in password):
                found.append(PasswordViolation("no_digit", "Include at least one digit."))
            if all(ch.isalnum() for ch in password):
                found.append(
                    PasswordViolation("no_special", "Include at least one special character.")
                )
        folded = password.casefold()
        if folded in common_passwords():
            found.append(
                PasswordViolation("common", "This password is too common; choose another.")
            )
        if _built_from_identity(folded, email, username):
            found.append(
                PasswordViolation(
                    "contains_identity", "Do not use your e-mail address or user name."
                )
            )
        return found

    def check(self, password: str, *, email: str = "", username: str = "") -> None:
        found = self.violations(password, email=email, username=username)
        if found:
            raise WeakPassword(found)


def _built_from_identity(folded_password: str, email: str, username: str) -> bool:
    names = {email.casefold(), email.casefold().split("@", 1)[0], username.casefold()}
    return any(len(name) >= 3 and name in folded_password for name in names)
