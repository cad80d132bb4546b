"""Backend.AI's HMAC request signature: the string to sign, the date-derived key, the header."""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from portico.wire.headers import BODY_DIGEST_HEADER

SUPPORTED_HASHES = frozenset({"sha256", "sha384", "sha512", "sha1"})
CLOCK_SKEW_SECONDS = 15 * 60

_AUTH_HEADER = re.compile(
    r"^(?:BackendAI|Sorna)\s+signMethod=HMAC-(?P<hash>[A-Za-z0-9]+)\s*,\s*"
    r"credential=(?P<access_key>[^:\s]+):(?P<signature>[0-9a-fA-F]+)\s*$"
)


@dataclass(frozen=True, slots=True)
class Credential:
    hash_type: str
    access_key: str
    signature: str


def parse_authorization(value: str) -> Credential:
    """Parse `BackendAI signMethod=HMAC-SHA256, credential=AK:SIG`; ValueError when malformed."""
    match = _AUTH_HEADER.match(value.strip())
    if match is None:
        raise ValueError("malformed Authorization header")
    hash_type = match["hash"].lower()
    if hash_type not in SUPPORTED_HASHES:
        raise ValueError(f"unsupported signMethod HMAC-{match['hash']}")
    return Credential(hash_type, match["access_key"], match["signature"].lower())


def parse_date(value: str) -> datetime:
    """Parse the ISO 8601 request date; a date without an offset is taken as UTC."""
    parsed = datetime.fromisoformat(value.strip())
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def signature(
    *,
    method: str,
    path: str,
    raw_date: str,
    date: datetime,
    host: str,
    content_type: str,
    api_version: str,
    secret_key: str,
    hash_type: str = "sha256",
    body_digest: str | None = None,
) -> str:
    """The hex signature of one request, as both Backend.AI's clients and its manager compute it.

    Backend.AI signs the hash of an empty body (since v4 the body is never hashed); with
    `body_digest` (portico's relay), the body's SHA-256 is signed instead.
    """
    body_hash = body_digest or hashlib.new(hash_type, b"").hexdigest()
    to_sign = (
        f"{method.upper()}\n{path}\n{raw_date}\nhost:{host}\n"
        f"content-type:{content_type.lower()}\nx-backendai-version:{api_version}\n{body_hash}"
    )
    key = _signing_key(secret_key, date.date(), host, hash_type)
    return hmac.new(key, to_sign.encode(), hash_type).hexdigest()


@functools.lru_cache(maxsize=4096)
def _signing_key(secret_key: str, day: date, host: str, hash_type: str) -> bytes:
    """The key of every request one secret key signs for one host on one day: derived once
    (two HMACs fewer per call). It is worth no more than the secret key it comes from, which
    the caller already holds in memory."""
    key = hmac.new(secret_key.encode(), day.strftime("%Y%m%d").encode(), hash_type).digest()
    return hmac.new(key, host.encode(), hash_type).digest()


def signed_headers(
    *,
    method: str,
    path: str,
    host: str,
    content_type: str,
    api_version: str,
    access_key: str,
    secret_key: str,
    now: datetime | None = None,
    body: bytes | None = None,
) -> dict[str, str]:
    """Headers that authenticate a request to a manager (used by the webserver's relay).
    With `body`, the signature covers it too (see BODY_DIGEST_HEADER)."""
    date = now or datetime.now(UTC)
    digest = hashlib.sha256(body).hexdigest() if body is not None else None
    raw_date = date.isoformat()
    sig = signature(
        method=method,
        path=path,
        raw_date=raw_date,
        date=date,
        host=host,
        content_type=content_type,
        api_version=api_version,
        secret_key=secret_key,
        body_digest=digest,
    )
    headers = {
        "Date": raw_date,
        "X-BackendAI-Version": api_version,
        "Content-Type": content_type,
        "Authorization": f"BackendAI signMethod=HMAC-SHA256, credential={access_key}:{sig}",
    }
    if digest is not None:
        headers[BODY_DIGEST_HEADER] = digest
    return headers
