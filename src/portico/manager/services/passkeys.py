"""Passkeys (WebAuthn, through Duo Labs' `webauthn`): registered from the profile, several per
account, each named; a log-in with one needs no password and satisfies the second factor.

Every ceremony's challenge is a single-use token (stored as its hash, spent atomically by the
answer that carries it), so an answer cannot be replayed. The relying party is the host name of
[service] public_url and the only origin accepted is that URL.
"""

from __future__ import annotations

import ipaddress
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import webauthn
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from webauthn.helpers import bytes_to_base64url, parse_client_data_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from portico.db.models import Passkey, TokenPurpose, User, utcnow
from portico.db.results import rows_changed
from portico.manager.credentials.tokens import TokenService
from portico.manager.errors import (
    Conflict,
    FeatureDisabled,
    InvalidCredentials,
    InvalidRequest,
    InvalidToken,
    NotFound,
)
from portico.manager.services.audit import Actor, AuditKind
from portico.manager.services.owner_notices import OwnerNotices

CHALLENGE_SECONDS = 300
MAX_PASSKEYS = 20


@dataclass(frozen=True)
class PasskeyInfo:
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None


def relying_party(public_base: str) -> tuple[str, str] | None:
    """(rp id, origin) for this public URL, or None where passkeys cannot work (an IP address:
    browsers refuse it as a relying party)."""
    parts = urlsplit(public_base)
    host = parts.hostname or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return (host, f"{parts.scheme}://{parts.netloc}") if host else None
    return None


