"""Database models, shaped as Backend.AI's where Backend.AI has the concept.

Times that take part in lockout arithmetic are stored as float epoch seconds so that one SQL
statement can compare and update them identically on SQLite and PostgreSQL.
"""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    # Every model maps to one table (no joined or unmapped ones), which the services that
    # write with Core statements use as such.
    __table__: ClassVar[Table]


class UserStatus(enum.StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    DELETED = "deleted"
    BEFORE_VERIFICATION = "before-verification"


class UserRole(enum.StrEnum):
    SUPERADMIN = "superadmin"
    ADMIN = "admin"
    USER = "user"
    MONITOR = "monitor"


class Domain(Base):
    __tablename__ = "domains"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    description: Mapped[str] = mapped_column(String(512), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    total_resource_slots: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Group(Base):
    """A project."""

    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("name", "domain_name", name="uq_groups_name_domain"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(64))
    domain_name: Mapped[str] = mapped_column(ForeignKey("domains.name"))
    description: Mapped[str] = mapped_column(String(512), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class GroupMember(Base):
    __tablename__ = "association_groups_users"

    group_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.uuid", ondelete="CASCADE"), primary_key=True
    )


class KeypairResourcePolicy(Base):
    __tablename__ = "keypair_resource_policies"

    name: Mapped[str] = mapped_column(String(256), primary_key=True)
    total_resource_slots: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    max_session_lifetime: Mapped[int] = mapped_column(Integer, default=0)
    max_concurrent_sessions: Mapped[int] = mapped_column(Integer, default=1)
    max_containers_per_session: Mapped[int] = mapped_column(Integer, default=1)
    idle_timeout: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class User(Base):
    __tablename__ = "users"

    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    username: Mapped[str] = mapped_column(String(64))
    # Stored case-folded: log-in by e-mail is case-insensitive.
    email: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    password: Mapped[str | None] = mapped_column(String(256))
    need_password_change: Mapped[bool] = mapped_column(Boolean, default=False)
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    full_name: Mapped[str] = mapped_column(String(64), default="")
    description: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(32), default=UserStatus.ACTIVE.value)
    status_info: Mapped[str] = mapped_column(String(64), default="")
    domain_name: Mapped[str] = mapped_column(ForeignKey("domains.name"))
    role: Mapped[str] = mapped_column(String(32), default=UserRole.USER.value)
    resource_policy: Mapped[str] = mapped_column(String(256), default="default")
    language: Mapped[str] = mapped_column(String(16), default="")
    # "signup" (self-service: consent is required) or "operator" (CLI, admin, first start).
    created_via: Mapped[str] = mapped_column(
        String(16), default="operator", server_default="operator"
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


# User names are unique regardless of case, since log-in by user name is case-insensitive.
Index("ix_users_username_folded", func.lower(User.username), unique=True)


class Keypair(Base):
    __tablename__ = "keypairs"

    access_key: Mapped[str] = mapped_column(String(20), primary_key=True)
    # Sealed with the server key (see portico.common.sealing); never stored in plain text.
    secret_key_sealed: Mapped[str] = mapped_column(Text)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.uuid", ondelete="CASCADE"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_default: Mapped[bool] = mapped_column(Boolean, default=True)
    rate_limit: Mapped[int] = mapped_column(Integer, default=10000)
    resource_policy: Mapped[str] = mapped_column(
        ForeignKey("keypair_resource_policies.name"), default="default"
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    """One lockout counter per account (or per normalised unknown id)."""

    __tablename__ = "login_attempts"

    key: Mapped[str] = mapped_column(String(320), primary_key=True)
    fail_count: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[float] = mapped_column(Double, default=0.0)
    blocked_until: Mapped[float | None] = mapped_column(Double)


class StepUp(Base):
    """When the holder of a browser session (or of an API key) last gave the password or a
    second factor again: the actions that add or remove an authenticator ask for it."""

    __tablename__ = "step_ups"

    holder: Mapped[str] = mapped_column(String(128), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.uuid", ondelete="CASCADE"), index=True
    )
    verified_at: Mapped[float] = mapped_column(Double)


class UsedSignature(Base):
    """A signed call that changed state, remembered until its date leaves the signing window,
    so that a captured call cannot be sent again (when no Redis keeps them)."""

    __tablename__ = "used_signatures"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[float] = mapped_column(Double, index=True)


class LoginSession(Base):
    """A log-in granted by /auth/authorize; the token itself is only stored hashed."""

    __tablename__ = "login_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.uuid", ondelete="CASCADE"), index=True
    )
    access_key: Mapped[str] = mapped_column(String(20))
    client_address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(512), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebSessionRow(Base):
    """A browser session of the webserver (store `sql`). Keyed by the id's hash, never the id."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.uuid", ondelete="CASCADE"), index=True
    )
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    expires_at: Mapped[float] = mapped_column(Double, index=True)
    last_seen: Mapped[float] = mapped_column(Double)


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"
    VERIFICATION = "verification"
    RESET = "reset"
    # Lets an account without a second factor enrol one, under [auth] two_factor = "required".
    TWO_FACTOR_SETUP = "two-factor-setup"
    # A WebAuthn ceremony's challenge (the token is the challenge), spent by its answer.
    PASSKEY_REGISTER = "passkey-register"
    PASSKEY_LOGIN = "passkey-login"
    # Lifts the log-in block of one account, once; mailed to its owner, expires with the block.
    UNLOCK = "unlock"


class AuthToken(Base):
    """Invitation, e-mail verification and password reset tokens; only their hash is kept."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    purpose: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.uuid", ondelete="CASCADE"), index=True
    )
    # An invitation may be bound to one address.
    email: Mapped[str | None] = mapped_column(String(64))
    group_name: Mapped[str | None] = mapped_column(String(64))
    max_uses: Mapped[int] = mapped_column(Integer, default=1)
    uses_left: Mapped[int] = mapped_column(Integer, default=1)
    expires_at: Mapped[float] = mapped_column(Double)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Consent(Base):
    """Who accepted which version of which document, when, from where."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.uuid", ondelete="CASCADE"), index=True
    )
    document: Mapped[str] = mapped_column(String(16))
    version: Mapped[str] = mapped_column(String(32))
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    client_address: Mapped[str] = mapped_column(String(64), default="")


class OutboxMessage(Base):
    """An e-mail waiting to leave; the sender drains this table so that no answer waits on SMTP."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(256))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[float] = mapped_column(Double, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str] = mapped_column(String(512), default="")
    # The link (it carries a token) sealed with the server key; the bodies hold a placeholder
    # and get the link only in memory, at delivery. Cleared once sent.
    link_sealed: Mapped[str | None] = mapped_column(Text)
    # A stand-in written for an address that gets no mail (same work for every address); the
    # sender drops it unsent.
    discard: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Fixed when the mail is queued and sent with every attempt, so that a copy sent again
    # after a crash (between the server's reply and the mark) is recognisably the same mail.
    message_id: Mapped[str | None] = mapped_column(String(255))


