"""`portico audit`: read the audit trail (newest first)."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING

from portico.cli.common import Subcommands, Table, duration, needs_services

if TYPE_CHECKING:  # loaded by the command that runs, not by `portico webserver`
    from portico.manager.container import ManagerServices


def register(sub: Subcommands) -> Table:
    audit = sub.add_parser("audit", help="read the audit trail, newest first")
    audit.add_argument("--email", help="events of this account (as subject or actor)")
    audit.add_argument("--kind", help='a kind ("login.failed") or a family ("login")')
    audit.add_argument("--since", type=duration, help="only this recent: 30m, 12h, 7d or seconds")
    audit.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    return {("audit",): _show}


@needs_services
async def _show(svc: ManagerServices, args: argparse.Namespace) -> int:
    entries = await svc.audit.query(
        account=args.email,
        kind=args.kind,
        since=time.time() - args.since if args.since else None,
        limit=args.limit,
    )
    for e in entries:
        # Every field was made printable when it was recorded.
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(e.at))
        facts = " ".join(f"{k}={v}" for k, v in sorted(e.details.items()))
        print(
            f"{when}Z  {e.kind:<32} {e.outcome or '-':<20} subject={e.subject or '-'} "
            f"actor={e.actor or '-'} from={e.client_address or '-'} {facts}".rstrip()
        )
    return 0
