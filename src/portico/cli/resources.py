"""`portico policy|project|resource-group|agent-credential ...`: what accounts may use."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from portico.cli.common import Subcommands, Table, needs_services

if TYPE_CHECKING:  # loaded by the command that runs, not by `portico webserver`
    from portico.manager.container import ManagerServices


def register(sub: Subcommands) -> Table:
    policy = sub.add_parser("policy", help="keypair resource policies").add_subparsers(
        dest="policy_command", required=True
    )
    pcreate = policy.add_parser("create", help="create a keypair resource policy")
    pcreate.add_argument("--name", required=True)
    pcreate.add_argument("--cpu", type=float, help="cores (omit for no limit)")
    pcreate.add_argument("--mem", help="memory, e.g. 16g (omit for no limit)")
    pcreate.add_argument("--gpu", type=float, help="CUDA devices (omit for no limit)")
    pcreate.add_argument("--max-sessions", type=int, default=1, help="concurrent sessions")
    policy.add_parser("list", help="list keypair resource policies")

    project = sub.add_parser("project", help="projects (groups of users)").add_subparsers(
        dest="project_command", required=True
    )
    prcreate = project.add_parser("create", help="create a project")
    prcreate.add_argument("--name", required=True)
    prcreate.add_argument("--description", default="")
    project.add_parser("list", help="list projects")

    group = sub.add_parser("resource-group", help="resource groups").add_subparsers(
        dest="resource_group_command", required=True
    )
    gcreate = group.add_parser("create", help="create a resource group")
    gcreate.add_argument("--name", required=True)
    gcreate.add_argument("--description", default="")
    group.add_parser("list", help="list resource groups")

    credential = sub.add_parser("agent-credential", help="credentials for remote agents")
    credential_sub = credential.add_subparsers(dest="agent_credential_command", required=True)
    ccreate = credential_sub.add_parser("create", help="create (or replace) an agent credential")
    ccreate.add_argument("--name", required=True, help="the agent's id")
    ccreate.add_argument("--resource-group", default="default")
    return {
        ("policy", "create"): _policy_create,
        ("policy", "list"): _policy_list,
        ("project", "create"): _project_create,
        ("project", "list"): _project_list,
        ("resource-group", "create"): _group_create,
        ("resource-group", "list"): _group_list,
        ("agent-credential", "create"): _agent_credential_create,
    }


@needs_services
async def _policy_create(svc: ManagerServices, args: argparse.Namespace) -> int:
    from portico.manager.services.resources import parse_memory

    slots: dict[str, float | int] = {}
    if args.cpu is not None:
        slots["cpu"] = args.cpu
    if args.mem is not None:
        slots["mem"] = parse_memory(args.mem)
    if args.gpu is not None:
        slots["cuda.device"] = args.gpu
    await svc.resources.create_policy(args.name, slots, args.max_sessions)
    print(f"policy {args.name} created")
    return 0


@needs_services
async def _policy_list(svc: ManagerServices, args: argparse.Namespace) -> int:
    print(f"{'NAME':20} {'CPU':>6} {'MEMORY':>12} {'GPU':>5} {'SESSIONS':>8}")
    for p in await svc.resources.list_policies():
        slots = p.total_resource_slots
        mem = slots.get("mem")
        print(
            f"{p.name:20} {slots.get('cpu', '-')!s:>6} "
            f"{(f'{mem / 1024**3:.1f} GiB' if mem else '-'):>12} "
            f"{slots.get('cuda.device', '-')!s:>5} {p.max_concurrent_sessions:>8}"
        )
    return 0


@needs_services
async def _project_create(svc: ManagerServices, args: argparse.Namespace) -> int:
    await svc.projects.create(args.name, args.description)
    print(f"project {args.name} created")
    return 0


@needs_services
async def _project_list(svc: ManagerServices, args: argparse.Namespace) -> int:
    for name, description in await svc.projects.names_and_descriptions():
        print(f"{name:24} {description}")
    return 0


@needs_services
async def _group_create(svc: ManagerServices, args: argparse.Namespace) -> int:
    await svc.resources.create_group(args.name, args.description)
    print(f"resource group {args.name} created")
    return 0


@needs_services
async def _group_list(svc: ManagerServices, args: argparse.Namespace) -> int:
    agents = await svc.agents.all_in()
    for g in await svc.resources.list_groups():
        nodes = [a for a in agents if a.resource_group == g.name]
        alive = sum(a.alive for a in nodes)
        print(f"{g.name:20} {alive}/{len(nodes)} nodes alive  {g.description}")
    return 0


@needs_services
async def _agent_credential_create(svc: ManagerServices, args: argparse.Namespace) -> int:
    print(await svc.agents.issue_credential(args.name, args.resource_group))
    return 0
