"""A PostgreSQL server of the test's own (initdb, pg_ctl) on a free port, which the test may
pause (SIGSTOP every process of it, as a hung machine would) and resume, never the machine's
shared one. As root it runs as the `postgres` user, since PostgreSQL refuses to run as root."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.services import free_port, unavailable

BIN = Path("/usr/lib/postgresql/15/bin")


@dataclass
class PrivatePostgres:
    port: int
    data: Path

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _pids(self) -> list[int]:
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == postmaster:
                    children.append(int(entry.name))
        return [postmaster, *children]

    def pause(self) -> None:
        for pid in self._pids():
            os.kill(pid, signal.SIGSTOP)

    def resume(self) -> None:
        for pid in self._pids():
            os.kill(pid, signal.SIGCONT)


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    if not (BIN / "initdb").exists():
        unavailable(f"PostgreSQL's initdb is not installed in {BIN}")
    home = Path(tempfile.mkdtemp(prefix="portico-pg-"))
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(home, account.pw_uid, account.pw_gid)
    data = home / "data"
    port = free_port()
    run = {"check": True, "capture_output": True, "timeout": 120}
    subprocess.run(
        _as_postgres([str(BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]),
        **run,
    )
    options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"
    ctl = [str(BIN / "pg_ctl"), "-D", str(data), "-l", str(home / "log"), "-w", "-o", options]
    subprocess.run(_as_postgres([*ctl, "start"]), **run)
    server = PrivatePostgres(port, data)
    try:
        yield server
    finally:
        server.resume()  # a paused server does not stop
        subprocess.run(_as_postgres([*ctl[:3], "-m", "immediate", "stop"]), check=False, timeout=60)
        shutil.rmtree(home, ignore_errors=True)
