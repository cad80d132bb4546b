"""Soak: ten minutes of mixed load against the one-process default and the 2 x 2 deployment.

Kinds of traffic, each at a steady rate from its own workers: relayed calls through the
webserver (`/func/auth/role` with a session), direct signed calls to the manager (`/auth/role`),
log-ins (and log-outs) through the webserver, sign-ups, and reset requests (for registered and
unknown addresses). Reported per deployment: crashes (a process that died), 5xx answers,
p50/p99 per kind, and each process's RSS at the start and the end of the run.

The 2 x 2 deployment is two managers and two webservers on PostgreSQL and Redis behind HAProxy,
as tests/integration/operations/test_two_by_two.py runs it.

Usage: .venv/bin/python bench/soak.py [--seconds 600] [--only embedded|cluster]
Writes bench/results/soak.json and prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import Popen

import httpx
import psutil
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.haproxy import load_balancer  # noqa: E402
from tests.support.processes import create_account, run_cli, running  # noqa: E402
from tests.support.services import POSTGRES_URL, free_port  # noqa: E402

from portico.wire.signing import signed_headers  # noqa: E402
from portico.wire.versions import API_VERSION  # noqa: E402

PASSWORD = "Quiet-l4ke-morning!"
CONSENT = {"terms_version": "1", "privacy_version": "1"}
# Requests per second of each kind (log-ins and sign-ups each pay a bcrypt at cost 12).
SOAK_DATABASE = "portico_soak"
SOAK_REDIS_URL = "redis://127.0.0.1:6379/14"
RSS_EVERY_SECONDS = 30.0
RATES = {"relayed": 40.0, "direct": 40.0, "login": 2.0, "signup": 1.0, "reset": 2.0}


@dataclass
class Target:
    web: str
    manager: str
    processes: dict[str, Popen]
    access_key: str = ""
    secret_key: str = ""


@dataclass
class Record:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    errors: Counter = field(default_factory=Counter)
    rss_timeline: list[dict] = field(default_factory=list)


def _base_env(tmp: Path) -> dict[str, str]:
    return {
        "PORTICO_GENERAL__DATA_DIR": str(tmp / "data"),
        "PORTICO_AUTH__BCRYPT_ROUNDS": "12",
        "PORTICO_SIGNUP__MODE": "open",
        "PORTICO_RECOVERY__ENABLED": "true",
        "PORTICO_EMAIL__BACKEND": "file",
        "PORTICO_EMAIL__RATE_PER_CLIENT": "1000000/minute",
        "PORTICO_SESSION__LOGIN_ADDRESS_FAIL_LIMIT": "1000000",
        "PORTICO_AGENT__LOCAL": "false",
    }


def _keypair(env: dict[str, str]) -> tuple[str, str]:
    access_key = create_account(env, "soak@example.com", "soak", PASSWORD)
    shown = run_cli(["keypair", "show", "--email", "soak@example.com", "--reveal"], env)
    return access_key, shown.stdout.split("secret_key: ")[1].strip()


@contextmanager
def embedded(tmp: Path) -> Iterator[Target]:
    web_port, manager_port = free_port(), free_port()
    env = {
        **_base_env(tmp),
        "PORTICO_SERVICE__PORT": str(web_port),
        "PORTICO_MANAGER__PORT": str(manager_port),
    }
    keys = _keypair(env)
    web = f"http://127.0.0.1:{web_port}"
    with running(["serve"], env, web + "/health/livez", tmp / "serve.log") as proc:
        yield Target(web, f"http://127.0.0.1:{manager_port}", {"serve": proc}, *keys)


async def _own_database() -> str:
    """A database of its own, so that the test suite (which empties `test`) can run meanwhile."""
    import asyncpg

    base = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(base)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {SOAK_DATABASE}")
        await conn.execute(f"CREATE DATABASE {SOAK_DATABASE}")
    finally:
        await conn.close()
    return POSTGRES_URL.rsplit("/", 1)[0] + "/" + SOAK_DATABASE


@contextmanager
def cluster(tmp: Path) -> Iterator[Target]:
    db_url = asyncio.run(_own_database())
    redis.Redis.from_url(SOAK_REDIS_URL).flushdb()
    managers, webs = [free_port(), free_port()], [free_port(), free_port()]
    manager_lb, web_lb = free_port(), free_port()
    env = {
        **_base_env(tmp),
        "PORTICO_DB__URL": db_url,
        "PORTICO_REDIS__URL": SOAK_REDIS_URL,
        "PORTICO_SESSION__STORE": "redis",
        "PORTICO_SECURITY__SECRET_KEY": "soak-cluster-shared-secret",
        "PORTICO_API__ENDPOINT": f"http://127.0.0.1:{manager_lb}",
    }
    keys = _keypair(env)
    processes: dict[str, Popen] = {}
    with ExitStack() as stack:
        for i, port in enumerate(managers):
            processes[f"manager{i}"] = stack.enter_context(
                running(
                    ["manager"],
                    {**env, "PORTICO_MANAGER__PORT": str(port)},
                    f"http://127.0.0.1:{port}/health/livez",
                    tmp / f"manager{i}.log",
                )
            )
        for i, port in enumerate(webs):
            processes[f"web{i}"] = stack.enter_context(
                running(
                    ["webserver"],
                    {**env, "PORTICO_SERVICE__PORT": str(port)},
                    f"http://127.0.0.1:{port}/health/livez",
                    tmp / f"web{i}.log",
                )
            )
        (tmp / "lb").mkdir()
        stack.enter_context(
            load_balancer(
                {manager_lb: ("managers", managers), web_lb: ("webservers", webs)}, tmp / "lb"
            )
        )
        yield Target(
            f"http://127.0.0.1:{web_lb}", f"http://127.0.0.1:{manager_lb}", processes, *keys
        )


async def _steady(rate: float, seconds: float, one: Callable[[int], Awaitable[None]]) -> None:
    """Start `one(i)` `rate` times a second, without waiting for earlier ones to finish."""
    started, tasks, i = time.monotonic(), set(), 0
    while (now := time.monotonic()) - started < seconds:
        task = asyncio.create_task(one(i))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        i += 1
        await asyncio.sleep(max(0.0, started + i / rate - now))
    await asyncio.gather(*tasks)


async def _sample_rss(target: Target, seconds: float, every: float, into: list[dict]) -> None:
    """RSS of each process every `every` seconds: a leak climbs, a filling cache levels off."""
    started = time.monotonic()
    while (elapsed := time.monotonic() - started) < seconds:
        into.append({"t": round(elapsed), **_rss(target.processes)})
        await asyncio.sleep(every)


async def _load(target: Target, seconds: float, record: Record) -> None:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=100)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        login = await client.post(
            target.web + "/server/login", json={"username": "soak", "password": PASSWORD}
        )
        cookie = {"AIOHTTP_SESSION": login.cookies["AIOHTTP_SESSION"]}
        host = target.manager.removeprefix("http://")

        async def timed(kind: str, request: Callable[[], Awaitable[httpx.Response]]) -> None:
            started = time.perf_counter()
            try:
                response = await request()
            except httpx.HTTPError as exc:
                record.errors[f"{kind}: {type(exc).__name__}"] += 1
                return
            record.latencies[kind].append((time.perf_counter() - started) * 1000)
            record.statuses[kind][response.status_code] += 1

        async def relayed(_i: int) -> None:
            await timed(
                "relayed", lambda: client.get(target.web + "/func/auth/role", cookies=cookie)
            )

        async def direct(_i: int) -> None:
            headers = signed_headers(
                method="GET",
                path="/auth/role",
                host=host,
                content_type="application/json",
                api_version=API_VERSION,
                access_key=target.access_key,
                secret_key=target.secret_key,
            )
            await timed(
                "direct", lambda: client.get(target.manager + "/auth/role", headers=headers)
            )

        async def log_in(_i: int) -> None:
            async with httpx.AsyncClient(timeout=60) as own:  # its own cookie jar
                body = {"username": "soak@example.com", "password": PASSWORD}
                await timed("login", lambda: own.post(target.web + "/server/login", json=body))
                await own.post(target.web + "/server/logout", json={})

        async def sign_up(i: int) -> None:
            body = {"email": f"soak-new-{i}@example.com", "password": PASSWORD, **CONSENT}
            await timed("signup", lambda: client.post(target.web + "/func/auth/signup", json=body))

        async def reset(i: int) -> None:
            email = "soak@example.com" if i % 10 == 0 else f"nobody-{i}@example.com"
            await timed(
                "reset",
                lambda: client.post(
                    target.web + "/func/cloud/send-password-change-email", json={"email": email}
                ),
            )

        kinds = {"relayed": relayed, "direct": direct, "login": log_in, "signup": sign_up}
        kinds["reset"] = reset
        await asyncio.gather(
            *(_steady(RATES[k], seconds, f) for k, f in kinds.items()),
            _sample_rss(target, seconds, RSS_EVERY_SECONDS, record.rss_timeline),
        )


def _rss(processes: dict[str, Popen]) -> dict[str, float]:
    out = {}
    for name, proc in processes.items():
        try:
            out[name] = psutil.Process(proc.pid).memory_info().rss / 2**20
        except psutil.NoSuchProcess:
            out[name] = float("nan")
    return out


def _percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * p) - 1)] if ordered else float("nan")


def soak(name: str, deployment: Callable[[Path], object], seconds: float) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"portico-soak-{name}-"))
    with deployment(tmp) as target:  # type: ignore[attr-defined]
        warm = Record()
        asyncio.run(_load(target, min(20.0, seconds / 10), warm))  # fills caches and pools
        rss_start = _rss(target.processes)
        record = Record()
        asyncio.run(_load(target, seconds, record))
        rss_end = _rss(target.processes)
        crashed = [n for n, p in target.processes.items() if p.poll() is not None]
    kinds = {
        kind: {
            "requests": len(samples),
            "p50_ms": statistics.median(samples) if samples else float("nan"),
            "p99_ms": _percentile(samples, 0.99),
            "statuses": dict(record.statuses[kind]),
            "server_errors": sum(n for s, n in record.statuses[kind].items() if s >= 500),
        }
        for kind, samples in record.latencies.items()
    }
    return {
        "deployment": name,
        "seconds": seconds,
        "crashed": crashed,
        "transport_errors": dict(record.errors),
        "server_errors": sum(k["server_errors"] for k in kinds.values()),
        "kinds": kinds,
        "rss_mb": {
            n: {"start": rss_start[n], "end": rss_end[n], "growth": rss_end[n] / rss_start[n] - 1}
            for n in rss_start
        },
        "rss_timeline_mb": record.rss_timeline,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--only", choices=["embedded", "cluster"])
    args = parser.parse_args()
    deployments = {"embedded": embedded, "cluster": cluster}
    results = [
        soak(name, make, args.seconds)
        for name, make in deployments.items()
        if args.only in (None, name)
    ]
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "soak.json").write_text(json.dumps(results, indent=2))
    for result in results:
        print(
            f"\n## {result['deployment']} ({result['seconds']:.0f} s): "
            f"crashed {result['crashed'] or 'none'}, 5xx {result['server_errors']}, "
            f"transport errors {result['transport_errors'] or 'none'}"
        )
        print(f"{'kind':10} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8}  statuses")
        for kind, k in result["kinds"].items():
            print(
                f"{kind:10} {k['requests']:9d} {k['p50_ms']:8.1f} {k['p99_ms']:8.1f}  "
                f"{k['statuses']}"
            )
        for name, m in result["rss_mb"].items():
            print(f"RSS {name:9} {m['start']:6.1f} -> {m['end']:6.1f} MB ({m['growth']:+.1%})")
            steps = " ".join(f"{p[name]:.0f}" for p in result["rss_timeline_mb"])
            print(f"    every {RSS_EVERY_SECONDS:.0f} s: {steps}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
