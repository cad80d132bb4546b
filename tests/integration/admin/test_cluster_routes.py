"""The small REST routes Backend.AI's WebUI and CLI read after log-in answer in Backend.AI's
shapes: the resource slots (with what a node reports), the project's resource groups, and the
empty answers about what portico does not run. Unsigned, each is refused."""

from __future__ import annotations

import httpx
import pytest

from portico.agent.node_stats import NodeReport
from portico.manager.container import ManagerServices
from tests.conftest import Account, signed


@pytest.fixture
async def alice(make_account) -> Account:  # type: ignore[no-untyped-def]
    made: Account = await make_account()
    return made


EMPTY = {
    "/folders/_/hosts": {"default": None, "allowed": [], "volume_info": {}},
    "/folders/_/allowed_types": [],
    "/folders/invitations/list": {"invitations": []},
    "/user-config/dotfiles": [],
    "/user-config/bootstrap-script": "",
    "/template/session": [],
    "/logs/error": {"logs": [], "count": 0},
    "/manager/announcement": {"enabled": False, "message": ""},
}


async def test_resource_slots_include_what_nodes_report(
    manager: httpx.AsyncClient, services: ManagerServices, alice: Account
) -> None:
    slots = await signed(manager, "GET", "/config/resource-slots", alice)
    assert slots.status_code == 200 and slots.json() == {"cpu": "count", "mem": "bytes"}
    capacity = {"cpu": 8, "mem": 2**34, "cuda.device": 2}
    await services.agents.report("node-1", NodeReport("node-1", capacity, 0.0, 0))
    slots = await signed(manager, "GET", "/config/resource-slots", alice)
    assert slots.json() == {"cpu": "count", "mem": "bytes", "cuda.device": "count"}
    details = (await signed(manager, "GET", "/config/resource-slots/details", alice)).json()
    assert details["cuda.device"]["human_readable_name"] == "GPU"
    assert details["mem"]["number_format"] == {"binary": True, "round_length": 0}


async def test_a_project_s_resource_groups(manager: httpx.AsyncClient, alice: Account) -> None:
    r = await signed(manager, "GET", "/scaling-groups?group=default", alice)
    assert r.status_code == 200 and r.json() == {"scaling_groups": [{"name": "default"}]}


@pytest.mark.parametrize(("path", "answer"), list(EMPTY.items()))
async def test_what_portico_does_not_run_answers_empty(
    manager: httpx.AsyncClient, alice: Account, path: str, answer: object
) -> None:
    r = await signed(manager, "GET", path, alice)
    assert r.status_code == 200 and r.json() == answer
    assert (await manager.get(path)).status_code == 401
