"""Domain errors raised by the manager's services; routes translate them to HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class DomainError(Exception):
    """Base of every error a service raises on purpose. `code` names it for programs (in a
    problem document and in the audit trail)."""

    code: str = "refused"


class InvalidCredentials(DomainError):
    """Wrong id or password; worded identically whatever the cause. `attempts_left` is set
    when the lock-out is near, counted alike for accounts and unknown ids."""

    code = "credential-mismatch"
    details = "User credential mismatch."

    def __init__(self, attempts_left: int | None = None, *, blocked: bool = False) -> None:
        super().__init__(self.details)
        self.attempts_left = attempts_left
        self.blocked = blocked  # this failure started a block


class InvalidOtp(InvalidCredentials):
    """The password was right, the one-time code (or recovery code) was not. It counts toward
    the lock-out like a wrong password."""

    code = "invalid-otp"
    details = "Invalid TOTP code provided"


class OldPasswordMismatch(InvalidCredentials):
    """A password change whose current password is wrong (Backend.AI's words for it)."""

    details = "Old password mismatch"


class OtpRequired(DomainError):
    """The password was right and the account has a second factor: send the code too."""

    code = "otp-required"


@dataclass
class TwoFactorRegistrationRequired(DomainError):
    """The password was right; this service requires a second factor and the account has none.
    `token` lets the holder enrol one, and nothing else."""

    token: str
    code = "two-factor-registration-required"


@dataclass
class TooManyFailedLogins(DomainError):
    retry_after: int
    code = "locked"


class AccountNotVerified(DomainError):
    """The password was right but the e-mail address is not verified yet."""

    code = "email-unverified"


class AccountInactive(DomainError):
    """The password was right but the account is inactive or deleted."""

    code = "account-inactive"


class AccountPendingApproval(DomainError):
    """The password was right; the account was signed up and awaits an administrator."""

    code = "pending-approval"


@dataclass
class PasswordExpired(DomainError):
    """The password was right but must be changed first (an operator's temporary password, the
    first superadmin's): nothing works until it is, except the change itself."""

    since: str = ""  # when the password was set, ISO 8601, where known
    code = "password-expired"


class SamePassword(DomainError):
    """A new password equal to the current one."""


class PasswordNotExpired(DomainError):
    """The change without a session is for an expired password only."""


class NoKeypair(DomainError):
    """The account has no active default keypair."""

    code = "no-keypair"


@dataclass
class PasswordViolation:
    code: str
    message: str
    limit: int | None = None  # the number a length rule names

    def as_reason(self) -> dict[str, object]:
        """The entry of a problem document's `reasons`."""
        reason: dict[str, object] = {"code": self.code, "message": self.message}
        if self.limit is not None:
            reason["limit"] = self.limit
        return reason


class WeakPassword(DomainError):
    def __init__(self, violations: Sequence[PasswordViolation]) -> None:
        super().__init__("; ".join(v.message for v in violations))
        self.violations = list(violations)


class PasswordMismatch(DomainError):
    """The new password and its confirmation differ."""


class AccountExists(DomainError):
    """The e-mail address or user name is taken."""


class NameTaken(DomainError):
    """A project, resource policy or resource group of that name exists."""


class UsernameTaken(DomainError):
    """Another account has this user name (user names are public; e-mail addresses are not)."""


class NotFound(DomainError):
    pass


class Forbidden(DomainError):
    pass


class Conflict(DomainError):
    """The request is well formed but the account's state does not allow it (the last
    superadmin's role, a verified address's verification)."""


@dataclass
class StepUpRequired(DomainError):
    """The action adds or removes an authenticator: the password or a second factor must have
    been given within the last `seconds` (POST /portico/step-up)."""

    seconds: int
    methods: tuple[str, ...]
    code = "step-up-required"


class InvalidRequest(DomainError):
    pass


class CodeRequired(InvalidRequest):
    """An action that takes the password and a code of the second factor got no code."""

    code = "code-required"


class BadAuthParameters(DomainError):
    """Signature headers missing, malformed, stale, or naming an unknown API version."""


class SignatureMismatch(DomainError):
    """Unknown or inactive access key, or a signature that does not verify."""


class SignatureReused(DomainError):
    """A signed call that changes state was sent again: each must be signed anew."""


class InvalidToken(DomainError):
    """A token that is unknown, expired, used up, superseded or revoked: all look the same."""


class FeatureDisabled(DomainError):
    """The server settings switch this feature off."""


@dataclass
class RateLimited(DomainError):
    retry_after: int


@dataclass
class ConsentRequired(DomainError):
    """The right password, but the current Terms of Service / Privacy Policy are not accepted."""

    code = "consent-required"

    terms_version: str
    privacy_version: str
