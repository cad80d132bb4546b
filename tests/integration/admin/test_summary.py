"""/summary: the numbers match the database and this machine; nobody sees another's data."""

from __future__ import annotations

from typing import Any

import httpx
import psutil
import pytest

from portico.agent.node_stats import NodeReport, collect
from portico.manager.container import ManagerServices
from portico.manager.services.agents import AgentService
from tests.conftest import GOOD_PASSWORD, Account, signed

GiB = 1024**3


@pytest.fixture
def manager_overrides() -> dict[str, Any]:
    return {"agent": {"local": False}}


@pytest.fixture
async def people(make_account, services: ManagerServices) -> dict[str, Account]:
    await services.resources.create_policy("small", {"cpu": 4, "mem": 16 * GiB}, 3)
    alice = await make_account()
    bob = await make_account(email="bob@example.com", username="bob")
    root = await make_account(email="root@example.com", username="root", role="superadmin")
    await services.resources.set_keypair_policy(alice.access_key, "small")
    return {"alice": alice, "bob": bob, "root": root}


async def allocate(services: ManagerServices, who: Account, **slots: float) -> Any:
    [user] = [u for u in await services.accounts.list_users() if u.email == who.email]
    return await services.resources.allocate(
        user_id=user.user_id, access_key=who.access_key, agent_id=None, slots=slots
    )


async def test_the_numbers_are_what_the_database_holds(
    manager: httpx.AsyncClient, services: ManagerServices, people: dict[str, Account]
) -> None:
    alice, bob = people["alice"], people["bob"]
    await allocate(services, alice, cpu=1, mem=2 * GiB)
    await allocate(services, alice, cpu=0.5, mem=GiB)
    ended = await allocate(services, alice, cpu=2, mem=4 * GiB)
    await services.resources.terminate(ended)
    await allocate(services, bob, cpu=3, mem=8 * GiB)

    data = (await signed(manager, "GET", "/summary", alice)).json()
    kp = data["keypair"]
    assert kp["policy"] == "small"
    assert kp["allocated"] == {"cpu": 1.5, "mem": 3 * GiB, "cuda.device": 0}
    assert kp["limits"] == {"cpu": 4, "mem": 16 * GiB, "cuda.device": None}
    assert kp["sessions"] == {"running": 2, "allowed": 3}
    # The resource group counts everybody's running sessions, but only as totals.
    assert data["resource_group"]["used"]["cpu"] == 4.5
    # A user sees their own sessions, and nothing of the nodes.
    assert data["system"] == {"scope": "own", "active_sessions": 2}

    bobs = (await signed(manager, "GET", "/summary", bob)).json()
    assert bobs["keypair"]["allocated"]["cpu"] == 3
    assert bobs["keypair"]["policy"] == "default"
    assert bobs["system"]["active_sessions"] == 1


async def test_node_capacity_is_what_psutil_reports(
    manager: httpx.AsyncClient, services: ManagerServices, people: dict[str, Account]
) -> None:
    report = collect()
    await services.agents.report("local-test", report)
    data = (await signed(manager, "GET", "/summary", people["root"])).json()
    [node] = data["system"]["nodes"]
    assert node["capacity"]["cpu"] == psutil.cpu_count(logical=True)
    assert node["capacity"]["mem"] == psutil.virtual_memory().total
    assert node["alive"] is True
    assert 0 <= node["cpu_util"] <= 100
    assert 0 < node["mem_used"] <= node["capacity"]["mem"]
    assert data["resource_group"]["total"]["cpu"] == psutil.cpu_count(logical=True)


async def test_an_admin_sees_the_system_totals_and_lost_nodes(
    manager: httpx.AsyncClient, services: ManagerServices, people: dict[str, Account]
) -> None:
    await allocate(services, people["alice"], cpu=1)
    await allocate(services, people["bob"], cpu=1)
    old = AgentService(services.database, lost_after=20, clock=lambda: 1000.0)
    await old.report("gone", NodeReport("gone.example", {"cpu": 8, "mem": 32 * GiB}, 50.0, GiB))
    await services.agents.report(
        "here", NodeReport("here.example", {"cpu": 2, "mem": 4 * GiB}, 25.0, 2 * GiB)
    )
    data = (await signed(manager, "GET", "/summary", people["root"])).json()
    system = data["system"]
    assert system["scope"] == "all"
    assert system["active_sessions"] == 2
    assert system["connected_nodes"] == 1
    assert {n["id"]: n["alive"] for n in system["nodes"]} == {"gone": False, "here": True}
    assert system["mem_total"] == 4 * GiB  # lost nodes do not count
    assert system["cpu_util"] == 25.0
    assert data["resource_group"]["total"]["cpu"] == 2


