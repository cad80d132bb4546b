"""The `portico` command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from portico.config import ConfigError, Settings, load_settings
from portico.malloc_arenas import limit_malloc_arenas
from portico.manager.errors import DomainError

if TYPE_CHECKING:  # the webserver must not import the manager's stack just to start
    from portico.manager.container import ManagerServices

SERVICES = ("manager", "webserver", "serve")
Command = Callable[[Settings, argparse.Namespace], Awaitable[int]]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portico", description=__doc__)
    parser.add_argument("--config", type=Path, help="TOML configuration file")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("manager", help="run the manager (account & API service)")
    sub.add_parser("webserver", help="run the webserver (console server)")
    sub.add_parser("serve", help="run manager and webserver together (the embedded default)")

    db = sub.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help="apply all migrations")

    user = sub.add_parser("user", help="accounts").add_subparsers(
        dest="user_command", required=True
    )
    create = user.add_parser("create", help="create an account; prints its access key")
    create.add_argument("--email", required=True)
    create.add_argument("--username")
    create.add_argument(
        "--role", default="user", choices=["superadmin", "admin", "user", "monitor"]
    )
    create.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from standard input (never from the command line)",
    )
    user.add_parser("list", help="list accounts")
    user.add_parser("pending", help="list accounts waiting for approval")
    activate = user.add_parser("activate", help="approve an account waiting for approval")
    activate.add_argument("--email", required=True)
    setpw = user.add_parser(
        "set-password",
        help="set an account's password (ends its sessions, lifts a block, mails the owner)",
    )
    setpw.add_argument("--email", required=True)
    setpw.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from standard input (never from the command line)",
    )
    unlock = user.add_parser("unlock", help="lift a log-in block (after too many failures)")
    unlock.add_argument("--email", required=True, help="the e-mail address or user name")

    invite = sub.add_parser("invite", help="invitation tokens").add_subparsers(
        dest="invite_command", required=True
    )
    make = invite.add_parser("create", help="create an invitation; prints the token once")
    make.add_argument("--email", help="only this address may use it")
    make.add_argument(
        "--expires",
        default="7d",
        type=_duration,
        help="lifetime: 30m, 12h, 7d or seconds (default 7d)",
    )
    make.add_argument("--uses", type=int, default=1, help="how many sign-ups it allows")
    make.add_argument("--group", help="project the new accounts join (default: default)")
    invite.add_parser("list", help="list invitations (never their tokens)")
    revoke = invite.add_parser("revoke", help="revoke an invitation")
    revoke.add_argument("id", type=int)

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

    agent = sub.add_parser("agent", help="report this node to a manager (on another node)")
    agent.add_argument("--manager", required=True, help="the manager's URL")
    agent.add_argument(
        "--token-file", type=Path, help="file holding the agent credential (else [agent] token)"
    )
    credential = sub.add_parser("agent-credential", help="credentials for remote agents")
    credential_sub = credential.add_subparsers(dest="agent_credential_command", required=True)
    ccreate = credential_sub.add_parser("create", help="create (or replace) an agent credential")
    ccreate.add_argument("--name", required=True, help="the agent's id")
    ccreate.add_argument("--resource-group", default="default")

    keypair = sub.add_parser("keypair", help="API keypairs").add_subparsers(
        dest="keypair_command", required=True
    )
    show = keypair.add_parser("show", help="show an account's default keypair")
    show.add_argument("--email", required=True)
    show.add_argument("--reveal", action="store_true", help="also print the secret key")
    setpolicy = keypair.add_parser("set-policy", help="give an account's keypair a policy")
    setpolicy.add_argument("--email", required=True)
    setpolicy.add_argument("--policy", required=True)
    return parser


async def _run_manager(settings: Settings, _args: argparse.Namespace) -> int:
    from portico.manager.app import create_app
    from portico.runner import http_server, serve_all

    await serve_all([http_server(create_app(settings), settings.manager.ip, settings.manager.port)])
    return 0


async def _run_webserver(settings: Settings, _args: argparse.Namespace) -> int:
    from portico.runner import http_server, serve_all
    from portico.webserver.app import create_app

    await serve_all([http_server(create_app(settings), settings.service.ip, settings.service.port)])
    return 0


async def _serve(settings: Settings, _args: argparse.Namespace) -> int:
    from portico.runner import serve_embedded

    await serve_embedded(settings)
    return 0


def _needs_services(
    command: Callable[[ManagerServices, argparse.Namespace], Awaitable[int]],
) -> Command:
    """An operator command that works on the manager's services (and so on the database)."""

    async def run(settings: Settings, args: argparse.Namespace) -> int:
        from portico.manager.container import build_services

        svc = await build_services(settings)
        try:
            return await command(svc, args)
        finally:
            await svc.close()

    return run


