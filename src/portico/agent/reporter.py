"""`portico agent`: reports this node to a manager every few seconds."""

from __future__ import annotations

import asyncio
import logging

import httpx

from portico.agent.node_stats import collect

log = logging.getLogger(__name__)


async def report_once(client: httpx.AsyncClient, token: str) -> bool:
    report = await asyncio.to_thread(collect)
    try:
        answer = await client.post(
            "/agents/heartbeat",
            json={
                "hostname": report.hostname,
                "capacity": report.capacity,
                "cpu_util": report.cpu_util,
                "mem_used": report.mem_used,
            },
            headers={"Authorization": f"Bearer {token}"},
        )
    except httpx.HTTPError as exc:
        log.warning("the manager is unreachable: %s", type(exc).__name__)
        return False
    if answer.status_code != 200:
        log.error(
            "the manager refused the report (%d): check the agent credential", answer.status_code
        )
        return False
    return True


async def run_reporter(manager_url: str, token: str, interval: float) -> None:
    async with httpx.AsyncClient(base_url=manager_url.rstrip("/"), timeout=10) as client:
        while True:
            await report_once(client, token)
            await asyncio.sleep(interval)
