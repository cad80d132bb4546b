"""The root fields of schema.graphql, each through a portico service: values as Backend.AI's
clients read them (snake_case keys; the schema's default resolver takes them from dicts)."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError, GraphQLResolveInfo

from portico.db.models import UserRole, UserStatus
from portico.manager.services.administration import rank
from portico.manager.services.directory import Account, KeypairRow, ListQuery
from portico.manager.services.request_auth import Caller
from portico.wire.minilang import parse_filter, parse_order

if TYPE_CHECKING:
    from portico.manager.container import ManagerServices

Resolver = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class Context:
    caller: Caller
    services: ManagerServices
    client_address: str = ""


Info = GraphQLResolveInfo[Context]


def _context(info: Info) -> Context:
    return info.context


def _page(limit: int, offset: int, condition: str | None, order: str | None) -> ListQuery:
    """A list's page, with its filter and order in Backend.AI's language."""
    return ListQuery(
        limit,
        offset,
        parse_filter(condition) if condition else None,
        parse_order(order) if order else [],
    )


def _superadmin(caller: Caller, what: str) -> None:
    if caller.role != UserRole.SUPERADMIN:
        raise GraphQLError(f"{what}: superadministrators only")


def _user(a: Account) -> dict[str, Any]:
    return {
        "id": str(a.user_id),
        "uuid": a.user_id,
        "username": a.username,
        "email": a.email,
        "need_password_change": a.need_password_change,
        "full_name": a.full_name,
        "description": a.description,
        "is_active": a.status == UserStatus.ACTIVE,
        "status": a.status,
        "status_info": a.status_info,
        "created_at": a.created_at,
        "modified_at": a.modified_at,
        "domain_name": a.domain_name,
        "role": a.role,
        "resource_policy": a.resource_policy,
        "allowed_client_ip": [],
        "totp_activated": a.totp_activated,
        "sudo_session_enabled": False,
        "main_access_key": a.main_access_key,
        "groups": [{"id": gid, "name": name} for gid, name in a.groups],
    }


def _keypair(k: KeypairRow) -> dict[str, Any]:
    return {
        "user_id": k.owner_email,
        "access_key": k.access_key,
        # portico shows a secret key once, when it is made; never again, to anyone.
        "secret_key": None,
        "is_active": k.is_active,
        "is_admin": k.is_admin,
        "resource_policy": k.resource_policy,
        "created_at": k.created_at,
        "last_used": k.last_used,
        "rate_limit": k.rate_limit,
        "user": k.owner_id,
        "projects": k.projects,
        "concurrency_used": k.sessions_running,
        "user_info": {"email": k.owner_email, "full_name": k.owner_full_name},
    }


# -- accounts and keypairs --------------------------------------------------------------------


async def keypair(
    _root: None, info: Info, access_key: str | None = None, **_: Any
) -> dict[str, Any] | None:
    ctx = _context(info)
    found = await ctx.services.directory.keypair(ctx.caller, access_key)
    return None if found is None else _keypair(found)


async def keypair_list(
    _root: None,
    info: Info,
    limit: int,
    offset: int,
    filter: str | None = None,
    order: str | None = None,
    domain_name: str | None = None,
    email: str | None = None,
    is_active: bool | None = None,
) -> dict[str, Any]:
    ctx = _context(info)
    found = await ctx.services.directory.keypairs(
        ctx.caller,
        _page(limit, offset, filter, order),
        is_active=is_active,
        email=email,
        domain_name=domain_name,
    )
    return {"items": [_keypair(k) for k in found.items], "total_count": found.total}


async def user(
    _root: None, info: Info, email: str | None = None, **_: Any
) -> dict[str, Any] | None:
    ctx = _context(info)
    found = await ctx.services.directory.account(ctx.caller, email)
    return None if found is None else _user(found)


async def user_list(
    _root: None,
    info: Info,
    limit: int,
    offset: int,
    filter: str | None = None,
    order: str | None = None,
    domain_name: str | None = None,
    group_id: uuid.UUID | None = None,
    is_active: bool | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    ctx = _context(info)
    found = await ctx.services.directory.accounts(
        ctx.caller,
        _page(limit, offset, filter, order),
        status=status,
        is_active=is_active,
        group_id=group_id,
        domain_name=domain_name,
    )
    return {"items": [_user(a) for a in found.items], "total_count": found.total}


async def viewer(_root: None, info: Info) -> dict[str, Any]:
    ctx = _context(info)
    me = await ctx.services.directory.account(ctx.caller)
    caller = ctx.caller
    return {
        "user_id": caller.user_id,
        "encoded_user_role": base64.b64encode(caller.role.encode()).decode(),
        "user": None
        if me is None
        else {
            "id": str(me.user_id),
            "email": me.email,
            "username": me.username,
            "full_name": me.full_name,
            "role": me.role,
        },
    }


def _user_v2(a: Account) -> dict[str, Any]:
    return {
        "id": str(a.user_id),
        "basicInfo": {
            "username": a.username,
            "email": a.email,
            "fullName": a.full_name,
            "description": a.description,
            "integrationName": None,
        },
        "status": {
            "status": a.status.upper().replace("-", "_"),
            "statusInfo": a.status_info,
            "needPasswordChange": a.need_password_change,
        },
        "organization": {
            "domainName": a.domain_name,
            "role": a.role.upper(),
            "resourcePolicy": a.resource_policy,
            "mainAccessKey": a.main_access_key,
        },
        "security": {
            "allowedClientIp": [],
            "totpActivated": a.totp_activated,
            "totpActivatedAt": None,
            "sudoSessionEnabled": False,
        },
        "container": {"containerUid": None, "containerMainGid": None, "containerGids": []},
        "timestamps": {"createdAt": a.created_at, "modifiedAt": a.modified_at},
    }


async def my_user_v2(_root: None, info: Info) -> dict[str, Any] | None:
    ctx = _context(info)
    me = await ctx.services.directory.account(ctx.caller)
    return None if me is None else _user_v2(me)


async def my_client_ip(_root: None, info: Info) -> dict[str, Any]:
    return {"clientIp": _context(info).client_address}


# -- policies, projects, domains, resource groups, agents --------------------------------------


def _policy(p: Any) -> dict[str, Any]:
    return {
        "name": p.name,
        "created_at": p.created_at,
        "total_resource_slots": p.total_resource_slots,
        "max_session_lifetime": p.max_session_lifetime,
        "max_concurrent_sessions": p.max_concurrent_sessions,
        "max_containers_per_session": p.max_containers_per_session,
        "idle_timeout": p.idle_timeout,
        "allowed_vfolder_hosts": {},
        "max_concurrent_sftp_sessions": 0,
        "max_pending_session_count": None,
        "max_pending_session_resource_slots": None,
        "max_vfolder_count": 0,
        "max_vfolder_size": 0,
        "max_quota_scope_size": 0,
    }


async def keypair_resource_policies(_root: None, info: Info) -> list[dict[str, Any]]:
    ctx = _context(info)
    policies = await ctx.services.resources.list_policies()
    if rank(ctx.caller.role) == 0:  # a user sees the policy of her own keypair only
        own = await ctx.services.directory.keypair(ctx.caller)
        policies = [p for p in policies if own is not None and p.name == own.resource_policy]
    return [_policy(p) for p in policies]


async def keypair_resource_policy(
    _root: None, info: Info, name: str | None = None
) -> dict[str, Any] | None:
    ctx = _context(info)
    if name is None:
        own = await ctx.services.directory.keypair(ctx.caller)
        name = own.resource_policy if own is not None else None
    visible = await keypair_resource_policies(None, info)
    return next((p for p in visible if p["name"] == name), None)


async def groups(
    _root: None,
    info: Info,
    domain_name: str | None = None,
    is_active: bool | None = None,
    type: list[str] | None = None,
) -> list[dict[str, Any]]:
    ctx = _context(info)
    if type is not None and "GENERAL" not in type:
        return []  # portico's projects are all of Backend.AI's GENERAL kind
    found = await ctx.services.directory.projects(
        ctx.caller, domain_name=domain_name, is_active=is_active
    )
    return [
        {
            "id": p.id,
            "name": p.name,
            "description": p.description,
            "is_active": p.is_active,
            "created_at": p.created_at,
            "domain_name": p.domain_name,
            "integration_id": None,
            "resource_policy": "default",
            "type": "GENERAL",
        }
        for p in found
    ]


async def group(
    _root: None,
    info: Info,
    id: uuid.UUID,
    **kwargs: Any,
) -> dict[str, Any] | None:
    found = await groups(None, info, domain_name=kwargs.get("domain_name"), type=kwargs.get("type"))
    return next((g for g in found if g["id"] == id), None)


async def domains(_root: None, info: Info, is_active: bool | None = None) -> list[dict[str, Any]]:
    ctx = _context(info)
    found = await ctx.services.directory.domains(ctx.caller, is_active=is_active)
    return [
        {
            "name": d.name,
            "description": d.description,
            "is_active": d.is_active,
            "created_at": d.created_at,
            "total_resource_slots": d.total_resource_slots,
            "allowed_vfolder_hosts": {},
            "allowed_docker_registries": [],
            "integration_id": None,
        }
        for d in found
    ]


async def domain(_root: None, info: Info, name: str | None = None) -> dict[str, Any] | None:
    ctx = _context(info)
    wanted = name or ctx.caller.domain_name
    return next((d for d in await domains(None, info) if d["name"] == wanted), None)


async def scaling_groups(
    _root: None, info: Info, name: str | None = None, is_active: bool | None = None
) -> list[dict[str, Any]]:
    ctx = _context(info)
    found = await ctx.services.resources.list_groups()
    return [
        {
            "name": g.name,
            "description": g.description,
            "is_active": g.is_active,
            "is_public": True,
            "created_at": g.created_at,
            "wsproxy_addr": None,
            "wsproxy_api_token": None,
            "driver": "static",
            "scheduler": "fifo",
            "use_host_network": False,
        }
        for g in found
        if (name is None or g.name == name) and (is_active is None or g.is_active == is_active)
    ]


async def agent_list(
    _root: None,
    info: Info,
    limit: int,
    offset: int,
    filter: str | None = None,
    order: str | None = None,
    scaling_group: str | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    ctx = _context(info)
    _superadmin(ctx.caller, "agent_list")
    page = _page(limit, offset, filter, order)
    if page.condition is not None or page.order:
        raise GraphQLError(
            "agent_list: filter and order are not offered; use scaling_group and status"
        )
    agents = await ctx.services.agents.all_in(scaling_group)
    if status:
        wanted = status.upper() == "ALIVE"
        agents = [a for a in agents if a.alive == wanted]
    shown = agents[page.offset : page.offset + page.limit]
    return {
        "items": [
            {
                "id": a.id,
                "status": "ALIVE" if a.alive else "LOST",
                "region": None,
                "scaling_group": a.resource_group,
                "available_slots": a.capacity,
                "occupied_slots": {},
                "architecture": None,
                "first_contact": None,
                "cpu_cur_pct": a.cpu_util,
                "mem_cur_bytes": float(a.mem_used),
            }
            for a in shown
        ],
        "total_count": len(agents),
    }


# -- what portico does not run: compute sessions, images, folders, storage volumes -------------


async def _empty_list(
    _root: None,
    _info: Info,
    limit: int,
    offset: int,
    filter: str | None = None,
    order: str | None = None,
    **_: Any,
) -> dict[str, Any]:
    _page(limit, offset, filter, order)  # still a request to check: paging, filter syntax
    return {"items": [], "total_count": 0}


async def _empty(_root: None, _info: Info, **_: Any) -> list[Any]:
    return []


async def _nothing(_root: None, _info: Info, **_: Any) -> None:
    return None


ROOTS: dict[str, Resolver] = {
    "keypair": keypair,
    "keypair_list": keypair_list,
    "user": user,
    "user_list": user_list,
    "viewer": viewer,
    "myUserV2": my_user_v2,
    "myClientIp": my_client_ip,
    "keypair_resource_policies": keypair_resource_policies,
    "keypair_resource_policy": keypair_resource_policy,
    "groups": groups,
    "group": group,
    "domains": domains,
    "domain": domain,
    "scaling_groups": scaling_groups,
    "agent_list": agent_list,
    "images": _empty,
    "vfolder_list": _empty_list,
    "storage_volume_list": _empty_list,
    "compute_session_list": _empty_list,
    "compute_session": _nothing,
}
