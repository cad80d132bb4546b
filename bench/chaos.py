"""Chaos: portico's answers while a backing service hangs, as an operator's worst day would.

Each run starts its own PostgreSQL (initdb/pg_ctl) or redis-server on a free port, never the
machine's shared ones, runs portico against it, pauses the service with SIGSTOP for the given
time while a storm of log-ins and readiness probes arrives, resumes it, and measures:
how many answers of each status, how many carried Retry-After, the slowest answer, and how
long after the resume the right password logged in again.

    .venv/bin/python bench/chaos.py                  # the issue's runs: 20 s and 60 s pauses
    .venv/bin/python bench/chaos.py --pauses 5 --storm 40   # a quick look

Prints a table and writes bench/results/chaos.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from tests.support.private_postgres import private_postgres  # noqa: E402
from tests.support.private_redis import private_redis  # noqa: E402
from tests.support.processes import create_account, running  # noqa: E402
from tests.support.services import free_port  # noqa: E402
from tests.support.storms import Pausable, storm_while_paused  # noqa: E402

PASSWORD = "Quiet-l4ke-morning!"
LOG_IN = {"username": "alice", "password": PASSWORD}


@dataclass
class Run:
    service: str
    pause_seconds: float
    requests: int
    statuses: dict[str, int]
    with_retry_after: int
    slowest_seconds: float
    back_after_seconds: float
    right_password_after: int


@contextmanager
def portico_on(service: str, workdir: Path) -> Iterator[tuple[str, Pausable]]:
    """`portico serve` on a PostgreSQL or a Redis of its own; yields its URL and that server."""
    port = free_port()
    env = {
        "PORTICO_GENERAL__DATA_DIR": str(workdir / "data"),
        "PORTICO_AUTH__BCRYPT_ROUNDS": "4",
        "PORTICO_SERVICE__PORT": str(port),
        "PORTICO_MANAGER__PORT": str(free_port()),
        "PORTICO_AGENT__LOCAL": "false",
    }
    with private_postgres() if service == "postgresql" else private_redis() as server:
        if service == "postgresql":
            env["PORTICO_DB__URL"] = server.url
        else:
            env.update({"PORTICO_REDIS__URL": server.url, "PORTICO_SESSION__STORE": "redis"})
        create_account(env, password=PASSWORD)
        url = f"http://127.0.0.1:{port}"
        with running(["serve"], env, url + "/func/ping", workdir / f"{service}.log"):
            yield url, server


def one_run(service: str, pause: float, storm: int) -> Run:
    with tempfile.TemporaryDirectory() as tmp, portico_on(service, Path(tmp)) as (url, server):
        answers = storm_while_paused(server, pause, url, "/server/login", LOG_IN, storm)
        resumed = time.monotonic()
        while True:
            r = httpx.post(url + "/server/login", json=LOG_IN, timeout=60)
            if r.status_code != 503 or time.monotonic() - resumed > 60:
                break
            time.sleep(0.2)
        return Run(
            service=service,
            pause_seconds=pause,
            requests=len(answers),
            statuses=dict(Counter(str(a.status) for a in answers)),
            with_retry_after=sum(1 for a in answers if a.retry_after),
            slowest_seconds=round(max(a.seconds for a in answers), 2),
            back_after_seconds=round(time.monotonic() - resumed, 2),
            right_password_after=r.status_code,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pauses", type=float, nargs="+", default=[20.0, 60.0])
    parser.add_argument("--storm", type=int, default=120, help="requests sent during a pause")
    parser.add_argument("--services", nargs="+", default=["postgresql", "redis"])
    args = parser.parse_args()
    runs = [one_run(s, p, args.storm) for s in args.services for p in args.pauses]
    header = f"{'service':<11} {'pause':>6} {'sent':>5} {'statuses':<18} {'Retry-After':>11} "
    header += f"{'slowest':>8} {'back':>6} {'then':>5}"
    print(header)
    for run in runs:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(run.statuses.items()))
        print(
            f"{run.service:<11} {run.pause_seconds:>5.0f}s {run.requests:>5} {statuses:<18} "
            f"{run.with_retry_after:>11} {run.slowest_seconds:>7.2f}s "
            f"{run.back_after_seconds:>5.1f}s {run.right_password_after:>5}"
        )
    out = ROOT / "bench" / "results" / "chaos.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps([asdict(r) for r in runs], indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
