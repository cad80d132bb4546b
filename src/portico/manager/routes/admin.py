"""Administration over the signed API: accounts, pending sign-ups, invitations, the audit trail.

Every route answers 401 without a valid signature and 403 to anyone but an admin; role
changes are for superadmins only (the service says so).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from portico.db.models import TokenPurpose
from portico.manager.credentials.tokens import TokenInfo
from portico.manager.deps import Acting, Services, SignedCaller
from portico.manager.errors import NotFound
from portico.manager.routes import answers
from portico.manager.routes.bodies import Body
from portico.manager.services.administration import Administration
from portico.manager.services.audit import Actor, AuditKind
from portico.manager.services.resources import parse_memory

router = APIRouter(prefix="/admin")


@dataclass(frozen=True)
class Admin:
    actor: Actor
    role: str


async def admin_caller(caller: SignedCaller, actor: Acting) -> Admin:
    Administration.require_admin(caller.role)
    return Admin(actor, caller.role)


AdminCaller = Annotated[Admin, Depends(admin_caller)]


class EmailBody(Body):
    email: str = Field(max_length=256)


class RoleBody(Body):
    role: Literal["superadmin", "admin", "user", "monitor"]


class InvitationBody(Body):
    ttl_hours: int = Field(72, gt=0, le=24 * 90)
    uses: int = Field(1, gt=0, le=1000)
    project: str | None = Field(None, max_length=64)
    email: str | None = Field(None, max_length=256)
    language: str = Field("", max_length=16)


# -- accounts ------------------------------------------------------------------------------------


@router.get("/users")
async def users(
    admin: AdminCaller,
    svc: Services,
    search: Annotated[str, Query(max_length=256)] = "",
    status: Annotated[str, Query(max_length=32)] = "",
    role: Annotated[str, Query(max_length=32)] = "",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> answers.AccountPage:
    found = await svc.administration.find(
        search=search, status=status, role=role, page=page, per_page=per_page
    )
    return answers.AccountPage(
        users=[answers.AccountRow(**a.as_dict()) for a in found.accounts],
        total=found.total,
        page=found.page,
        pages=found.pages,
    )


@router.get("/users/{user_id}")
async def user_detail(
    user_id: uuid.UUID, admin: AdminCaller, svc: Services
) -> answers.AccountDetail:
    return answers.AccountDetail(**await svc.administration.detail(user_id))


_OK = answers.Ok()


@router.post("/users/{user_id}/activate")
async def activate(user_id: uuid.UUID, admin: AdminCaller, svc: Services) -> answers.Ok:
    await svc.administration.set_active(user_id, True, admin.actor)
    return _OK


@router.post("/users/{user_id}/deactivate")
async def deactivate(user_id: uuid.UUID, admin: AdminCaller, svc: Services) -> answers.Ok:
    await svc.administration.set_active(user_id, False, admin.actor)
    return _OK


@router.post("/users/{user_id}/role")
async def set_role(
    user_id: uuid.UUID, body: RoleBody, admin: AdminCaller, svc: Services
) -> answers.Ok:
    await svc.administration.set_role(user_id, body.role, admin.actor, admin.role)
    return _OK


@router.post("/users/{user_id}/unlock")
async def unlock(user_id: uuid.UUID, admin: AdminCaller, svc: Services) -> answers.Ok:
    await svc.administration.unlock(user_id, admin.actor)
    return _OK


@router.post("/users/{user_id}/clear-two-factor")
async def clear_two_factor(user_id: uuid.UUID, admin: AdminCaller, svc: Services) -> answers.Ok:
    await svc.administration.clear_two_factor(user_id, admin.actor)
    return _OK


@router.post("/users/{user_id}/require-password-change")
async def require_password_change(
    user_id: uuid.UUID, admin: AdminCaller, svc: Services
) -> answers.Ok:
    await svc.administration.require_password_change(user_id, admin.actor)
    return _OK


@router.post("/users/{user_id}/end-sessions")
async def end_sessions(user_id: uuid.UUID, admin: AdminCaller, svc: Services) -> answers.Ok:
    await svc.administration.end_sessions(user_id, admin.actor)
    return _OK


@router.post("/users/{user_id}/resend-verification")
async def resend_verification(user_id: uuid.UUID, admin: AdminCaller, svc: Services) -> answers.Ok:
    await svc.administration.resend_verification(user_id, admin.actor)
    return _OK


@router.post("/users/{user_id}/approve")
async def approve(user_id: uuid.UUID, admin: AdminCaller, svc: Services) -> answers.Ok:
    await svc.administration.decide(user_id, True, admin.actor)
    return _OK


@router.post("/users/{user_id}/reject")
async def reject(user_id: uuid.UUID, admin: AdminCaller, svc: Services) -> answers.Ok:
    await svc.administration.decide(user_id, False, admin.actor)
    return _OK


# Backend.AI-era shapes, kept for scripts that use them.


@router.get("/pending-users")
async def pending_users(admin: AdminCaller, svc: Services) -> answers.PendingList:
    users = await svc.signup.pending()
    return answers.PendingList(
        users=[
            answers.PendingRow(
                id=str(u.user_id),
                email=u.email,
                username=u.username,
                created_at=u.created_at.isoformat(),
            )
            for u in users
        ]
    )


@router.post("/activate-user")
async def activate_user(body: EmailBody, admin: AdminCaller, svc: Services) -> answers.Ok:
    await svc.administration.target_by_email(body.email, admin.actor, "status")
    await svc.signup.activate(body.email, admin.actor)
    return _OK


@router.post("/unlock-user")
async def unlock_user(body: EmailBody, admin: AdminCaller, svc: Services) -> answers.Ok:
    """Lift a log-in block before it ends by itself."""
    await svc.administration.target_by_email(body.email, admin.actor, "unlock")
    await svc.accounts.unlock(body.email, admin.actor)
    return _OK


# -- invitations ---------------------------------------------------------------------------------


@router.get("/invitations")
async def invitations(admin: AdminCaller, svc: Services) -> answers.InvitationList:
    now = time.time()
    listed = await svc.tokens.all_for(TokenPurpose.INVITATION)

    def state(t: TokenInfo) -> answers.InvitationState:
        if t.revoked:
            return "revoked"
        if t.uses_left <= 0:
            return "used"
        return "expired" if t.expires_at <= now else "open"

    return answers.InvitationList(
        invitations=[
            answers.InvitationRow(
                id=t.id,
                email=t.email,
                project=t.group_name or "default",
                uses=t.max_uses,
                uses_left=t.uses_left,
                expires_at=t.expires_at,
                created_at=t.created_at.isoformat(),
                state=state(t),
            )
            for t in reversed(listed)
        ]
    )


@router.post("/invitations", status_code=201)
async def create_invitation(
    body: InvitationBody, admin: AdminCaller, svc: Services
) -> answers.InvitationLink:
    if body.project and not await svc.projects.exists(body.project):
        raise NotFound(f"no project {body.project!r}")
    link = await svc.signup.invite(
        ttl=body.ttl_hours * 3600,
        uses=body.uses,
        email=body.email or None,
        group_name=body.project,
        language=body.language,
        actor=admin.actor,
    )
    return answers.InvitationLink(link=link)


@router.delete("/invitations/{invitation_id}")
async def revoke_invitation(invitation_id: int, admin: AdminCaller, svc: Services) -> answers.Ok:
    if not await svc.tokens.revoke(invitation_id, TokenPurpose.INVITATION):
        raise NotFound("no open invitation with that id")
    await svc.audit.record(
        AuditKind.INVITATION_REVOKED, actor=admin.actor, details={"invitation": invitation_id}
    )
    return _OK


# -- resource policies and groups ------------------------------------------------------------------


class PolicyLimits(Body):
    cpu: float | None = Field(None, ge=0, le=1e6)
    mem: str | None = Field(None, max_length=32)  # "16g", "512m" or bytes
    gpu: float | None = Field(None, ge=0, le=1e6)
    max_sessions: int = Field(1, ge=0, le=100000)

    def slots(self) -> dict[str, float | int]:
        found: dict[str, float | int] = {}
        if self.cpu is not None:
            found["cpu"] = self.cpu
        if self.mem:
            found["mem"] = parse_memory(self.mem)
        if self.gpu is not None:
            found["cuda.device"] = self.gpu
        return found


class NewPolicy(PolicyLimits):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class NewGroup(Body):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    description: str = Field("", max_length=512)


class PolicyChoice(Body):
    policy: str = Field(min_length=1, max_length=64)


@router.get("/resource-policies")
async def resource_policies(admin: AdminCaller, svc: Services) -> answers.PolicyList:
    return answers.PolicyList(
        policies=[
            answers.PolicyRow(
                name=p.name,
                total_resource_slots=p.total_resource_slots,
                max_concurrent_sessions=p.max_concurrent_sessions,
            )
            for p in await svc.resources.list_policies()
        ]
    )


@router.post("/resource-policies", status_code=201)
async def create_policy(body: NewPolicy, admin: AdminCaller, svc: Services) -> answers.Ok:
    await svc.resources.create_policy(body.name, body.slots(), body.max_sessions)
    await svc.audit.record(
        AuditKind.POLICY_CREATED, actor=admin.actor, details={"policy": body.name}
    )
    return _OK


@router.post("/resource-policies/{name}")
async def update_policy(
    name: str, body: PolicyLimits, admin: AdminCaller, svc: Services
) -> answers.Ok:
    await svc.resources.update_policy(name, body.slots(), body.max_sessions)
    await svc.audit.record(AuditKind.POLICY_UPDATED, actor=admin.actor, details={"policy": name})
    return _OK


@router.post("/users/{user_id}/resource-policy")
async def assign_policy(
    user_id: uuid.UUID, body: PolicyChoice, admin: AdminCaller, svc: Services
) -> answers.Ok:
    await svc.administration.target(user_id, admin.actor, "resource-policy")
    account = await svc.administration.detail(user_id)  # NotFound for an unknown account
    await svc.resources.set_user_policy(user_id, body.policy)
    await svc.audit.record(
        AuditKind.POLICY_ASSIGNED,
        actor=admin.actor,
        subject_id=user_id,
        subject=account["email"],
        outcome=body.policy,
    )
    return _OK


@router.get("/resource-groups")
async def resource_groups(admin: AdminCaller, svc: Services) -> answers.GroupList:
    return answers.GroupList(
        groups=[
            answers.GroupRow(name=g.name, description=g.description, is_active=g.is_active)
            for g in await svc.resources.list_groups()
        ]
    )


@router.post("/resource-groups", status_code=201)
async def create_group(body: NewGroup, admin: AdminCaller, svc: Services) -> answers.Ok:
    await svc.resources.create_group(body.name, body.description)
    await svc.audit.record(AuditKind.GROUP_CREATED, actor=admin.actor, details={"group": body.name})
    return _OK


# -- the audit trail -----------------------------------------------------------------------------


@router.get("/audit")
async def audit(
    admin: AdminCaller,
    svc: Services,
    account: Annotated[str, Query(max_length=320)] = "",
    kind: Annotated[str, Query(max_length=48)] = "",
    since: Annotated[float | None, Query(ge=0)] = None,
    until: Annotated[float | None, Query(ge=0)] = None,
    before: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> answers.AuditList:
    entries = await svc.audit.query(
        account=account or None,
        kind=kind or None,
        since=since,
        until=until,
        before_id=before,
        limit=limit,
    )
    return answers.AuditList(entries=[answers.AuditRow(**e.as_dict()) for e in entries])
