"""Authenticates a signed manager request exactly as Backend.AI's manager does."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portico.common.sealing import SecretBox
from portico.db.models import Keypair, User, UserStatus
from portico.manager.errors import (
    BadAuthParameters,
    PasswordExpired,
    SignatureMismatch,
    SignatureReused,
)
from portico.manager.services.credential_cache import Credential, CredentialCache
from portico.manager.services.used_signatures import (
    READING_METHODS,
    UsedSignatures,
    fingerprint,
)
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
        database: async_sessionmaker[AsyncSession],
        box: SecretBox,
        cache: CredentialCache,
        used: UsedSignatures,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        allow_sha1: bool = False,
    ) -> None:
        self._database = database
        self._box = box
        self._cache = cache
        self._used = used
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
        reading: bool = False,
    ) -> Caller:
        """`headers` must be case-insensitive (Starlette's and httpx's are). `body` is needed
        only when the request carries BODY_DIGEST_HEADER (the relay's). `reading`: the route
        changes nothing whatever the method (a GraphQL query), so a signature may recur."""
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
            if not hmac.compare_digest(digest.lower().encode(), actual.encode()):
                raise SignatureMismatch("body digest mismatch")

        known = await self._credential(credential.access_key)
        content_type = headers.get("content-type", "application/octet-stream").split(";")[0]
        expected = signing.signature(
            method=method,
            path=path,
            raw_date=raw_date,
            date=date,
            host=host,
            content_type=content_type.strip(),
            api_version=version,
            secret_key=known.secret_key,
            hash_type=credential.hash_type,
            body_digest=digest.lower() if digest is not None else None,
        )
        if not hmac.compare_digest(expected.encode(), credential.signature.encode()):
            raise SignatureMismatch("HMAC signature mismatch")
        if not reading and method.upper() not in READING_METHODS:
            # Until the date leaves the window, after which the date check refuses it.
            until = date.timestamp() + signing.CLOCK_SKEW_SECONDS
            used = fingerprint(credential.access_key, credential.signature)
            if not await self._used.first_use(used, until):
                raise SignatureReused()
        if known.must_change_password:
            # Nothing but the change itself until the password is changed.
            raise PasswordExpired()
        return Caller(
            known.user_id, known.email, known.role, known.domain_name, credential.access_key
        )

    async def _credential(self, access_key: str) -> Credential:
        """The active account's credential for `access_key`, from the cache or the database."""
        known = self._cache.get(access_key)
        if known is not None:
            return known
        generation = self._cache.generation
        async with self._database() as db:
            row = (
                await db.execute(
                    select(
                        Keypair.secret_key_sealed,
                        User.uuid,
                        User.email,
                        User.role,
                        User.domain_name,
                        User.need_password_change,
                    )
                    .join(User, User.uuid == Keypair.user_id)
                    .where(
                        Keypair.access_key == access_key,
                        Keypair.is_active,
                        User.status == UserStatus.ACTIVE,
                    )
                )
            ).first()
        if row is None:
            raise SignatureMismatch("unknown or inactive access key")
        known = Credential(
            self._box.open(row.secret_key_sealed),
            row.uuid,
            row.email,
            row.role,
            row.domain_name,
            must_change_password=row.need_password_change,
        )
        self._cache.put(access_key, known, generation)
        return known
