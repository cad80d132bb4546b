"""POST /agents/heartbeat: a remote `portico agent` reports its node."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import Field

from portico.agent.node_stats import NodeReport
from portico.manager.deps import Services
from portico.manager.routes import answers
from portico.manager.routes.bodies import Body

router = APIRouter()


class HeartbeatBody(Body):
    hostname: str = Field(max_length=255)
    capacity: dict[str, float] = Field(max_length=16)
    cpu_util: float = Field(ge=0, le=100)
    mem_used: int = Field(ge=0)


@router.post("/agents/heartbeat")
async def heartbeat(body: HeartbeatBody, request: Request, svc: Services) -> answers.Heartbeat:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    agent_id = await svc.agents.authenticate(token.strip() if scheme.lower() == "bearer" else "")
    await svc.agents.report(
        agent_id, NodeReport(body.hostname, body.capacity, body.cpu_util, body.mem_used)
    )
    return answers.Heartbeat(agent_id=agent_id)
