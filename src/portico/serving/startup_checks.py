"""Start-up self-checks: settings that would make portico unsafe or broken say so in one line
each before anything is served. An error stops the service; a warning is logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from portico.config import Settings

log = logging.getLogger("portico.checks")

Role = Literal["serve", "manager", "webserver"]
MIN_SECRET_LENGTH = 32
# Values people paste from examples; a secret anyone can read is no secret.
KNOWN_SECRETS = {"change-me", "changeme", "secret", "portico", "please-change-me"}


@dataclass(frozen=True)
class Finding:
    level: Literal["error", "warning"]
    message: str


def findings(settings: Settings, role: Role) -> list[Finding]:
    found: list[Finding] = []
    secret = settings.security.secret_key
    public = settings.service.public_url
    https = public.startswith("https://")
    if secret and (secret.lower() in KNOWN_SECRETS or len(secret) < MIN_SECRET_LENGTH):
        found.append(
            Finding(
                "error",
                f"[security] secret_key is a well-known or short value: use {MIN_SECRET_LENGTH}+ "
                "random characters (python -c 'import secrets; print(secrets.token_urlsafe(48))')",
            )
        )
    if not secret and role != "serve":
        found.append(
            Finding(
                "warning",
                "[security] secret_key is empty: each machine generates its own, so managers and "
                "webservers on different machines cannot share keypairs; set the same one on all",
            )
        )
    if role != "manager" and https and settings.security.cookie_secure == "false":
        found.append(
            Finding(
                "error",
                f'[security] cookie_secure = "false" while [service] public_url is {public}: '
                "the session cookie would travel without TLS",
            )
        )
    if role != "webserver":
        mails = settings.signup.mode != "closed" or settings.recovery.enabled
        if mails and not public:
            found.append(
                Finding(
                    "warning",
                    "sign-up or recovery is on but [service] public_url is empty: mailed links "
                    "will name http://<ip>:<port> of this server",
                )
            )
        if mails and settings.email.backend == "console" and https:
            found.append(
                Finding(
                    "warning",
                    'sign-up or recovery is on with [email] backend = "console": mail is '
                    "printed to the log, links included, and nobody receives it",
                )
            )
    if role != "serve" and settings.database_url.startswith("sqlite"):
        found.append(
            Finding(
                "warning",
                f"`portico {role}` on SQLite: run several processes on PostgreSQL "
                "([db] url); SQLite is for the one-process `portico serve`",
            )
        )
    return found


def run_checks(settings: Settings, role: Role) -> bool:
    """Log every finding; False when one of them is an error (the service must not start)."""
    ok = True
    for finding in findings(settings, role):
        if finding.level == "error":
            log.error("refusing to start: %s", finding.message)
            ok = False
        else:
            log.warning("%s", finding.message)
    return ok
