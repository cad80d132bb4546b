"""The small REST routes Backend.AI's WebUI and CLI read about the cluster: the resource slots
its nodes offer (and how to show them), the resource groups a project may use, and the
announcement banner. Signed like every manager route."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from portico.manager.container import ManagerServices
from portico.manager.deps import Services, SignedCaller

router = APIRouter()

# How Backend.AI's clients show each slot: its name, unit and icon.
SLOT_KINDS = {"cpu": "count", "mem": "bytes"}
SLOT_DISPLAY: dict[str, dict[str, Any]] = {
    "cpu": {"human_readable_name": "CPU", "description": "CPU", "display_unit": "Core",
            "number_format": {"binary": False, "round_length": 0}, "display_icon": "cpu"},
    "mem": {"human_readable_name": "RAM", "description": "Memory", "display_unit": "GiB",
            "number_format": {"binary": True, "round_length": 0}, "display_icon": "cpu",
            "slot_name": "ram"},
    "cuda.device": {"human_readable_name": "GPU", "description": "CUDA-capable GPU",
                    "display_unit": "GPU", "number_format": {"binary": False, "round_length": 0},
                    "display_icon": "gpu1"},
}  # fmt: skip


async def _slots(svc: ManagerServices) -> dict[str, str]:
    """The slots portico knows, and any other a node reports in its capacity."""
    slots = dict(SLOT_KINDS)
    for agent in await svc.agents.all_in():
        for name in agent.capacity:
            slots.setdefault(name, "bytes" if name.endswith(".mem") else "count")
    return slots


@router.get("/config/resource-slots")
async def resource_slots(_caller: SignedCaller, svc: Services) -> dict[str, str]:
    return await _slots(svc)


@router.get("/config/resource-slots/details")
async def resource_slot_details(
    _caller: SignedCaller, svc: Services, sgroup: str | None = None
) -> dict[str, Any]:
    details = {}
    for name in await _slots(svc):
        shown = SLOT_DISPLAY.get(name) or {
            "human_readable_name": name,
            "description": name,
            "display_unit": "",
            "number_format": {"binary": name.endswith(".mem"), "round_length": 0},
            "display_icon": "",
        }
        details[name] = {"slot_name": name, **shown}
    return details


@router.get("/scaling-groups")
async def scaling_groups(
    _caller: SignedCaller, svc: Services, group: str | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The resource groups the project may use: every active one (portico does not tie
    resource groups to projects)."""
    found = await svc.resources.list_groups()
    return {"scaling_groups": [{"name": g.name} for g in found if g.is_active]}


@router.get("/manager/announcement")
async def announcement(_caller: SignedCaller) -> dict[str, Any]:
    return {"enabled": False, "message": ""}
