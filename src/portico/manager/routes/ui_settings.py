"""GET /portico/ui-settings: what the webserver's UI config needs to know from the manager.

The manager owns and enforces these switches; the webserver only shows them, so a split
deployment cannot disagree with itself.
"""

from __future__ import annotations

from fastapi import APIRouter

from portico.manager.deps import Services
from portico.manager.routes import answers

router = APIRouter()


@router.get("/portico/ui-settings")
async def ui_settings(svc: Services) -> answers.UiSettings:
    s = svc.settings
    return answers.UiSettings(
        signup={
            "mode": s.signup.mode,
            "enabled": s.signup.mode != "closed",
            "email_verification": s.signup.email_verification,
            "approval": s.signup.approval,
        },
        recovery={"enabled": s.recovery.enabled, "unlock_link": svc.unlock.enabled},
        password_policy=svc.password_policy.describe(),
        consent={
            "terms_version": s.consent.terms_version,
            "privacy_version": s.consent.privacy_version,
        },
        login={
            "allowed_fail_count": s.session.login_allowed_fail_count,
            "block_time": s.session.login_block_time,
        },
        two_factor={"mode": s.auth.two_factor, "passkeys": svc.passkeys.enabled},
    )
