"""The audit trail: security events of accounts and every administrator's action, in the database.

What is recorded is chosen by the caller from `AuditKind`; what is never recorded is any
password, token or secret (the callers pass ids, addresses and outcomes only, and `details`
holds small facts such as a new role). Every text is made printable on the way in (control
and format characters escaped), so a hostile user agent or login id cannot forge lines on a
terminal or in a log viewer.
"""

from __future__ import annotations

import enum
import time
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portico.db.models import AuditEntry
from portico.db.results import rows_changed


class AuditKind(enum.StrEnum):
    LOGIN_SUCCEEDED = "login.succeeded"
    LOGIN_FAILED = "login.failed"
    ACCOUNT_LOCKED = "account.locked"
    ACCOUNT_UNLOCKED = "account.unlocked"
    UNLOCK_REQUESTED = "account.unlock-requested"
    SIGNED_UP = "account.signed-up"
    CREATED = "account.created"
    EMAIL_VERIFIED = "account.email-verified"
    APPROVED = "account.approved"
    REJECTED = "account.rejected"
    ACTIVATED = "account.activated"
    DEACTIVATED = "account.deactivated"
    ROLE_CHANGED = "account.role-changed"
    PASSWORD_CHANGE_REQUIRED = "account.password-change-required"  # noqa: S105 (a name)
    VERIFICATION_RESENT = "account.verification-resent"
    RESET_REQUESTED = "password.reset-requested"
    RESET_USED = "password.reset-used"
    PASSWORD_CHANGED = "password.changed"  # noqa: S105 (a name)
    INVITATION_CREATED = "invitation.created"
    INVITATION_REDEEMED = "invitation.redeemed"
    INVITATION_REVOKED = "invitation.revoked"
    CONSENT_GIVEN = "consent.given"
    SESSION_REVOKED = "session.revoked"
    SESSIONS_ENDED = "session.all-ended"
    KEYPAIR_REPLACED = "keypair.replaced"
    POLICY_CREATED = "resources.policy-created"
    POLICY_UPDATED = "resources.policy-updated"
    POLICY_ASSIGNED = "resources.policy-assigned"
    GROUP_CREATED = "resources.group-created"
    TWO_FACTOR_ENABLED = "two-factor.enabled"
    TWO_FACTOR_DISABLED = "two-factor.disabled"
    TWO_FACTOR_CLEARED = "two-factor.cleared"
    RECOVERY_CODE_USED = "two-factor.recovery-code-used"
    RECOVERY_CODES_RENEWED = "two-factor.recovery-codes-renewed"
    PASSKEY_ADDED = "two-factor.passkey-added"
    PASSKEY_REMOVED = "two-factor.passkey-removed"
    ADMIN_REFUSED = "admin.refused"


@dataclass(frozen=True)
class Actor:
    """Who acted: an administrator, the account's owner, or the system (no id)."""

    user_id: uuid.UUID | None = None
    email: str = ""
    client_address: str = ""
    user_agent: str = ""
    role: str = ""  # the acting account's role, for the rank rules of administration


@dataclass(frozen=True)
class AccountActor(Actor):
    """Someone acting on their own account (a signed caller): the id is always known."""

    user_id: uuid.UUID


SYSTEM = Actor()
OPERATOR = Actor(email="operator (command line)")


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: float
    kind: str
    outcome: str
    actor: str
    subject: str
    client_address: str
    user_agent: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def printable(text: str, limit: int) -> str:
    """`text` with control and format characters (newlines, ANSI escapes, bidi overrides)
    written as \\uXXXX, cut to `limit` characters."""
    out = "".join(
        f"\\u{ord(ch):04x}" if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") else ch
        for ch in text[: limit * 2]
    )
    return out[:limit]


def _clean(details: Mapping[str, Any]) -> dict[str, Any]:
    return {
        printable(str(k), 48): printable(v, 200) if isinstance(v, str) else v
        for k, v in details.items()
    }


class AuditLog:
    def __init__(
        self, database: async_sessionmaker[AsyncSession], *, clock: Any = time.time
    ) -> None:
        self._database = database
        self._clock = clock

    async def record(
        self,
        kind: AuditKind,
        *,
        actor: Actor = SYSTEM,
        subject_id: uuid.UUID | None = None,
        subject: str = "",
        outcome: str = "",
        details: Mapping[str, Any] | None = None,
    ) -> None:
        async with self._database.begin() as db:
            db.add(
                self.entry(
                    kind,
                    actor=actor,
                    subject_id=subject_id,
                    subject=subject,
                    outcome=outcome,
                    details=details,
                )
            )

    def entry(
        self,
        kind: AuditKind,
        *,
        actor: Actor = SYSTEM,
        subject_id: uuid.UUID | None = None,
        subject: str = "",
        outcome: str = "",
        details: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """The row `record` writes, for a caller that writes it in its own transaction."""
        return AuditEntry(
            created_at=self._clock(),
            kind=str(kind),
            outcome=printable(outcome, 48),
            actor_id=actor.user_id,
            actor=printable(actor.email, 320),
            subject_id=subject_id,
            subject=printable(subject, 320),
            client_address=printable(actor.client_address, 64),
            user_agent=printable(actor.user_agent, 512),
            details=_clean(details or {}),
        )

    async def query(
        self,
        *,
        account: str | None = None,
        kind: str | None = None,
        since: float | None = None,
        until: float | None = None,
        before_id: int | None = None,
        limit: int = 100,
    ) -> list[AuditRecord]:
        """Newest first. `account` matches the subject or the actor (an e-mail address or id as
        typed at log-in); `kind` a kind or a family of kinds ("login" for "login.*")."""
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(max(1, min(limit, 1000)))
        if account:
            needle = account.strip().lower()
            query = query.where((AuditEntry.subject == needle) | (AuditEntry.actor == needle))
        if kind:
            if "." in kind:
                query = query.where(AuditEntry.kind == kind)
            else:
                query = query.where(AuditEntry.kind.startswith(kind + "."))
        if since is not None:
            query = query.where(AuditEntry.created_at >= since)
        if until is not None:
            query = query.where(AuditEntry.created_at < until)
        if before_id is not None:
            query = query.where(AuditEntry.id < before_id)
        async with self._database() as db:
            rows = (await db.scalars(query)).all()
        return [
            AuditRecord(
                id=row.id,
                at=row.created_at,
                kind=row.kind,
                outcome=row.outcome,
                actor=row.actor,
                subject=row.subject,
                client_address=row.client_address,
                user_agent=row.user_agent,
                details=dict(row.details or {}),
            )
            for row in rows
        ]

    async def purge(self, retention_days: int) -> int:
        """Forget entries older than the retention period."""
        cutoff = self._clock() - retention_days * 86400
        async with self._database.begin() as db:
            result = await db.execute(delete(AuditEntry).where(AuditEntry.created_at < cutoff))
        return rows_changed(result)
