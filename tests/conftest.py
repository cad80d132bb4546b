"""Fixtures shared by every suite. Tests use bcrypt cost 4 except those about hashing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from portico.config import Settings, load_settings
from portico.manager.app import create_app
from portico.manager.container import ManagerServices, build_services
from portico.webserver.app import create_app as create_web_app
from portico.webserver.container import WebServices, build_web_services
from portico.wire.signing import signed_headers
from portico.wire.versions import API_VERSION
from tests.support import exit_watchdog
from tests.support.database import BACKENDS, fresh_database_url
from tests.support.inloop import serving

TEST_BCRYPT_ROUNDS = 4
MANAGER_HOST = "manager.test"
GOOD_PASSWORD = "Corr3ct-h0rse!"


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    exit_watchdog.arm(int(exitstatus))


def make_settings(tmp_path: Path, db_url: str, **sections: dict[str, Any]) -> Settings:
    base: dict[str, dict[str, Any]] = {
        "general": {"data_dir": str(tmp_path / "data")},
        "db": {"url": db_url},
        "auth": {"bcrypt_rounds": TEST_BCRYPT_ROUNDS},
    }
    for name, values in sections.items():
        base.setdefault(name, {}).update(values)
    return load_settings(None, **base)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def db_url(backend: str, tmp_path: Path) -> str:
    return await fresh_database_url(backend, tmp_path)


@pytest.fixture
def manager_overrides() -> dict[str, dict[str, Any]]:
    """Override in a test module to change the manager's settings."""
    return {}


@pytest.fixture
async def services(
    tmp_path: Path, db_url: str, manager_overrides: dict[str, dict[str, Any]]
) -> AsyncIterator[ManagerServices]:
    svc = await build_services(make_settings(tmp_path, db_url, **manager_overrides))
    try:
        yield svc
    finally:
        await svc.close()


@pytest.fixture
async def manager(services: ManagerServices) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(services.settings, services)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{MANAGER_HOST}") as c:
        yield c


@dataclass
class Account:
    email: str
    username: str
    password: str
    access_key: str
    secret_key: str


@pytest.fixture
def make_account(services: ManagerServices):  # type: ignore[no-untyped-def]
    async def make(
        email: str = "alice@example.com",
        username: str | None = "alice",
        password: str = GOOD_PASSWORD,
        **kwargs: Any,
    ) -> Account:
        created = await services.accounts.create_user(
            email=email, username=username, password=password, **kwargs
        )
        return Account(email, username or email, password, created.access_key, created.secret_key)

    return make


async def signed(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    account: Account,
    *,
    json: Any = None,
    secret_key: str | None = None,
    **header_overrides: str,
) -> httpx.Response:
    content_type = "application/json"
    headers = signed_headers(
        method=method,
        path=path,
        host=MANAGER_HOST,
        content_type=content_type,
        api_version=API_VERSION,
        access_key=account.access_key,
        secret_key=secret_key or account.secret_key,
    )
    headers.update(header_overrides)
    return await client.request(method, path, json=json, headers=headers)


WEB_HOST = "console.test"


@pytest.fixture
def web_overrides() -> dict[str, dict[str, Any]]:
    """Override in a test module to change the webserver's settings."""
    return {}


@pytest.fixture
async def manager_url(services: ManagerServices) -> AsyncIterator[str]:
    """The manager app on a real loopback port, in this test's event loop."""
    async with serving(create_app(services.settings, services)) as url:
        yield url


@pytest.fixture
async def web_services(
    services: ManagerServices, manager_url: str, web_overrides: dict[str, dict[str, Any]]
) -> AsyncIterator[WebServices]:
    settings = services.settings.model_copy(deep=True)
    settings.api.endpoint = manager_url
    for section, values in web_overrides.items():
        for key, value in values.items():
            setattr(getattr(settings, section), key, value)
    web = build_web_services(settings)
    try:
        yield web
    finally:
        await web.close()


@pytest.fixture
async def console(web_services: WebServices) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the webserver, keeping cookies like a browser would."""
    app = create_web_app(web_services.settings, web_services)
    transport = httpx.ASGITransport(app=app, client=("198.51.100.23", 51000))
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{WEB_HOST}") as c:
        yield c


async def step_up(client: httpx.AsyncClient, account: Account) -> None:
    """Give the password again (the manager's POST /portico/step-up), as the actions that add
    an authenticator or replace the keypair require."""
    r = await signed(
        client, "POST", "/portico/step-up", account, json={"password": account.password}
    )
    assert r.status_code == 200, r.text
