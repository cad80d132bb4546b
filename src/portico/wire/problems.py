"""RFC 7807 problem documents with Backend.AI's type URIs."""

from __future__ import annotations

from typing import Any

PROBLEM_CONTENT_TYPE = "application/problem+json"
_BASE = "https://api.backend.ai/probs/"

AUTH_FAILED = _BASE + "auth-failed"
INVALID_API_PARAMS = _BASE + "invalid-api-params"
INVALID_AUTH_PARAMS = _BASE + "invalid-auth-params"
GENERIC_BAD_REQUEST = _BASE + "generic-bad-request"
GENERIC_FORBIDDEN = _BASE + "generic-forbidden"
OBJECT_NOT_FOUND = _BASE + "object-not-found"
METHOD_NOT_ALLOWED = _BASE + "method-not-allowed"
TOO_MANY_REQUESTS = _BASE + "too-many-requests"
REQUEST_TOO_LARGE = _BASE + "request-too-large"
UNSUPPORTED_MEDIA_TYPE = _BASE + "unsupported-media-type"
BAD_GATEWAY = _BASE + "bad-gateway"
INTERNAL_SERVER_ERROR = _BASE + "internal-server-error"
SERVICE_UNAVAILABLE = _BASE + "service-unavailable"
EMAIL_ALREADY_EXISTS = _BASE + "email-already-exists"
USERNAME_ALREADY_EXISTS = _BASE + "username-already-exists"
WEAK_PASSWORD = _BASE + "weak-password"
REQUIRE_CONSENT = _BASE + "require-consent"
# Backend.AI's two-factor steps of a log-in (HTTP 200, no session yet).
REQUIRE_TOTP_AUTHENTICATION = _BASE + "require-totp-authentication"
REQUIRE_TOTP_REGISTRATION = _BASE + "require-totp-registration"
# Backend.AI's client asks for the code only on exactly this `details`.
OTP_NOT_PROVIDED = "OTP not provided"
PASSWORD_EXPIRED = _BASE + "password-expired"
SAME_PASSWORD = _BASE + "same-password"
CONFLICT = _BASE + "conflict"
# portico's own: the action needs the password or a second factor given again, just now.
STEP_UP_REQUIRED = "https://portico.dev/probs/step-up-required"


def problem(type_: str, title: str, status: int, **extra: Any) -> dict[str, Any]:
    """A problem document; `msg` mirrors `details` because Backend.AI's clients read either."""
    doc: dict[str, Any] = {"type": type_, "title": title, "status": status}
    doc.update({key: value for key, value in extra.items() if value is not None})
    if "details" in doc and "msg" not in doc:
        doc["msg"] = doc["details"]
    return doc
