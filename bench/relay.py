"""Benchmark: the webserver's signed relay against the manager called directly.

Runs a manager and a webserver as separate processes on loopback (SQLite, the default session
store, bcrypt cost 12 as in production) and measures, in one run:

1. throughput of an authenticated small GET (`/auth/role`): through the webserver
   (`/func/auth/role`, session cookie) versus signed and sent straight to the manager, with wrk;
   the two are alternated three times and the medians compared, since this machine is shared;
2. latency of the relayed GET while 200 log-ins run concurrently (p50/p99);
3. the webserver's resident memory after all of it.

Usage: .venv/bin/python bench/relay.py [--seconds 8]
Writes bench/results/relay.json and prints a table. Needs `wrk` (apt-get install wrk).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.processes import portico_env, run_cli, running  # noqa: E402
from tests.support.services import free_port  # noqa: E402

from portico.wire.signing import signed_headers  # noqa: E402
from portico.wire.versions import API_VERSION  # noqa: E402

PASSWORD = "Quiet-l4ke-morning!"
TARGETS = {"p99_ms_during_logins": 50.0, "relay_ratio": 0.8, "webserver_rss_mb": 80.0}


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    kb = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]
    return kb / 1024


def wrk(url: str, headers: dict[str, str], seconds: int, connections: int = 32) -> float:
    args = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"wrk saw {errors.group(1)} failed responses:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


async def latency_during_logins(web: str, cookie: str, logins: int) -> dict[str, float]:
    samples: list[float] = []
    done = asyncio.Event()

    async def prober() -> None:
        async with httpx.AsyncClient(cookies={"AIOHTTP_SESSION": cookie}, timeout=30) as client:
            while not done.is_set():
                started = time.perf_counter()
                r = await client.get(web + "/func/auth/role")
                samples.append((time.perf_counter() - started) * 1000)
                assert r.status_code == 200, r.text
                await asyncio.sleep(0.01)

    async def login_storm() -> float:
        limits = httpx.Limits(max_connections=logins)
        async with httpx.AsyncClient(limits=limits, timeout=300) as client:
            started = time.perf_counter()
            answers = await asyncio.gather(
                *(
                    client.post(
                        web + "/server/login",
                        json={"username": f"user{i}@example.com", "password": PASSWORD},
                    )
                    for i in range(logins)
                )
            )
            assert all(a.status_code == 200 for a in answers), {a.status_code for a in answers}
            return time.perf_counter() - started

    probe = asyncio.create_task(prober())
    await asyncio.sleep(0.5)
    storm_seconds = await login_storm()
    done.set()
    await probe
    samples.sort()
    return {
        "samples": len(samples),
        "p50_ms": statistics.median(samples),
        "p99_ms": samples[max(0, int(len(samples) * 0.99) - 1)],
        "max_ms": samples[-1],
        "login_storm_seconds": storm_seconds,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--logins", type=int, default=200)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench needs wrk: apt-get install -y wrk", file=sys.stderr)
        return 2

    tmp = Path(tempfile.mkdtemp(prefix="portico-bench-"))
    manager_port, web_port = free_port(), free_port()
    env = {
        "PORTICO_GENERAL__DATA_DIR": str(tmp / "data"),
        "PORTICO_MANAGER__PORT": str(manager_port),
        "PORTICO_SERVICE__PORT": str(web_port),
        "PORTICO_API__ENDPOINT": f"http://127.0.0.1:{manager_port}",
        # Enough log-ins from one address for the storm; the per-account lockout is unchanged.
        "PORTICO_SESSION__LOGIN_ADDRESS_FAIL_LIMIT": "100000",
    }
    manager_url, web_url = f"http://127.0.0.1:{manager_port}", f"http://127.0.0.1:{web_port}"
    print("creating accounts (bcrypt cost 12) ...", file=sys.stderr)
    run_cli(["db", "upgrade"], env)
    created = run_cli(
        ["user", "create", "--email", "perf@example.com", "--password-stdin"],
        env,
        stdin=PASSWORD + "\n",
    )
    if created.returncode != 0:
        raise RuntimeError(created.stderr)
    access_key = created.stdout.strip()
    shown = run_cli(["keypair", "show", "--email", "perf@example.com", "--reveal"], env)
    secret_key = shown.stdout.split("secret_key: ")[1].strip()
    create_many = (
        "import asyncio\n"
        "from portico.config import load_settings\n"
        "from portico.manager.container import build_services\n"
        "async def main():\n"
        "    svc = await build_services(load_settings())\n"
        f"    await asyncio.gather(*(svc.accounts.create_user(email=f'user{{i}}@example.com', "
        f"password={PASSWORD!r}) for i in range({args.logins})))\n"
        "    await svc.close()\n"
        "asyncio.run(main())\n"
    )
    subprocess.run([sys.executable, "-c", create_many], env=portico_env(env), check=True)

    with (
        running(["manager"], env, manager_url + "/", tmp / "manager.log"),
        running(["webserver"], env, web_url + "/func/ping", tmp / "web.log") as web_proc,
    ):
        login = httpx.post(
            web_url + "/server/login", json={"username": "perf@example.com", "password": PASSWORD}
        )
        cookie = login.cookies["AIOHTTP_SESSION"]
        # Valid for 15 minutes: the signature covers the date, not a nonce.
        direct_headers = signed_headers(
            method="GET",
            path="/auth/role",
            host=f"127.0.0.1:{manager_port}",
            content_type="application/json",
            api_version=API_VERSION,
            access_key=access_key,
            secret_key=secret_key,
        )
        relay_headers = {"Cookie": f"AIOHTTP_SESSION={cookie}", "Content-Type": "application/json"}
        wrk(manager_url + "/auth/role", direct_headers, 2)  # warm-up
        wrk(web_url + "/func/auth/role", relay_headers, 2)
        direct, relayed = [], []
        for _ in range(3):
            direct.append(wrk(manager_url + "/auth/role", direct_headers, args.seconds))
            relayed.append(wrk(web_url + "/func/auth/role", relay_headers, args.seconds))
        latency = asyncio.run(latency_during_logins(web_url, cookie, args.logins))
        web_rss = rss_mb(web_proc.pid)

    result = {
        "direct_rps": statistics.median(direct),
        "relayed_rps": statistics.median(relayed),
        "direct_rps_runs": direct,
        "relayed_rps_runs": relayed,
        "relay_ratio": statistics.median(relayed) / statistics.median(direct),
        "latency_during_logins": latency,
        "webserver_rss_mb": web_rss,
        "targets": TARGETS,
    }
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "relay.json").write_text(json.dumps(result, indent=2))
    rows = [
        ("direct to manager, req/s (median of 3)", f"{result['direct_rps']:.0f}", ""),
        ("through webserver, req/s (median of 3)", f"{result['relayed_rps']:.0f}", ""),
        ("relay / direct", f"{result['relay_ratio']:.2f}", ">= 0.80"),
        (f"relayed GET p50 during {args.logins} log-ins, ms", f"{latency['p50_ms']:.1f}", ""),
        (f"relayed GET p99 during {args.logins} log-ins, ms", f"{latency['p99_ms']:.1f}", "< 50"),
        ("log-in storm duration, s", f"{latency['login_storm_seconds']:.1f}", ""),
        ("webserver RSS, MB", f"{web_rss:.1f}", "< 80"),
    ]
    for name, value, target in rows:
        print(f"{name:48} {value:>10}  {target}")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