class ResourceGroup(Base):
    """A set of agents (Backend.AI's scaling group)."""

    __tablename__ = "resource_groups"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    description: Mapped[str] = mapped_column(String(512), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Agent(Base):
    """A node: its capacity per resource type (base units) and its live utilisation."""

    __tablename__ = "agents"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    resource_group: Mapped[str] = mapped_column(ForeignKey("resource_groups.name"))
    hostname: Mapped[str] = mapped_column(String(255), default="")
    capacity: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    cpu_util: Mapped[float] = mapped_column(Double, default=0.0)  # percent
    mem_used: Mapped[int] = mapped_column(BigInteger, default=0)  # bytes
    last_heartbeat: Mapped[float] = mapped_column(Double, default=0.0)
    # Remote agents prove themselves with a credential; only its hash is kept.
    credential_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ComputeSession(Base):
    """An allocation: resources of an agent held by a user's keypair."""

    __tablename__ = "compute_sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(64), default="")
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.uuid", ondelete="CASCADE"), index=True
    )
    access_key: Mapped[str] = mapped_column(String(20), index=True)
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    resource_group: Mapped[str] = mapped_column(String(64), default="default")
    slots: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="running", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    terminated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginHistory(Base):
    """Successful and failed log-ins of existing accounts, for the account's security panel."""

    __tablename__ = "login_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.uuid", ondelete="CASCADE"), index=True
    )
    success: Mapped[bool] = mapped_column(Boolean)
    client_address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(512), default="")
    created_at: Mapped[float] = mapped_column(Double, index=True)


class AuditEntry(Base):
    """One security-relevant event: who did what to which account, from where, and how it
    ended. Never a password, token or secret; every text is stored printable. No foreign keys:
    the trail outlives the accounts it names."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[float] = mapped_column(Double, index=True)
    kind: Mapped[str] = mapped_column(String(48), index=True)
    outcome: Mapped[str] = mapped_column(String(48), default="")
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    actor: Mapped[str] = mapped_column(String(320), default="")
    subject_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    subject: Mapped[str] = mapped_column(String(320), default="", index=True)
    client_address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(512), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class TotpFactor(Base):
    """An account's authenticator app (RFC 6238). Without `confirmed_at` it is an enrolment in
    progress, which no log-in asks for."""

    __tablename__ = "totp_factors"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.uuid", ondelete="CASCADE"), primary_key=True
    )
    # Sealed with the server key, like keypair secrets.
    secret_sealed: Mapped[str] = mapped_column(Text)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The newest time step a code was accepted for: a code is good once (no replay).
    last_step: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RecoveryCode(Base):
    """One of an account's single-use recovery codes, stored as a keyed hash (HMAC with a key
    derived from the server secret): a copy of the table does not yield codes."""

    __tablename__ = "recovery_codes"
    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.uuid", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Passkey(Base):
    """A WebAuthn credential (a passkey) an account registered: it logs in without a password
    and stands for both factors."""

    __tablename__ = "passkeys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.uuid", ondelete="CASCADE"), index=True
    )
    # base64url, as the browser names it.
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