async def test_unknown_resource_group_is_404(manager: httpx.AsyncClient, people) -> None:  # type: ignore[no-untyped-def]
    r = await signed(manager, "GET", "/summary?group=nope", people["alice"])
    assert r.status_code == 404
    data = (await signed(manager, "GET", "/summary", people["alice"])).json()
    assert data["resource_group"]["groups"] == ["default"]


async def test_remote_agents_need_their_credential(
    manager: httpx.AsyncClient, services: ManagerServices
) -> None:
    token = await services.agents.issue_credential("node7")
    body = {
        "hostname": "node7.example",
        "capacity": {"cpu": 16, "mem": 64 * GiB},
        "cpu_util": 12.5,
        "mem_used": 3 * GiB,
    }
    r = await manager.post(
        "/agents/heartbeat", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.json() == {"status": "ok", "agent_id": "node7"}
    [node] = await services.agents.all_in()
    assert node.capacity == {"cpu": 16, "mem": 64 * GiB}
    assert node.alive
    r = await manager.post(
        "/agents/heartbeat", json=body, headers={"Authorization": "Bearer pag_x"}
    )
    assert r.status_code == 401
    assert (await manager.post("/agents/heartbeat", json=body)).status_code == 401
    bad = await manager.post(
        "/agents/heartbeat",
        json={**body, "cpu_util": 300},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert bad.status_code == 400


async def test_account_security_sessions_and_history(
    console: httpx.AsyncClient, services: ManagerServices, people: dict[str, Account]
) -> None:
    login = {"username": "alice", "password": GOOD_PASSWORD}
    first = (await console.post("/server/login", json=login)).cookies["AIOHTTP_SESSION"]
    console.cookies.clear()
    await console.post("/server/login", json={**login, "password": "Wr0ng-pass!"})
    await console.post("/server/login", json={**login, "password": "Wr0ng-pass!"})
    await services.log_in.settle()
    await console.post("/server/login", json=login)
    bobs = httpx.AsyncClient(transport=console._transport, base_url=str(console.base_url))
    await bobs.post("/server/login", json={"username": "bob", "password": GOOD_PASSWORD})

    sec = (await console.get("/func/summary")).json()["security"]
    assert sec["previous_login"]["client_address"]
    assert sec["failed_since_previous"] == 2
    assert len(sec["sessions"]) == 2  # only alice's own
    [this] = [s for s in sec["sessions"] if s["current"]]
    [other] = [s for s in sec["sessions"] if not s["current"]]
    assert this["id"] != other["id"]

    # Bob cannot revoke alice's session; alice can.
    bob_try = await bobs.delete(f"/func/portico/sessions/{other['id']}")
    assert bob_try.status_code == 404
    assert (await console.delete(f"/func/portico/sessions/{other['id']}")).status_code == 200
    r = await console.get("/func/auth/role", headers={"X-BackendAI-SessionID": first})
    assert r.status_code == 401
    await bobs.aclose()


async def test_sign_out_everywhere_else_needs_the_password(
    console: httpx.AsyncClient, people: dict[str, Account]
) -> None:
    login = {"username": "alice", "password": GOOD_PASSWORD}
    others = [(await console.post("/server/login", json=login)).cookies["AIOHTTP_SESSION"]]
    console.cookies.clear()
    others.append((await console.post("/server/login", json=login)).cookies["AIOHTTP_SESSION"])
    console.cookies.clear()
    await console.post("/server/login", json=login)
    r = await console.post("/func/portico/sessions/sign-out-others", json={"password": "nope"})
    assert r.status_code == 401
    r = await console.post(
        "/func/portico/sessions/sign-out-others", json={"password": GOOD_PASSWORD}
    )
    assert r.status_code == 200
    for sid in others:
        assert (
            await console.get("/func/auth/role", headers={"X-BackendAI-SessionID": sid})
        ).status_code == 401
    assert (await console.get("/func/auth/role")).status_code == 200
