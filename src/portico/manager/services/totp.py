"""Time-based one-time codes (RFC 6238: SHA-1, 30 s, 6 digits, what every authenticator app
reads), recovery codes, and the QR code that carries an enrolment to a phone."""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
import time
import unicodedata

import pyotp
import segno

PERIOD = 30
DIGITS = 6
# A code of the step before or after is still taken: phones' clocks drift, people type slowly.
DRIFT_STEPS = 1
RECOVERY_CODES = 10
# 10 letters of a 32-letter alphabet (50 bits), shown in two groups of five.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 10


def new_secret() -> str:
    """160 random bits in base32, as RFC 4226 recommends for SHA-1."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD).provisioning_uri(
        name=account, issuer_name=issuer
    )


def qr_svg(uri: str) -> str:
    """The enrolment as an SVG QR code, made here: the secret never goes to a third party."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(
        out, kind="svg", scale=4, border=2, xmldecl=False, svgns=True, title="QR code"
    )
    return out.getvalue().decode()


def normalized_code(code: str) -> str:
    """What people type: NFKC (fullwidth forms), the digits of any script as ASCII digits
    (a phone's keyboard may give Arabic-Indic ones), spaces and dashes dropped."""
    text = unicodedata.normalize("NFKC", code)
    return "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text if ch not in " -\t"
    )


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code `code` is (within the drift allowed), or None."""
    code = normalized_code(code)
    if len(code) != DIGITS or not (code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD)
    moment = time.time() if now is None else now
    current = int(moment // PERIOD)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        # Every candidate is compared, in constant time: no early exit to time.
        if hmac.compare_digest(totp.at(step * PERIOD), code):
            found = step
    return found


def new_recovery_codes() -> list[str]:
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODES:
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.add(f"{raw[:5]}-{raw[5:]}")
    return sorted(codes)


def recovery_code_hash(key: bytes, code: str) -> str:
    """Keyed with a key derived from the server secret: the stored hashes alone cannot be
    searched for the 50-bit codes."""
    canonical = normalized_code(code).lower()
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def looks_like_recovery_code(code: str) -> bool:
    return len(normalized_code(code)) == _RECOVERY_LENGTH
