"""HAProxy from Debian in front of several portico processes: a real load balancer, health
checks on /health/readyz, and requests redispatched when a backend dies."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support.services import unavailable

# The documented configuration's global and defaults sections: what the docs say is what runs.
DOCUMENTED = Path(__file__).resolve().parents[2] / "docs" / "haproxy.cfg"
CONFIG = DOCUMENTED.read_text().split("\nfrontend ", 1)[0] + "\n"


def require_haproxy() -> str:
    path = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(path).exists():
        unavailable("HAProxy is not installed (apt-get install haproxy)")
    return path


def _section(name: str, port: int, backends: list[int]) -> str:
    servers = "\n".join(
        f"    server {name}{i} 127.0.0.1:{p} check inter 500ms fall 2 rise 2"
        for i, p in enumerate(backends)
    )
    return (
        f"frontend {name}_in\n    bind 127.0.0.1:{port}\n    default_backend {name}\n"
        f"backend {name}\n    option httpchk GET /health/readyz\n{servers}\n"
    )


@contextmanager
def load_balancer(pools: Mapping[int, tuple[str, list[int]]], workdir: Path) -> Iterator[None]:
    """`pools`: frontend port -> (name, backend ports)."""
    binary = require_haproxy()
    config = workdir / "haproxy.cfg"
    config.write_text(
        CONFIG + "".join(_section(name, port, ports) for port, (name, ports) in pools.items())
    )
    check = subprocess.run([binary, "-c", "-f", str(config)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    log = (workdir / "haproxy.log").open("wb")
    proc = subprocess.Popen([binary, "-db", "-f", str(config)], stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 20
        for port in pools:
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/health/livez", timeout=1).is_success:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline and proc.poll() is None, "haproxy did not start"
                time.sleep(0.1)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=10)
