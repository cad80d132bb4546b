"""Whose X-Forwarded-For the manager believes: a portico webserver's (it proves itself with a
MAC made with the server secret) and the networks the operator names; nobody else's, not even
a process on the manager's own machine."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from portico.db.models import AuditEntry
from portico.manager.app import create_app
from portico.manager.container import ManagerServices
from portico.wire.forwarding import PROOF_HEADER, ForwardingKey
from tests.conftest import MANAGER_HOST

WRONG = {"type": "keypair", "domain": "default", "password": "Wr0ng-pass!"}


@pytest.fixture
def manager_overrides() -> dict[str, dict[str, Any]]:
    return {"session": {"login_address_fail_limit": 5}}


def client_from(services: ManagerServices, peer: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(services.settings, services), client=(peer, 1))
    return httpx.AsyncClient(transport=transport, base_url=f"http://{MANAGER_HOST}")


async def wrong_log_ins(client: httpx.AsyncClient, headers_for: Any, count: int) -> list[int]:
    statuses = []
    for n in range(count):
        r = await client.post(
            "/auth/authorize",
            json={**WRONG, "username": f"nobody{n}@example.com"},
            headers=headers_for(f"198.51.100.{n + 1}"),
        )
        statuses.append(r.status_code)
    return statuses


async def audited_addresses(services: ManagerServices) -> set[str]:
    await services.log_in.settle()
    async with services.database() as db:
        return set((await db.scalars(select(AuditEntry.client_address))).all())


async def test_a_local_process_cannot_claim_other_addresses(services: ManagerServices) -> None:
    async with client_from(services, "127.0.0.1") as local:
        statuses = await wrong_log_ins(local, lambda a: {"X-Forwarded-For": a}, 8)
    assert statuses == [401] * 5 + [429] * 3  # one address: the ceiling holds
    assert await audited_addresses(services) == {"127.0.0.1"}


async def test_a_proof_made_without_the_server_secret_is_ignored(
    services: ManagerServices,
) -> None:
    forger = ForwardingKey("not the server's secret")

    def forged(address: str) -> dict[str, str]:
        return {"X-Forwarded-For": address, PROOF_HEADER: forger.proof(address, None)}

    async with client_from(services, "127.0.0.1") as local:
        statuses = await wrong_log_ins(local, forged, 8)
    assert statuses == [401] * 5 + [429] * 3
    stale = services.forwarding.proof("198.51.100.77", None, now=0)
    async with client_from(services, "127.0.0.1") as local:
        r = await local.post(
            "/auth/authorize",
            json={**WRONG, "username": "x@example.com"},
            headers={"X-Forwarded-For": "198.51.100.77", PROOF_HEADER: stale},
        )
    assert r.status_code == 429  # still 127.0.0.1's ceiling: an old proof proves nothing


async def test_a_webservers_proof_is_believed(services: ManagerServices) -> None:
    def vouched(address: str) -> dict[str, str]:
        return {"X-Forwarded-For": address, PROOF_HEADER: services.forwarding.proof(address, None)}

    async with client_from(services, "10.1.2.3") as webserver:
        statuses = await wrong_log_ins(webserver, vouched, 8)
    assert statuses == [401] * 8  # eight addresses, one failure each
    assert "198.51.100.8" in await audited_addresses(services)


@pytest.mark.parametrize(
    "manager_overrides",
    [{"manager": {"trusted_proxies": ["10.0.0.0/8"]}, "session": {"login_address_fail_limit": 5}}],
)
async def test_a_network_the_operator_names_is_believed(services: ManagerServices) -> None:
    async with client_from(services, "10.9.9.9") as balancer:
        statuses = await wrong_log_ins(balancer, lambda a: {"X-Forwarded-For": a}, 8)
    assert statuses == [401] * 8
    async with client_from(services, "127.0.0.1") as local:  # but not the machine itself
        statuses = await wrong_log_ins(local, lambda a: {"X-Forwarded-For": a}, 8)
    assert statuses.count(429) == 3


async def test_through_the_webserver_the_browsers_address_counts(
    console: httpx.AsyncClient, services: ManagerServices
) -> None:
    r = await console.post(
        "/server/login",
        json={"username": "x@example.com", "password": "Wr0ng-pass!"},
        headers={"X-Forwarded-For": "192.0.2.99"},  # the browser's own claim: ignored
    )
    assert r.status_code == 401
    assert await audited_addresses(services) == {"198.51.100.23"}
