"""Authenticates a signed manager request exactly as Backend.AI's manager does."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from portico.db.models import Keypair, User, UserStatus
from portico.manager.errors import BadAuthParameters, SignatureMismatch
from portico.sealing import SecretBox
from portico.wire import signing
from portico.wire.headers import BODY_DIGEST_HEADER
from portico.wire.versions import VALID_VERSIONS


@dataclass(frozen=True)
class Caller:
    user_id: uuid.UUID
    email: str
    role: str
    domain_name: str
    access_key: str


class RequestAuthenticator:
    def __init__(
        self,
        sessions: async_sessionmaker,
        box: SecretBox,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        allow_sha1: bool = False,
    ) -> None:
        self._sessions = sessions
        self._box = box
        self._clock = clock
        self.allow_sha1 = allow_sha1

    async def authenticate(
        self,
        *,
        method: str,
        path: str,
        host: str,
        headers: Mapping[str, str],
        body: bytes | None = None,
    ) -> Caller:
        """`headers` must be case-insensitive (Starlette's and httpx's are). `body` is needed
        only when the request carries BODY_DIGEST_HEADER (the relay's)."""
        authorization = headers.get("authorization")
        if not authorization:
            raise SignatureMismatch("no credential")
        version = headers.get("x-backendai-version", "")
        if version not in VALID_VERSIONS:
            raise BadAuthParameters("Unsupported API version.")
        raw_date = headers.get("date") or headers.get("x-backendai-date") or ""
        try:
            credential = signing.parse_authorization(authorization)
            date = signing.parse_date(raw_date)
        except ValueError as exc:
            raise BadAuthParameters(f"Malformed authorization parameters: {exc}") from exc
        if abs((self._clock() - date).total_seconds()) > signing.CLOCK_SKEW_SECONDS:
            raise BadAuthParameters("Date/time sync error")
        if credential.hash_type == "sha1" and not self.allow_sha1:
            raise BadAuthParameters("HMAC-SHA1 signatures are not accepted by this server.")
        digest = headers.get(BODY_DIGEST_HEADER)
        if digest is not None:
            actual = hashlib.sha256(body or b"").hexdigest()
            if not hmac.compare_digest(digest.lower(), actual):
                raise SignatureMismatch("body digest mismatch")

        async with self._sessions() as db:
            row = (
                await db.execute(
                    select(Keypair.secret_key_sealed, User)
                    .join(User, User.uuid == Keypair.user_id)
                    .where(Keypair.access_key == credential.access_key, Keypair.is_active)
                )
            ).first()
        if row is None or row.User.status != UserStatus.ACTIVE:
            raise SignatureMismatch("unknown or inactive access key")
        content_type = headers.get("content-type", "application/octet-stream").split(";")[0]
        expected = signing.signature(
            method=method,
            path=path,
            raw_date=raw_date,
            date=date,
            host=host,
            content_type=content_type.strip(),
            api_version=version,
            secret_key=self._box.open(row.secret_key_sealed),
            hash_type=credential.hash_type,
            body_digest=digest.lower() if digest is not None else None,
        )
        if not hmac.compare_digest(expected, credential.signature):
            raise SignatureMismatch("HMAC signature mismatch")
        user: User = row.User
        return Caller(user.uuid, user.email, user.role, user.domain_name, credential.access_key)
