"""`portico user ...` and `portico keypair ...`: accounts and their API keypairs."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from portico.cli.common import Subcommands, Table, needs_services, password_from_stdin

ROLES = ["superadmin", "admin", "user", "monitor"]

if TYPE_CHECKING:  # loaded by the command that runs, not by `portico webserver`
    from portico.manager.container import ManagerServices


def register(sub: Subcommands) -> Table:
    user = sub.add_parser("user", help="accounts").add_subparsers(
        dest="user_command", required=True
    )
    create = user.add_parser("create", help="create an account; prints its access key")
    create.add_argument("--email", required=True)
    create.add_argument("--username")
    create.add_argument("--role", default="user", choices=ROLES)
    create.add_argument(
        "--must-change-password",
        action="store_true",
        help="a temporary password: the first log-in asks for a new one before anything else",
    )
    _password_stdin(create)
    user.add_parser("list", help="list accounts")
    user.add_parser("pending", help="list accounts waiting for approval")
    activate = user.add_parser("activate", help="approve an account waiting for approval")
    activate.add_argument("--email", required=True)
    setpw = user.add_parser(
        "set-password",
        help="set an account's password (ends its sessions, lifts a block, mails the owner)",
    )
    setpw.add_argument("--email", required=True)
    _password_stdin(setpw)
    link = user.add_parser(
        "reset-link", help="print a one-time link that sets a new password (nothing is mailed)"
    )
    link.add_argument("--email", required=True)
    unlock = user.add_parser("unlock", help="lift a log-in block (after too many failures)")
    unlock.add_argument("--email", required=True, help="the e-mail address or user name")

    keypair = sub.add_parser("keypair", help="API keypairs").add_subparsers(
        dest="keypair_command", required=True
    )
    show = keypair.add_parser("show", help="show an account's default keypair")
    show.add_argument("--email", required=True)
    show.add_argument("--reveal", action="store_true", help="also print the secret key")
    setpolicy = keypair.add_parser("set-policy", help="give an account's keypair a policy")
    setpolicy.add_argument("--email", required=True)
    setpolicy.add_argument("--policy", required=True)
    return {
        ("user", "create"): _create,
        ("user", "list"): _list,
        ("user", "pending"): _pending,
        ("user", "activate"): _activate,
        ("user", "set-password"): _set_password,
        ("user", "reset-link"): _reset_link,
        ("user", "unlock"): _unlock,
        ("keypair", "show"): _keypair_show,
        ("keypair", "set-policy"): _keypair_set_policy,
    }


def _password_stdin(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from standard input (never from the command line)",
    )


@needs_services
async def _create(svc: ManagerServices, args: argparse.Namespace) -> int:
    password = password_from_stdin()
    if password is None:
        return 2
    created = await svc.accounts.create_user(
        email=args.email,
        username=args.username,
        password=password,
        role=args.role,
        need_password_change=args.must_change_password,
    )
    print(created.access_key)
    return 0


@needs_services
async def _list(svc: ManagerServices, args: argparse.Namespace) -> int:
    print(f"{'EMAIL':32} {'USERNAME':24} {'ROLE':10} {'STATUS':20} CREATED")
    for u in await svc.accounts.list_users():
        print(
            f"{u.email:32} {u.username:24} {u.role:10} {u.status:20} {u.created_at:%Y-%m-%d %H:%M}"
        )
    return 0


@needs_services
async def _pending(svc: ManagerServices, args: argparse.Namespace) -> int:
    for u in await svc.signup.pending():
        print(f"{u.email:32} {u.username:24} {u.created_at:%Y-%m-%d %H:%M}")
    return 0


@needs_services
async def _activate(svc: ManagerServices, args: argparse.Namespace) -> int:
    await svc.signup.activate(args.email)
    print(f"{args.email} is active")
    return 0


@needs_services
async def _set_password(svc: ManagerServices, args: argparse.Namespace) -> int:
    password = password_from_stdin()
    if password is None:
        return 2
    await svc.passwords.set_by_operator(args.email, password)
    print(f"{args.email}: password set; its sessions ended")
    return 0


@needs_services
async def _reset_link(svc: ManagerServices, args: argparse.Namespace) -> int:
    if not svc.settings.recovery.enabled:
        print(
            "error: password recovery is off ([recovery] enabled = false), so the link would "
            "not work: use `portico user set-password`",
            file=sys.stderr,
        )
        return 1
    print(await svc.recovery.operator_link(args.email))
    return 0


@needs_services
async def _unlock(svc: ManagerServices, args: argparse.Namespace) -> int:
    await svc.accounts.unlock(args.email)  # NotFound for an unknown account
    print(f"{args.email} may log in again")
    return 0


@needs_services
async def _keypair_show(svc: ManagerServices, args: argparse.Namespace) -> int:
    access_key, secret_key = await svc.accounts.default_keypair(args.email)
    print(f"access_key: {access_key}")
    if args.reveal:
        print(f"secret_key: {secret_key}")
    return 0


@needs_services
async def _keypair_set_policy(svc: ManagerServices, args: argparse.Namespace) -> int:
    access_key, _ = await svc.accounts.default_keypair(args.email)
    await svc.resources.set_keypair_policy(access_key, args.policy)
    print(f"{access_key} now follows policy {args.policy}")
    return 0
