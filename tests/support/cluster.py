"""Two managers and two webservers on PostgreSQL and Redis, each pair behind HAProxy: the
deployment a cluster runs portico in."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen

import redis

from tests.support.database import fresh_database_url
from tests.support.haproxy import load_balancer
from tests.support.processes import create_account, running
from tests.support.services import free_port, require_redis


@dataclass
class Cluster:
    manager_lb: str
    web_lb: str
    managers_direct: list[str]
    webs: list[str]
    managers: list[Popen]
    env: dict[str, str]
    db_url: str
    mail_dir: Path
    logs: Path


@contextmanager
def two_by_two(
    tmp_path: Path, *, first_manager_under: tuple[str, ...] = (), **settings: str
) -> Iterator[Cluster]:
    """`first_manager_under`: a command the first manager runs under (e.g. faketime);
    `settings`: further PORTICO_ variables for every process."""
    db_url = asyncio.run(fresh_database_url("postgres", tmp_path))
    redis_url = require_redis()
    redis.Redis.from_url(redis_url).flushdb()
    manager_ports, web_ports = [free_port(), free_port()], [free_port(), free_port()]
    manager_lb, web_lb = free_port(), free_port()
    mail_dir = tmp_path / "mail"
    env = {
        "PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"),
        "PORTICO_DB__URL": db_url,
        "PORTICO_REDIS__URL": redis_url,
        "PORTICO_SESSION__STORE": "redis",
        "PORTICO_AUTH__BCRYPT_ROUNDS": "4",
        "PORTICO_SECURITY__SECRET_KEY": "shared-by-every-replica-of-this-cluster",
        "PORTICO_API__ENDPOINT": f"http://127.0.0.1:{manager_lb}",
        "PORTICO_SERVICE__PUBLIC_URL": f"http://127.0.0.1:{web_lb}",
        "PORTICO_SIGNUP__MODE": "invite",
        "PORTICO_RECOVERY__ENABLED": "true",
        "PORTICO_EMAIL__BACKEND": "file",
        "PORTICO_EMAIL__FILE_DIR": str(mail_dir),
        "PORTICO_EMAIL__RATE_PER_CLIENT": "100000/minute",
        "PORTICO_SESSION__LOGIN_ADDRESS_FAIL_LIMIT": "100000",
        "PORTICO_AGENT__LOCAL": "false",
        **settings,
    }
    create_account(env)
    with ExitStack() as stack:
        managers = [
            stack.enter_context(
                running(
                    ["manager"],
                    {**env, "PORTICO_MANAGER__PORT": str(port)},
                    f"http://127.0.0.1:{port}/health/livez",
                    tmp_path / f"manager{i}.log",
                    under=first_manager_under if i == 0 else (),
                )
            )
            for i, port in enumerate(manager_ports)
        ]
        (tmp_path / "lb-m").mkdir()
        stack.enter_context(
            load_balancer({manager_lb: ("managers", manager_ports)}, tmp_path / "lb-m")
        )
        for i, port in enumerate(web_ports):
            stack.enter_context(
                running(
                    ["webserver"],
                    {**env, "PORTICO_SERVICE__PORT": str(port)},
                    f"http://127.0.0.1:{port}/health/livez",
                    tmp_path / f"web{i}.log",
                )
            )
        (tmp_path / "lb-w").mkdir()
        stack.enter_context(load_balancer({web_lb: ("webservers", web_ports)}, tmp_path / "lb-w"))
        yield Cluster(
            manager_lb=f"http://127.0.0.1:{manager_lb}",
            web_lb=f"http://127.0.0.1:{web_lb}",
            managers_direct=[f"http://127.0.0.1:{p}" for p in manager_ports],
            webs=[f"http://127.0.0.1:{p}" for p in web_ports],
            managers=managers,
            env=env,
            db_url=db_url,
            mail_dir=mail_dir,
            logs=tmp_path,
        )
