"""`portico invite ...`: invitation tokens for sign-up."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from portico.cli.common import Subcommands, Table, duration, needs_services
from portico.common.languages import LANGUAGES

if TYPE_CHECKING:  # loaded by the command that runs, not by `portico webserver`
    from portico.manager.container import ManagerServices


def register(sub: Subcommands) -> Table:
    invite = sub.add_parser("invite", help="invitation tokens").add_subparsers(
        dest="invite_command", required=True
    )
    make = invite.add_parser(
        "create", help="create an invitation; prints its sign-up link (the token shows once)"
    )
    make.add_argument("--email", help="only this address may use it; the link is mailed there")
    make.add_argument(
        "--lang", choices=LANGUAGES, default="en", help="the invitation mail's language"
    )
    make.add_argument(
        "--expires",
        default="7d",
        type=duration,
        help="lifetime: 30m, 12h, 7d or seconds (default 7d)",
    )
    make.add_argument("--uses", type=int, default=1, help="how many sign-ups it allows")
    make.add_argument("--group", help="project the new accounts join (default: default)")
    invite.add_parser("list", help="list invitations (never their tokens)")
    revoke = invite.add_parser("revoke", help="revoke an invitation")
    revoke.add_argument("id", type=int)
    return {
        ("invite", "create"): _create,
        ("invite", "list"): _list,
        ("invite", "revoke"): _revoke,
    }


@needs_services
async def _create(svc: ManagerServices, args: argparse.Namespace) -> int:
    if args.uses < 1:
        print("error: --uses must be at least 1", file=sys.stderr)
        return 2
    if args.group and not await svc.projects.exists(args.group):
        print(f"error: no project {args.group!r}", file=sys.stderr)
        return 1
    link = await svc.signup.invite(
        ttl=args.expires,
        uses=args.uses,
        email=args.email,
        group_name=args.group,
        language=args.lang,
    )
    print(link)
    if args.email:
        print(f"mailed to {args.email}", file=sys.stderr)
    return 0


@needs_services
async def _list(svc: ManagerServices, args: argparse.Namespace) -> int:
    from portico.db.models import TokenPurpose

    print(f"{'ID':>4} {'EMAIL':28} {'GROUP':12} {'USES':>7} {'STATE':8} EXPIRES (UTC)")
    for t in await svc.tokens.all_for(TokenPurpose.INVITATION):
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


@needs_services
async def _revoke(svc: ManagerServices, args: argparse.Namespace) -> int:
    from portico.db.models import TokenPurpose

    if not await svc.tokens.revoke(args.id, TokenPurpose.INVITATION):
        print(f"error: no live invitation {args.id}", file=sys.stderr)
        return 1
    print(f"invitation {args.id} revoked")
    return 0
