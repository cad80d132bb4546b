"""Benchmark: portico's webserver and Backend.AI's, in front of the same portico manager.

One run starts a portico manager (SQLite, bcrypt cost 12 as in production), portico's webserver
and, when Python 3.13 is on this machine, Backend.AI's webserver 26.9 (installed into
.cache/backendai-webserver-venv on first use; it keeps its sessions in Redis db 13; portico's
manager and webserver use Redis db 12 for their channels and per-address counters). It then
measures, each figure against the others of the same run (this machine is shared and noisy):

1. throughput (wrk, 32 connections, median of 3 alternations) of the manager's anonymous
   `GET /` (the baseline), a signed `GET /auth/role` straight to the manager, and the same call
   relayed by each webserver (`/func/auth/role` with the session cookie), and the CPU time
   each serving process spent per call;
2. log-ins per second through each webserver with 20 concurrent log-ins and a relayed call
   every 10 ms alongside, against the bcrypt floor (cores / one checkpw, measured here; also
   checked by running one checkpw thread per core), the relayed call's p50/p99 meanwhile, and
   the cores each process (manager, webserver, this bench's own client) kept busy;
3. each webserver's resident memory afterwards (all its processes).

Usage: .venv/bin/python bench/compare.py [--seconds 8] [--login-seconds 15]
Writes bench/results/compare.json and prints a table. Needs wrk (apt-get install wrk).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import aiohttp
import bcrypt
import httpx
import psutil
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.interop import python313  # noqa: E402
from tests.support.processes import portico_env, run_cli, running, wait_until_answering  # noqa: E402
from tests.support.services import free_port  # noqa: E402

from portico.wire.signing import signed_headers  # noqa: E402
from portico.wire.versions import API_VERSION  # noqa: E402

PASSWORD = "Quiet-l4ke-morning!"
BCRYPT_COST = 12
LOGIN_USERS = 40
LOGIN_CONCURRENCY = 20
BAI_VENV = ROOT / ".cache" / "backendai-webserver-venv"
BAI_REQUIREMENT = "backend.ai-webserver>=26.9,<26.10"
BAI_REDIS_DB = 13
PORTICO_REDIS_DB = 12
TARGETS = {
    "signed_vs_anonymous": 0.5,
    "relayed_vs_direct": 0.8,
    "relayed_vs_backendai": 1.5,
    "logins_vs_floor": 0.9,
    "relayed_p99_ms_during_logins": 25.0,
    "webserver_rss_mb": 48.0,
}


def wrk(url: str, headers: dict[str, str], seconds: int, connections: int = 32) -> float:
    args = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"wrk saw {errors.group(1)} failed responses from {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (Backend.AI's webserver forks)."""
    root = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]) / 2**20


def bcrypt_floor() -> float:
    """Log-ins per second the CPUs allow: cores / the time of one checkpw at the cost used (the
    median of 8: the fastest one would promise more than the CPUs keep up)."""
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(BCRYPT_COST))
    samples = []
    for _ in range(8):
        started = time.perf_counter()
        bcrypt.checkpw(PASSWORD.encode(), hashed)
        samples.append(time.perf_counter() - started)
    return (os.cpu_count() or 1) / statistics.median(samples)