class PasskeyService:
    def __init__(
        self,
        database: async_sessionmaker[AsyncSession],
        *,
        enabled: bool,
        public_base: str,
        site: str,
        tokens: TokenService,
        notices: OwnerNotices,
    ) -> None:
        self._database = database
        party = relying_party(public_base)
        self.enabled = enabled and party is not None
        self._rp_id, self._origin = party or ("", "")
        self._site = site
        self._tokens = tokens
        self._notices = notices

    def _available(self) -> None:
        if not self.enabled:
            raise FeatureDisabled("Passkeys are turned off on this service.")

    # -- registration (a signed caller, from the profile)

    async def registration_options(self, user: User) -> str:
        self._available()
        owned = await self._credential_ids(user.uuid)
        if len(owned) >= MAX_PASSKEYS:
            raise Conflict(f"An account has at most {MAX_PASSKEYS} passkeys.")
        challenge = await self._challenge(TokenPurpose.PASSKEY_REGISTER, user.uuid)
        options = webauthn.generate_registration_options(
            rp_id=self._rp_id,
            rp_name=self._site,
            user_id=user.uuid.bytes,
            user_name=user.email,
            user_display_name=user.full_name or user.email,
            challenge=challenge,
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.REQUIRED,
                user_verification=UserVerificationRequirement.REQUIRED,
            ),
            exclude_credentials=[
                PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(c)) for c in owned
            ],
        )
        return webauthn.options_to_json(options)

    async def register(
        self, user: User, name: str, credential: dict[str, Any], who: Actor
    ) -> PasskeyInfo:
        self._available()
        challenge = await self._spend(TokenPurpose.PASSKEY_REGISTER, credential, user.uuid)
        try:
            verified = webauthn.verify_registration_response(
                credential=credential,
                expected_challenge=challenge,
                expected_rp_id=self._rp_id,
                expected_origin=self._origin,
                require_user_verification=True,
            )
        except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
            raise InvalidRequest(f"The passkey could not be verified: {exc}") from exc
        row = Passkey(
            user_id=user.uuid,
            credential_id=bytes_to_base64url(verified.credential_id),
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            name=name.strip()[:64] or "Passkey",
        )
        try:
            async with self._database.begin() as db:
                db.add(row)
                await db.flush()
                await self._notices.mail(db, user, "passkey_added")
        except IntegrityError as exc:
            raise Conflict("This passkey is registered already.") from exc
        self._notices.send()
        await self._notices.record(AuditKind.PASSKEY_ADDED, who, user, name=row.name)
        return PasskeyInfo(row.id, row.name, row.created_at, None)

    async def owned_by(self, user_id: uuid.UUID) -> list[PasskeyInfo]:
        async with self._database() as db:
            rows = (
                await db.scalars(
                    select(Passkey).where(Passkey.user_id == user_id).order_by(Passkey.id)
                )
            ).all()
        return [PasskeyInfo(r.id, r.name, r.created_at, r.last_used_at) for r in rows]

    async def remove(self, user: User, passkey_id: int, who: Actor) -> None:
        async with self._database.begin() as db:
            row = await db.scalar(
                select(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user.uuid)
            )
            if row is None:
                raise NotFound("no such passkey")
            await db.delete(row)
            await self._notices.mail(db, user, "passkey_removed")
        self._notices.send()
        await self._notices.record(AuditKind.PASSKEY_REMOVED, who, user, name=row.name)

    async def remove_all(self, user_id: uuid.UUID) -> int:
        """An administrator's clear of the account's factors (the caller mails and audits)."""
        async with self._database.begin() as db:
            removed = await db.execute(delete(Passkey).where(Passkey.user_id == user_id))
        return rows_changed(removed)

    # -- log-in (anonymous: a discoverable credential names its account)

    async def login_options(self) -> str:
        self._available()
        challenge = await self._challenge(TokenPurpose.PASSKEY_LOGIN, None)
        options = webauthn.generate_authentication_options(
            rp_id=self._rp_id,
            challenge=challenge,
            user_verification=UserVerificationRequirement.REQUIRED,
        )
        return webauthn.options_to_json(options)

    async def authenticate(self, credential: dict[str, Any]) -> uuid.UUID:
        """The account whose passkey signed this challenge; InvalidCredentials otherwise (one
        answer for every way it can be wrong)."""
        self._available()
        try:
            challenge = await self._spend(TokenPurpose.PASSKEY_LOGIN, credential, None)
            credential_id = str(credential["rawId"])
        except (InvalidRequest, InvalidToken, KeyError, TypeError) as exc:
            raise InvalidCredentials() from exc
        async with self._database() as db:
            row = await db.scalar(select(Passkey).where(Passkey.credential_id == credential_id))
        if row is None:
            raise InvalidCredentials()
        try:
            verified = webauthn.verify_authentication_response(
                credential=credential,
                expected_challenge=challenge,
                expected_rp_id=self._rp_id,
                expected_origin=self._origin,
                credential_public_key=row.public_key,
                credential_current_sign_count=row.sign_count,
                require_user_verification=True,
            )
        except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
            raise InvalidCredentials() from exc
        handle = credential.get("response", {}).get("userHandle")
        if handle and webauthn.base64url_to_bytes(handle) != row.user_id.bytes:
            raise InvalidCredentials()
        async with self._database.begin() as db:
            await db.execute(
                update(Passkey)
                .where(Passkey.id == row.id)
                .values(sign_count=verified.new_sign_count, last_used_at=utcnow())
            )
        return row.user_id

    # -- the parts

    async def _credential_ids(self, user_id: uuid.UUID) -> list[str]:
        async with self._database() as db:
            found = await db.scalars(
                select(Passkey.credential_id).where(Passkey.user_id == user_id)
            )
            return list(found.all())

    async def _challenge(self, purpose: TokenPurpose, user_id: uuid.UUID | None) -> bytes:
        token = await self._tokens.issue(purpose, ttl=CHALLENGE_SECONDS, user_id=user_id)
        return webauthn.base64url_to_bytes(token)

    async def _spend(
        self, purpose: TokenPurpose, credential: dict[str, Any], user_id: uuid.UUID | None
    ) -> bytes:
        """The challenge the answer carries, spent (once); it must be one we issued for
        `purpose` (and `user_id`)."""
        try:
            client_data = webauthn.base64url_to_bytes(credential["response"]["clientDataJSON"])
            challenge = parse_client_data_json(client_data).challenge
        except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
            raise InvalidRequest("Malformed passkey answer.") from exc
        used = await self._tokens.use(purpose, bytes_to_base64url(challenge))
        if used.user_id != user_id:
            raise InvalidToken()
        return challenge
