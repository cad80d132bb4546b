"""Keep-alive: Backend.AI's own webserver (26.9) in front of portico's manager for minutes of
bursts and pauses, as a day of console use looks to the manager.

Backend.AI's webserver pools its connections to the manager (aiohttp, 15 s idle). A manager
that closes an idle connection while the pool still holds it makes the webserver write to a
closing transport and mark the manager unhealthy. Bursts of relayed calls here are separated
by pauses of 5 to 20 s, so that pooled connections are reused at every age around the pool's
limit. Counted: answers per status, client errors, and the webserver's log lines that say
"closing transport" or "unhealthy".

    .venv/bin/python bench/keepalive.py               # 10 minutes
    .venv/bin/python bench/keepalive.py --minutes 2
    .venv/bin/python bench/keepalive.py --wrk         # the bursts from wrk (Debian's)

Needs Python 3.13 for Backend.AI's webserver (installed on first use, as bench/compare.py
does) and Redis on 127.0.0.1:6379 (its sessions, in db 13). Writes bench/results/keepalive.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import aiohttp  # noqa: E402
from compare import backendai_running, backendai_webserver, log_in  # noqa: E402
from tests.support.processes import create_account, running  # noqa: E402
from tests.support.services import free_port  # noqa: E402

PASSWORD = "Quiet-l4ke-morning!"
BURST_SECONDS = 3.0
CONCURRENCY = 16


async def bursts(
    url: str, cookie: str, minutes: float, abrupt: bool = False
) -> tuple[Counter[str], int]:
    """Bursts of relayed calls with pauses between them; (answers per status, bursts).
    `abrupt`: each burst ends by dropping its connections mid-request, as wrk does when its
    time is up, instead of letting the calls in flight finish."""
    statuses: Counter[str] = Counter()
    rounds = 0
    ends = time.monotonic() + minutes * 60
    headers = {"Cookie": f"AIOHTTP_SESSION={cookie}"}
    client = aiohttp.ClientSession(headers=headers)
    try:

        async def caller(until: float) -> None:
            while time.monotonic() < until:
                try:
                    async with client.get(url + "/func/auth/role") as r:
                        await r.read()
                        statuses[str(r.status)] += 1
                except aiohttp.ClientError as exc:
                    statuses[type(exc).__name__] += 1

        while time.monotonic() < ends:
            until = time.monotonic() + BURST_SECONDS
            callers = asyncio.gather(
                *(caller(until + (3600 if abrupt else 0)) for _ in range(CONCURRENCY))
            )
            if abrupt:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(callers, BURST_SECONDS)
                await client.close()  # every connection of the burst, as wrk's exit drops them
                client = aiohttp.ClientSession(headers=headers)
            else:
                await callers
            rounds += 1
            if rounds == 1 and not statuses["200"]:
                raise SystemExit(f"the first burst got no answer through the session: {statuses}")
            await asyncio.sleep(random.uniform(5.0, 20.0))
    finally:
        await client.close()
    return statuses, rounds


def _wrk_figures(output: str) -> Counter[str]:
    """wrk's summary as answers: the 2xx ones, the others, and its socket errors."""
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    found = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    other = int(found.group(1)) if found else 0
    figures: Counter[str] = Counter({"2xx": total - other})
    if other:
        figures["not 2xx"] = other
    errors = re.search(r"Socket errors: (.*)", output)
    if errors:
        for kind, count in re.findall(r"(\w+) (\d+)", errors.group(1)):
            if int(count):
                figures[f"socket {kind}"] += int(count)
    return figures


async def wrk_bursts(url: str, cookie: str, minutes: float) -> tuple[Counter[str], int]:
    """The same bursts and pauses, each burst a run of wrk with CONCURRENCY connections."""
    statuses: Counter[str] = Counter()
    rounds = 0
    ends = time.monotonic() + minutes * 60
    while time.monotonic() < ends:
        burst = await asyncio.create_subprocess_exec(
            *("wrk", "-t2", f"-c{CONCURRENCY}", f"-d{BURST_SECONDS:g}s"),
            *("-H", f"Cookie: AIOHTTP_SESSION={cookie}", url + "/func/auth/role"),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        output, _ = await burst.communicate()
        statuses += _wrk_figures(output.decode())
        rounds += 1
        if rounds == 1 and not statuses["2xx"]:
            raise SystemExit(f"the first burst got no answer through the session: {statuses}")
        await asyncio.sleep(random.uniform(5.0, 20.0))
    return statuses, rounds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--wrk", action="store_true", help="load from wrk, not from aiohttp")
    parser.add_argument(
        "--abrupt", action="store_true", help="aiohttp bursts that end by dropping connections"
    )
    args = parser.parse_args()
    if args.wrk and shutil.which("wrk") is None:
        print("--wrk needs wrk (apt-get install wrk)", file=sys.stderr)
        return 2
    command = backendai_webserver()
    if command is None:
        print("needs Python 3.13 for Backend.AI's webserver", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="portico-keepalive-"))
    manager_port, bai_port = free_port(), free_port()
    env = {
        "PORTICO_GENERAL__DATA_DIR": str(tmp / "data"),
        "PORTICO_AUTH__BCRYPT_ROUNDS": "4",
        "PORTICO_MANAGER__PORT": str(manager_port),
        "PORTICO_AGENT__LOCAL": "false",
    }
    create_account(env, "perf@example.com", "perf", password=PASSWORD)
    manager = f"http://127.0.0.1:{manager_port}"
    web = f"http://127.0.0.1:{bai_port}"
    with ExitStack() as stack:
        stack.enter_context(running(["manager"], env, manager + "/", tmp / "manager.log"))
        stack.enter_context(backendai_running(command, tmp, bai_port, manager))
        cookie = log_in(web)
        if args.wrk:
            statuses, rounds = asyncio.run(wrk_bursts(web, cookie, args.minutes))
        else:
            statuses, rounds = asyncio.run(bursts(web, cookie, args.minutes, args.abrupt))
    log = (tmp / "backendai-webserver.log").read_text(errors="replace").lower()
    result = {
        "minutes": args.minutes,
        "load": "wrk" if args.wrk else "aiohttp, abrupt" if args.abrupt else "aiohttp",
        "bursts": rounds,
        "answers": dict(statuses),
        "closing_transport_lines": log.count("closing transport"),
        "unhealthy_lines": log.count("unhealthy"),
    }
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "results" / ("keepalive-wrk.json" if args.wrk else "keepalive.json")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    all_good = set(statuses) == ({"2xx"} if args.wrk else {"200"})
    return 0 if all_good and not result["closing_transport_lines"] else 1


if __name__ == "__main__":
    sys.exit(main())