def bcrypt_in_parallel(seconds: float = 6.0) -> float:
    """The same, measured: checkpw per second with one thread per core, nothing else running
    (bcrypt releases the GIL). Shows whether the cores really add up."""
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(BCRYPT_COST))
    stop_at = time.perf_counter() + seconds
    done: list[int] = []

    def work() -> None:
        while time.perf_counter() < stop_at:
            bcrypt.checkpw(PASSWORD.encode(), hashed)
            done.append(1)

    started = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(os.cpu_count() or 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(done) / (time.perf_counter() - started)


def log_in(web: str) -> str:
    r = httpx.post(
        web + "/server/login", json={"username": "perf@example.com", "password": PASSWORD}
    )
    r.raise_for_status()
    assert r.json().get("authenticated") is True, r.text
    return r.cookies["AIOHTTP_SESSION"]


async def login_storm(web: str, cookie: str, seconds: float) -> dict[str, float]:
    """LOGIN_CONCURRENCY log-in loops for `seconds`, a relayed call every 10 ms alongside.

    The client is aiohttp, without a cookie jar (each log-in is a new visitor): it shares the
    cores with the servers, so the lighter it is the less it takes from the bcrypt floor."""
    relayed: list[float] = []
    logins = 0
    stop_at = time.monotonic() + seconds
    timeout = aiohttp.ClientTimeout(total=120)

    async def prober(client: aiohttp.ClientSession) -> None:
        headers = {"Cookie": f"AIOHTTP_SESSION={cookie}"}
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            async with client.get(web + "/func/auth/role", headers=headers) as r:
                text = await r.text()
            relayed.append((time.perf_counter() - started) * 1000)
            assert r.status == 200, text
            await asyncio.sleep(0.01)

    async def logger(client: aiohttp.ClientSession, worker: int) -> None:
        nonlocal logins
        i = worker
        while time.monotonic() < stop_at:
            body = {"username": f"user{i % LOGIN_USERS}@example.com", "password": PASSWORD}
            async with client.post(web + "/server/login", json=body) as r:
                answer = await r.json()
            assert r.status == 200 and answer.get("authenticated"), answer
            logins += 1
            i += LOGIN_CONCURRENCY

    async with aiohttp.ClientSession(
        cookie_jar=aiohttp.DummyCookieJar(), timeout=timeout
    ) as client:
        started = time.monotonic()
        await asyncio.gather(prober(client), *(logger(client, w) for w in range(LOGIN_CONCURRENCY)))
        elapsed = time.monotonic() - started
    relayed.sort()
    return {
        "logins_per_second": logins / elapsed,
        "relayed_p50_ms": statistics.median(relayed),
        "relayed_p99_ms": relayed[max(0, int(len(relayed) * 0.99) - 1)],
    }


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children, except this bench's own
    (which are the servers it measures)."""
    process = psutil.Process(pid)
    family = [process] if pid == os.getpid() else [process, *process.children(recursive=True)]
    return sum(sum(p.cpu_times()[:2]) for p in family)


def storm_with_cpu(web: str, cookie: str, seconds: float, pids: dict[str, int]) -> dict:
    """A log-in storm, and how many cores each process kept busy meanwhile: where the CPU
    that bcrypt did not get went."""
    before = {who: cpu_seconds(pid) for who, pid in pids.items()}
    started = time.monotonic()
    storm: dict = asyncio.run(login_storm(web, cookie, seconds))
    elapsed = time.monotonic() - started
    storm["cores"] = {who: (cpu_seconds(pid) - before[who]) / elapsed for who, pid in pids.items()}
    return storm


def backendai_webserver() -> Path | None:
    """The `backend.ai` command of a venv holding Backend.AI's webserver, made on first use."""
    command = BAI_VENV / "bin" / "backend.ai"
    if command.exists():
        return command
    python = python313()
    if python is None:
        return None
    print(f"installing {BAI_REQUIREMENT} into {BAI_VENV} ...", file=sys.stderr)
    subprocess.run([python, "-m", "venv", str(BAI_VENV)], check=True)
    subprocess.run([str(BAI_VENV / "bin" / "pip"), "install", "-q", BAI_REQUIREMENT], check=True)
    return command


@contextmanager
def backendai_running(command: Path, tmp: Path, port: int, manager: str) -> Iterator[int]:
    redis.Redis(db=BAI_REDIS_DB).flushdb()
    config = tmp / "backendai-webserver.conf"
    config.write_text(
        f'[service]\nip = "127.0.0.1"\nport = {port}\n\n'
        f'[api]\ndomain = "default"\nendpoint = "{manager}"\n\n'
        f'[session.redis]\naddr = "127.0.0.1:6379"\ndb = {BAI_REDIS_DB}\n\n'
        f'[webserver]\nevent_loop = "uvloop"\nipc_base_path = "{tmp / "ipc"}"\n'
    )
    log_path = tmp / "backendai-webserver.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [str(command), "web", "start-server", "-f", str(config)],
        cwd=tmp,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_answering(proc, f"http://127.0.0.1:{port}/func/", log_path, seconds=90)
        yield proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def create_accounts(env: dict[str, str]) -> tuple[str, str]:
    run_cli(["db", "upgrade"], env)
    created = run_cli(
        ["user", "create", "--email", "perf@example.com", "--password-stdin"],
        env,
        stdin=PASSWORD + "\n",
    )
    if created.returncode != 0:
        raise RuntimeError(created.stderr)
    shown = run_cli(["keypair", "show", "--email", "perf@example.com", "--reveal"], env)
    create_many = (
        "import asyncio\n"
        "from portico.config import load_settings\n"
        "from portico.manager.container import build_services\n"
        "async def main():\n"
        "    svc = await build_services(load_settings())\n"
        f"    await asyncio.gather(*(svc.accounts.create_user(email=f'user{{i}}@example.com', "
        f"password={PASSWORD!r}) for i in range({LOGIN_USERS})))\n"
        "    await svc.close()\n"
        "asyncio.run(main())\n"
    )
    subprocess.run([sys.executable, "-c", create_many], env=portico_env(env), check=True)
    return created.stdout.strip(), shown.stdout.split("secret_key: ")[1].strip()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--login-seconds", type=float, default=15)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench needs wrk: apt-get install -y wrk", file=sys.stderr)
        return 2

    tmp = Path(tempfile.mkdtemp(prefix="portico-compare-"))
    manager_port, web_port, bai_port = free_port(), free_port(), free_port()
    env = {
        "PORTICO_GENERAL__DATA_DIR": str(tmp / "data"),
        "PORTICO_AUTH__BCRYPT_ROUNDS": str(BCRYPT_COST),
        "PORTICO_MANAGER__PORT": str(manager_port),
        "PORTICO_SERVICE__PORT": str(web_port),
        "PORTICO_API__ENDPOINT": f"http://127.0.0.1:{manager_port}",
        "PORTICO_AGENT__LOCAL": "false",
        # Enough log-ins from one address for the storm; the per-account lockout is unchanged.
        "PORTICO_SESSION__LOGIN_ADDRESS_FAIL_LIMIT": "1000000",
        # Redis, as Backend.AI's webserver has: the channel that lets a webserver keep the
        # sessions it read in memory (browser sessions themselves stay in the SQL store).
        "PORTICO_REDIS__URL": f"redis://127.0.0.1:6379/{PORTICO_REDIS_DB}",
    }
    redis.Redis(db=PORTICO_REDIS_DB).flushdb()
    manager = f"http://127.0.0.1:{manager_port}"
    webs = {"portico": f"http://127.0.0.1:{web_port}"}
    print(f"creating {LOGIN_USERS + 1} accounts (bcrypt cost {BCRYPT_COST}) ...", file=sys.stderr)
    access_key, secret_key = create_accounts(env)
    bai_command = backendai_webserver()
    if bai_command is None:
        print("Backend.AI's webserver: skipped (it needs Python 3.13, not found)")

    with ExitStack() as stack:
        manager_pid = stack.enter_context(
            running(["manager"], env, manager + "/", tmp / "manager.log")
        ).pid
        pids = {
            "portico": stack.enter_context(
                running(["webserver"], env, webs["portico"] + "/func/ping", tmp / "web.log")
            ).pid
        }
        if bai_command is not None:
            webs["Backend.AI"] = f"http://127.0.0.1:{bai_port}"
            pids["Backend.AI"] = stack.enter_context(
                backendai_running(bai_command, tmp, bai_port, manager)
            )
        cookies = {name: log_in(url) for name, url in webs.items()}
        direct_headers = signed_headers(
            method="GET",
            path="/auth/role",
            host=f"127.0.0.1:{manager_port}",
            content_type="application/json",
            api_version=API_VERSION,
            access_key=access_key,
            secret_key=secret_key,
        )
        targets: dict[str, tuple[str, dict[str, str]]] = {
            "anonymous GET / (manager)": (manager + "/", {}),
            "signed GET /auth/role, direct": (manager + "/auth/role", direct_headers),
        }
        serving = {name: {"manager": manager_pid} for name in targets}
        for name, url in webs.items():
            targets[f"relayed by {name}"] = (
                url + "/func/auth/role",
                {"Cookie": f"AIOHTTP_SESSION={cookies[name]}", "Content-Type": "application/json"},
            )
            serving[f"relayed by {name}"] = {"manager": manager_pid, "webserver": pids[name]}
        for url, headers in targets.values():
            wrk(url, headers, 2)  # warm-up
        runs: dict[str, list[float]] = {name: [] for name in targets}
        # CPU time per call of the processes that serve each target: the manager, and the
        # webserver that relays (on 2 cores, what decides the relayed/direct ratio).
        cpu_us: dict[str, dict[str, list[float]]] = {name: {} for name in targets}
        for _ in range(3):
            for name, (url, headers) in targets.items():
                before = {who: cpu_seconds(pid) for who, pid in serving[name].items()}
                started = time.monotonic()
                runs[name].append(wrk(url, headers, args.seconds))
                calls = runs[name][-1] * (time.monotonic() - started)
                for who, pid in serving[name].items():
                    used = cpu_seconds(pid) - before[who]
                    cpu_us[name].setdefault(who, []).append(used / calls * 1e6)
        rps = {name: statistics.median(values) for name, values in runs.items()}
        cpu_per_call = {
            name: {who: statistics.median(v) for who, v in per.items()}
            for name, per in cpu_us.items()
        }
        floor = bcrypt_floor()
        parallel = bcrypt_in_parallel()
        storms = {
            name: storm_with_cpu(
                url,
                cookies[name],
                args.login_seconds,
                {"manager": manager_pid, "webserver": pids[name], "bench client": os.getpid()},
            )
            for name, url in webs.items()
        }
        rss = {name: rss_mb(pid) for name, pid in pids.items()}

    result = {
        "requests_per_second": rps,
        "runs": runs,
        "cpu_microseconds_per_call": cpu_per_call,
        "bcrypt_floor_logins_per_second": floor,
        "bcrypt_parallel_checks_per_second": parallel,
        "login_storms": storms,
        "webserver_rss_mb": rss,
        "targets": TARGETS,
    }
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "compare.json").write_text(json.dumps(result, indent=2))

    anonymous = rps["anonymous GET / (manager)"]
    direct = rps["signed GET /auth/role, direct"]
    print(f"\n{'measure':52} {'value':>9} {'ratio':>7}  target")
    for name, value in rps.items():
        ratio, target = "", ""
        if name.startswith("signed"):
            ratio, target = f"{value / anonymous:.2f}", ">= 0.5 x anonymous"
        elif name.startswith("relayed"):
            ratio, target = f"{value / direct:.2f}", ">= 0.8 x direct (portico)"
        print(f"{name + ', req/s':52} {value:9.0f} {ratio:>7}  {target}")
        per_call = ", ".join(f"{who} {us:.0f} us" for who, us in cpu_per_call[name].items())
        print(f"  CPU per call: {per_call}")
    if "Backend.AI" in webs:
        ours, theirs = rps["relayed by portico"], rps["relayed by Backend.AI"]
        print(f"{'relayed: portico / Backend.AI':52} {'':9} {ours / theirs:7.2f}  >= 1.5")
    print(f"{'bcrypt floor (cores / one checkpw), log-ins/s':52} {floor:9.1f}")
    measured = f"{parallel:9.1f} {parallel / floor:7.2f}"
    print(f"{'checkpw/s, one thread per core, measured':52} {measured}")
    for name, storm in storms.items():
        logins = storm["logins_per_second"]
        print(
            f"{f'log-ins/s via {name}, {LOGIN_CONCURRENCY} concurrent + relayed':52} "
            f"{logins:9.2f} {logins / floor:7.2f}  >= 0.9 x floor (portico)"
        )
        print(
            f"{f'relayed p50 / p99 during them via {name}, ms':52} "
            f"{storm['relayed_p50_ms']:4.1f} /{storm['relayed_p99_ms']:5.1f}  < 25 (p99)"
        )
        shares = ", ".join(f"{who} {cores:.2f}" for who, cores in storm["cores"].items())
        print(f"  cores busy meanwhile: {shares}")
    for name, value in rss.items():
        print(f"{f'webserver RSS, {name}, MB':52} {value:9.1f} {'':7}  < 48 (portico)")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
