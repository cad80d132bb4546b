"""Schemathesis over both services' OpenAPI documents, against real processes on SQLite and
PostgreSQL: no input the documents allow, or nearly allow, gets a server error, and every 4xx
is a problem document.

The manager's document is generated from its routes; the webserver's is
`portico.webserver.openapi`. Signed routes are called signed (a real keypair), so the cases
reach the routes themselves and not only the authentication in front of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from portico.config import load_settings
from portico.manager.app import create_app
from portico.webserver.openapi import openapi as webserver_openapi
from portico.wire.signing import signed_headers
from portico.wire.versions import API_VERSION
from tests.conftest import GOOD_PASSWORD
from tests.support.processes import create_account, run_cli, running
from tests.support.services import free_port

CASES_PER_SERVICE = 1000
PROBLEM_TYPES = ("application/problem+json", "application/json")


@dataclass
class Deployment:
    manager: str
    web: str
    access_key: str
    secret_key: str
    log_dir: Path


@pytest.fixture
def deployment(tmp_path: Path, db_url: str) -> Iterator[Deployment]:
    manager_port, web_port = free_port(), free_port()
    env = {
        "PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"),
        "PORTICO_DB__URL": db_url,
        "PORTICO_AUTH__BCRYPT_ROUNDS": "4",
        "PORTICO_MANAGER__PORT": str(manager_port),
        "PORTICO_SERVICE__PORT": str(web_port),
        "PORTICO_API__ENDPOINT": f"http://127.0.0.1:{manager_port}",
        "PORTICO_AGENT__LOCAL": "false",
        "PORTICO_SIGNUP__MODE": "open",
        "PORTICO_RECOVERY__ENABLED": "true",
        "PORTICO_EMAIL__BACKEND": "file",
        "PORTICO_SESSION__LOGIN_ADDRESS_FAIL_LIMIT": "100000",
    }
    access_key = create_account(env)
    shown = run_cli(["keypair", "show", "--email", "alice@example.com", "--reveal"], env)
    secret_key = shown.stdout.split("secret_key: ")[1].strip()
    manager, web = f"http://127.0.0.1:{manager_port}", f"http://127.0.0.1:{web_port}"
    with (
        running(["manager"], env, manager + "/health/livez", tmp_path / "manager.log"),
        running(["webserver"], env, web + "/health/livez", tmp_path / "web.log"),
    ):
        yield Deployment(manager, web, access_key, secret_key, tmp_path)


def _operations(document: dict[str, Any]) -> list[Any]:
    schema = schemathesis.openapi.from_dict(document)
    return [result.ok() for result in schema.get_all_operations()]


def _check(response: requests.Response, what: str) -> None:
    assert response.status_code < 500, f"{what} -> {response.status_code}: {response.text[:500]}"
    if 400 <= response.status_code < 500:
        media = response.headers.get("content-type", "").split(";")[0]
        assert media in PROBLEM_TYPES, f"{what} -> {response.status_code} as {media}"
        doc = response.json()
        assert isinstance(doc, dict) and doc.get("type") and doc.get("title"), (what, doc)


def _fuzz(operations: list[Any], send: Any) -> int:
    """Valid and invalid cases for every operation; returns how many were sent."""
    # Hypothesis stops early on operations with few distinct inputs: ask for plenty.
    per_operation = 2 * CASES_PER_SERVICE // len(operations)
    count = 0
    rounds = 0
    while count < CASES_PER_SERVICE and rounds < 10:  # each round draws fresh cases
        rounds += 1
        count += _fuzz_round(operations, send, per_operation)
    return count


def _fuzz_round(operations: list[Any], send: Any, per_operation: int) -> int:
    count = 0
    for operation in operations:
        for mode in GenerationMode:

            @settings(
                max_examples=per_operation // 2,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                nonlocal count
                count += 1
                send(case)

            try:
                run()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # nothing to get wrong: no parameters
    return count


def test_the_manager_survives_fuzzing(deployment: Deployment) -> None:
    document = create_app(load_settings(None)).openapi()
    session = requests.Session()
    host = deployment.manager.removeprefix("http://")

    def send(case: Any) -> None:
        kwargs = case.as_transport_kwargs(base_url=deployment.manager)
        request = requests.Request(
            method=kwargs["method"],
            url=kwargs["url"],
            headers=kwargs.get("headers"),
            params=kwargs.get("params"),
            json=kwargs.get("json"),
            data=kwargs.get("data"),
        ).prepare()
        media = request.headers.get("Content-Type", "application/octet-stream").split(";")[0]
        request.headers.update(
            signed_headers(
                method=request.method or "GET",
                path=request.path_url,
                host=host,
                content_type=media,
                api_version=API_VERSION,
                access_key=deployment.access_key,
                secret_key=deployment.secret_key,
            )
        )
        _check(session.send(request, timeout=30), f"{request.method} {request.path_url}")

    assert _fuzz(_operations(document), send) >= CASES_PER_SERVICE


def test_the_webserver_survives_fuzzing(deployment: Deployment) -> None:
    session = requests.Session()
    login = session.post(
        deployment.web + "/server/login",
        json={"username": "alice@example.com", "password": GOOD_PASSWORD},
    )
    assert login.status_code == 200, login.text
    cookie = session.cookies.get("AIOHTTP_SESSION")

    def send(case: Any) -> None:
        kwargs = case.as_transport_kwargs(base_url=deployment.web)
        if kwargs["url"].endswith("/server/logout"):
            return  # it would end the session the other cases relay through
        response = session.request(
            kwargs["method"],
            kwargs["url"],
            headers=kwargs.get("headers"),
            params=kwargs.get("params"),
            json=kwargs.get("json"),
            data=kwargs.get("data"),
            cookies={"AIOHTTP_SESSION": cookie},
            timeout=30,
        )
        _check(
            response, f"{kwargs['method']} {kwargs['url']} {json.dumps(kwargs.get('json'))[:200]}"
        )

    assert _fuzz(_operations(webserver_openapi()), send) >= CASES_PER_SERVICE
