"""The manager's answers, typed: what each route returns, in Backend.AI's shape where Backend.AI
has the route. Refusals are problem documents (portico.asgi.problem_responses), not these."""

from __future__ import annotations

from typing import Any, Literal

# The log-in answers are read by the webserver too: they live in wire/ (named here as well,
# so that every route finds its answers in one module).
from portico.wire.answers import Answer as Answer
from portico.wire.answers import AuthorizeAnswer as AuthorizeAnswer
from portico.wire.answers import ConsentStep as ConsentStep
from portico.wire.answers import KeypairGrant as KeypairGrant
from portico.wire.answers import TwoFactorStep as TwoFactorStep


class Ok(Answer):
    status: Literal["ok"] = "ok"


class Empty(Answer):
    pass


class Version(Answer):
    version: str
    manager: str


# -- log-in and the account's own changes ---------------------------------------------------------


class TwoFactorState(Answer):
    mode: Literal["off", "optional", "required"]
    enabled: bool
    recovery_codes_left: int


class TotpEnrolment(Answer):
    secret: str
    uri: str
    qr_svg: str


class RecoveryCodes(Answer):
    recovery_codes: list[str]


class PasswordChangedAt(Answer):
    password_changed_at: str


class Roles(Answer):
    global_role: str
    domain_role: str
    group_role: str | None


class Echo(Answer):
    authorized: Literal["yes"] = "yes"
    echo: str | None


class Me(Answer):
    email: str
    username: str
    full_name: str
    role: str
    status: str
    domain_name: str
    access_key: str


class NewKeypair(Answer):
    access_key: str
    secret_key: str


# -- sign-up and recovery -------------------------------------------------------------------------


class SignupAnswer(Answer):
    status: str  # "verify-email", "await-approval" or "active"


class Verified(Answer):
    verified: Literal[True] = True
    status: str


class MailOnItsWay(Answer):
    status: Literal["ok"] = "ok"
    message: str


class Unlocked(Answer):
    status: Literal["unlocked"] = "unlocked"
    message: str


class PasswordReset(Answer):
    status: Literal["ok"] = "ok"
    message: str
    keypair_replaced: bool
    access_key: str | None
    passkeys_removed: int = 0


class SteppedUp(Answer):
    until: float  # Unix time after which the actions ask again
    seconds: int


class PasskeyNames(Answer):
    passkeys: list[str]


class Document(Answer):
    kind: str
    version: str
    lang: str
    html: str


class CandidateCheck(Answer):
    ok: bool
    rules: list[str]
    violations: list[dict[str, Any]]


# -- the console's pages --------------------------------------------------------------------------


class Summary(Answer):
    resource_types: list[str]
    keypair: dict[str, Any]
    resource_group: dict[str, Any]
    system: dict[str, Any]
    security: dict[str, Any]


class UiSettings(Answer):
    """What the webserver's console needs from the manager (sign-up, recovery, policy...)."""

    signup: dict[str, Any]
    recovery: dict[str, Any]
    password_policy: dict[str, Any]
    consent: dict[str, Any]
    login: dict[str, Any]
    two_factor: dict[str, Any]


class Heartbeat(Answer):
    status: Literal["ok"] = "ok"
    agent_id: str


# -- administration -------------------------------------------------------------------------------


class AccountRow(Answer):
    id: str
    email: str
    username: str
    full_name: str
    role: str
    status: str
    need_password_change: bool
    created_at: str


class AccountPage(Answer):
    users: list[AccountRow]
    total: int
    page: int
    pages: int


class LogInRow(Answer):
    at: float
    success: bool
    client_address: str
    user_agent: str


class AccountDetail(AccountRow):
    log_ins: list[LogInRow]
    browser_sessions: int
    two_factor: bool
    passkeys: int
    resource_policy: str | None


class PendingRow(Answer):
    id: str
    email: str
    username: str
    created_at: str


class PendingList(Answer):
    users: list[PendingRow]


InvitationState = Literal["open", "used", "expired", "revoked"]


class InvitationRow(Answer):
    id: int
    email: str | None
    project: str
    uses: int
    uses_left: int
    expires_at: float
    created_at: str
    state: InvitationState


class InvitationList(Answer):
    invitations: list[InvitationRow]


class InvitationLink(Answer):
    link: str


class PolicyRow(Answer):
    name: str
    total_resource_slots: dict[str, float]
    max_concurrent_sessions: int


class PolicyList(Answer):
    policies: list[PolicyRow]


class GroupRow(Answer):
    name: str
    description: str
    is_active: bool


class GroupList(Answer):
    groups: list[GroupRow]


class AuditRow(Answer):
    id: int
    at: float
    kind: str
    outcome: str
    actor: str
    subject: str
    client_address: str
    user_agent: str
    details: dict[str, Any]


class AuditList(Answer):
    entries: list[AuditRow]


class PasskeyRow(Answer):
    id: int
    name: str
    created_at: str
    last_used_at: str | None


class PasskeyList(Answer):
    passkeys: list[PasskeyRow]
