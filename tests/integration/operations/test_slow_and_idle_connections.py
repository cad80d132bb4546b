"""Slow, silent and idle connections against a real `portico serve` started with a soft limit
of 1,024 open files: three thousand silent sockets and slow request heads neither shut the
next log-in out nor stay open past the head timeout, idle kept-alive connections are capped,
and an oversized streamed body is refused as soon as it passes the limit."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import GOOD_PASSWORD
from tests.support.processes import create_account, portico_env, wait_until_answering
from tests.support.services import free_port

HEAD_TIMEOUT = 2
MAX_IDLE = 50
Served = tuple[str, int, Path]  # base URL, port, log file
SOCKETS = 3000  # silent ones and slow heads, three times the soft open-file limit


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Served]:
    port = free_port()
    env = {
        "PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"),
        "PORTICO_AUTH__BCRYPT_ROUNDS": "4",
        "PORTICO_SERVICE__PORT": str(port),
        "PORTICO_SERVICE__HEADER_TIMEOUT": str(HEAD_TIMEOUT),
        "PORTICO_SERVICE__MAX_IDLE_CONNECTIONS": str(MAX_IDLE),
        "PORTICO_MANAGER__PORT": str(free_port()),
        "PORTICO_AGENT__LOCAL": "false",
    }
    create_account(env)
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        # The soft limit an account often has; the hard one above it.
        proc = subprocess.Popen(
            ["prlimit", "--nofile=1024:16384", sys.executable, "-m", "portico.cli", "serve"],
            env=portico_env(env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_answering(proc, f"http://127.0.0.1:{port}/func/ping", log)
        yield f"http://127.0.0.1:{port}", port, log
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def closed_by_server(sock: socket.socket, within: float) -> bool:
    sock.settimeout(within)
    try:
        return sock.recv(1) == b""
    except (TimeoutError, ConnectionResetError):
        return False


def test_idle_kept_alive_connections_are_capped_the_longest_idle_closed_first(
    serve: Served,
) -> None:
    _url, port, _log = serve
    kept = []
    for _ in range(MAX_IDLE + 30):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"GET /func/ping HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.settimeout(5)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        kept.append(sock)
    time.sleep(0.5)
    closed = [closed_by_server(sock, within=0.2) for sock in kept]
    assert closed[:30] == [True] * 30  # the 30 that waited longest
    assert closed[30:] == [False] * MAX_IDLE  # the rest are kept for their next request
    for sock in kept:
        sock.close()


def test_thousands_of_silent_and_slow_sockets_neither_shut_log_ins_out_nor_stay_open(
    serve: Served,
) -> None:
    url, port, log = serve
    assert "open files: up to 16384" in log.read_text()
    held = []
    try:
        for i in range(SOCKETS):
            sock = socket.create_connection(("127.0.0.1", port))
            if i % 3 == 0:
                sock.sendall(b"GET /func/ping HTTP/1.1\r\nHost: x\r\n")  # and never the rest
            held.append(sock)
        for _ in range(10):
            r = httpx.post(
                url + "/server/login",
                json={"username": "alice", "password": GOOD_PASSWORD},
                timeout=10,
            )
            assert r.status_code == 200, r.text
        time.sleep(HEAD_TIMEOUT)
        still_open = [i for i, sock in enumerate(held) if not closed_by_server(sock, within=5)]
        assert still_open == []
    finally:
        for sock in held:
            sock.close()


def test_an_oversized_streamed_body_is_refused_before_it_ends(
    serve: Served,
) -> None:
    _url, port, _log = serve
    sent = 0
    chunk = b"x" * 65536
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(
            b"POST /func/cloud/send-password-change-email HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        sock.settimeout(10)
        try:
            while sent < 100 * 1024 * 1024:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        try:
            while not answer.endswith(b"}"):
                part = sock.recv(4096)
                if not part:
                    break
                answer += part
        except (TimeoutError, ConnectionResetError):
            pass
    assert sent < 20 * 1024 * 1024, f"{sent} bytes were taken in before the refusal"
    assert b" 413 " in answer.split(b"\r\n", 1)[0], answer[:200]
