"""Operating portico as processes: structured logs, and the start-up self-checks."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.support.processes import run_cli, running
from tests.support.services import free_port


def test_json_logs_hold_one_object_per_line(tmp_path: Path) -> None:
    port = free_port()
    env = {
        "PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"),
        "PORTICO_SERVICE__PORT": str(port),
        "PORTICO_MANAGER__PORT": str(free_port()),
        "PORTICO_LOGGING__FORMAT": "json",
    }
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with running(["serve"], env, url + "/func/ping", log):
        # A hostile path: it must stay inside its own line's JSON string.
        httpx.get(url + "/func/ping%0aFAKE%20LINE", timeout=10)
        httpx.post(url + "/server/login", json={"username": "x", "password": "y"}, timeout=10)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert any(a["path"] == "/server/login" and a["status"] == 401 for a in access)
    assert not any("FAKE LINE" in line["message"] and "\n" in line["message"] for line in lines)


def test_a_well_known_secret_refuses_to_start_with_one_line(tmp_path: Path) -> None:
    env = {
        "PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"),
        "PORTICO_SECURITY__SECRET_KEY": "changeme",
        "PORTICO_MANAGER__PORT": str(free_port()),
    }
    refused = run_cli(["manager"], env)
    assert refused.returncode == 2
    [line] = [x for x in refused.stderr.splitlines() if "refusing to start" in x]
    assert "[security] secret_key" in line
    assert not (tmp_path / "data").exists() or not list((tmp_path / "data").glob("*.db"))