async def _db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    from portico.db.engine import create_engine
    from portico.db.migrate import upgrade

    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    print("database is at the latest schema")
    return 0


@_needs_services
async def _user_create(svc: ManagerServices, args: argparse.Namespace) -> int:
    password = _password_from_stdin()
    if password is None:
        return 2

    created = await svc.accounts.create_user(
        email=args.email, username=args.username, password=password, role=args.role
    )
    print(created.access_key)
    return 0


def _password_from_stdin() -> str | None:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        print("error: no password on standard input", file=sys.stderr)
        return None
    return password


@_needs_services
async def _user_set_password(svc: ManagerServices, args: argparse.Namespace) -> int:
    password = _password_from_stdin()
    if password is None:
        return 2
    await svc.passwords.set_by_operator(args.email, password)
    print(f"{args.email}: password set; its sessions ended")
    return 0


@_needs_services
async def _user_list(svc: ManagerServices, args: argparse.Namespace) -> int:
    print(f"{'EMAIL':32} {'USERNAME':24} {'ROLE':10} {'STATUS':20} CREATED")
    for u in await svc.accounts.list_users():
        print(
            f"{u.email:32} {u.username:24} {u.role:10} {u.status:20} {u.created_at:%Y-%m-%d %H:%M}"
        )
    return 0


@_needs_services
async def _keypair_show(svc: ManagerServices, args: argparse.Namespace) -> int:
    access_key, secret_key = await svc.accounts.default_keypair(args.email)
    print(f"access_key: {access_key}")
    if args.reveal:
        print(f"secret_key: {secret_key}")
    return 0


@_needs_services
async def _user_pending(svc: ManagerServices, args: argparse.Namespace) -> int:
    for u in await svc.signup.pending():
        print(f"{u.email:32} {u.username:24} {u.created_at:%Y-%m-%d %H:%M}")
    return 0


@_needs_services
async def _user_activate(svc: ManagerServices, args: argparse.Namespace) -> int:
    await svc.signup.activate(args.email)
    print(f"{args.email} is active")
    return 0


@_needs_services
async def _user_unlock(svc: ManagerServices, args: argparse.Namespace) -> int:
    await svc.accounts.unlock(args.email)
    print(f"{args.email} may log in again")
    return 0


