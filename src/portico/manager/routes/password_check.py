"""POST /portico/password-check: which of the policy's rules a candidate password breaks.

The console's checklist asks here as the user types, so it shows exactly the server's rules
(the common-password list included) without a copy of them in JavaScript. It knows no account
and stores nothing; a per-address rate limit keeps it from being a free oracle for scripts.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field

from portico.manager.deps import ClientAddress, Services
from portico.manager.routes import answers
from portico.manager.routes.bodies import Body

router = APIRouter()


class CandidateBody(Body):
    password: str = Field(max_length=4096)
    email: str = Field("", max_length=256)
    username: str = Field("", max_length=64)


@router.post("/portico/password-check")
async def password_check(
    body: CandidateBody, svc: Services, address: ClientAddress
) -> answers.CandidateCheck:
    await svc.password_checks.take(address or "-")
    policy = svc.password_policy
    found = policy.violations(body.password, email=body.email, username=body.username)
    return answers.CandidateCheck(
        ok=not found,
        rules=policy.rules(),
        violations=[v.as_reason() for v in found],
    )