def _duration(text: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    try:
        seconds = int(text[:-1]) * units[text[-1]] if text[-1:] in units else int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (use 30m, 12h, 7d)") from None
    if seconds <= 0:
        raise argparse.ArgumentTypeError("a duration must be positive")
    return seconds


@_needs_services
async def _invite_create(svc: ManagerServices, args: argparse.Namespace) -> int:
    from portico.db.models import TokenPurpose
    from portico.manager.services.accounts import normalize_login_id

    if args.uses < 1:
        print("error: --uses must be at least 1", file=sys.stderr)
        return 2

    if args.group and not await svc.accounts.project_exists(args.group):
        print(f"error: no project {args.group!r}", file=sys.stderr)
        return 1
    token = await svc.tokens.issue(
        TokenPurpose.INVITATION,
        ttl=args.expires,
        uses=args.uses,
        email=normalize_login_id(args.email) if args.email else None,
        group_name=args.group,
    )
    print(token)
    return 0


@_needs_services
async def _invite_list(svc: ManagerServices, args: argparse.Namespace) -> int:
    import time

    from portico.db.models import TokenPurpose

    print(f"{'ID':>4} {'EMAIL':28} {'GROUP':12} {'USES':>7} {'STATE':8} EXPIRES (UTC)")
    for t in await svc.tokens.list(TokenPurpose.INVITATION):
        state = (
            "revoked"
            if t.revoked
            else "expired"
            if t.expires_at <= time.time()
            else "used up"
            if t.uses_left == 0
            else "valid"
        )
        expires = time.strftime("%Y-%m-%d %H:%M", time.gmtime(t.expires_at))
        print(
            f"{t.id:>4} {t.email or '-':28} {t.group_name or 'default':12} "
            f"{t.max_uses - t.uses_left:>3}/{t.max_uses:<3} {state:8} {expires}"
        )
    return 0


@_needs_services
async def _invite_revoke(svc: ManagerServices, args: argparse.Namespace) -> int:
    from portico.db.models import TokenPurpose

    if not await svc.tokens.revoke(args.id, TokenPurpose.INVITATION):
        print(f"error: no live invitation {args.id}", file=sys.stderr)
        return 1
    print(f"invitation {args.id} revoked")
    return 0


@_needs_services
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


@_needs_services
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


@_needs_services
async def _project_create(svc: ManagerServices, args: argparse.Namespace) -> int:
    await svc.accounts.create_project(args.name, args.description)
    print(f"project {args.name} created")
    return 0


@_needs_services
async def _project_list(svc: ManagerServices, args: argparse.Namespace) -> int:
    for name, description in await svc.accounts.list_projects():
        print(f"{name:24} {description}")
    return 0


@_needs_services
async def _group_create(svc: ManagerServices, args: argparse.Namespace) -> int:
    await svc.resources.create_group(args.name, args.description)
    print(f"resource group {args.name} created")
    return 0


@_needs_services
async def _group_list(svc: ManagerServices, args: argparse.Namespace) -> int:
    agents = await svc.agents.list()
    for g in await svc.resources.list_groups():
        nodes = [a for a in agents if a.resource_group == g.name]
        alive = sum(a.alive for a in nodes)
        print(f"{g.name:20} {alive}/{len(nodes)} nodes alive  {g.description}")
    return 0


@_needs_services
async def _keypair_set_policy(svc: ManagerServices, args: argparse.Namespace) -> int:
    access_key, _ = await svc.accounts.default_keypair(args.email)
    await svc.resources.set_keypair_policy(access_key, args.policy)
    print(f"{access_key} now follows policy {args.policy}")
    return 0


@_needs_services
async def _agent_credential_create(svc: ManagerServices, args: argparse.Namespace) -> int:
    print(await svc.agents.issue_credential(args.name, args.resource_group))
    return 0


async def _run_agent(settings: Settings, args: argparse.Namespace) -> int:
    from portico.agent.reporter import run_reporter

    token = args.token_file.read_text().strip() if args.token_file else settings.agent.token
    if not token:
        print("error: no agent credential: use --token-file or set [agent] token", file=sys.stderr)
        return 2
    await run_reporter(args.manager, token, settings.agent.interval)
    return 0


def _command(args: argparse.Namespace) -> Command:
    table: dict[tuple[str, ...], Command] = {
        ("manager",): _run_manager,
        ("webserver",): _run_webserver,
        ("serve",): _serve,
        ("db", "upgrade"): _db_upgrade,
        ("user", "create"): _user_create,
        ("user", "list"): _user_list,
        ("keypair", "show"): _keypair_show,
        ("user", "pending"): _user_pending,
        ("user", "activate"): _user_activate,
        ("user", "unlock"): _user_unlock,
        ("user", "set-password"): _user_set_password,
        ("invite", "create"): _invite_create,
        ("invite", "list"): _invite_list,
        ("invite", "revoke"): _invite_revoke,
        ("policy", "create"): _policy_create,
        ("policy", "list"): _policy_list,
        ("project", "create"): _project_create,
        ("project", "list"): _project_list,
        ("resource-group", "create"): _group_create,
        ("resource-group", "list"): _group_list,
        ("keypair", "set-policy"): _keypair_set_policy,
        ("agent",): _run_agent,
        ("agent-credential", "create"): _agent_credential_create,
    }
    sub = getattr(args, f"{args.command.replace('-', '_')}_command", None)
    return table[(args.command, sub) if sub else (args.command,)]


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop where it is installed (it is on Linux and macOS): a much faster event loop."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command in SERVICES:
        limit_malloc_arenas()
    # Everything portico writes (database, keys, mail files) is for its own user only.
    os.umask(0o077)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        settings = load_settings(args.config)
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            return runner.run(_command(args)(settings, args))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"error: {exc or type(exc).__name__}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
