"""`portico agent`: reports this node to a manager every few seconds."""

from __future__ import annotations

import asyncio
import logging

import aiohttp

from portico.agent.node_stats import collect

log = logging.getLogger(__name__)

TIMEOUT = aiohttp.ClientTimeout(total=10)


async def report_once(client: aiohttp.ClientSession, heartbeat_url: str, token: str) -> bool:
    report = await asyncio.to_thread(collect)
    try:
        async with client.post(
            heartbeat_url,
            json={
                "hostname": report.hostname,
                "capacity": report.capacity,
                "cpu_util": report.cpu_util,
                "mem_used": report.mem_used,
            },
            headers={"Authorization": f"Bearer {token}"},
        ) as answer:
            status = answer.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("the manager is unreachable: %s", type(exc).__name__)
        return False
    if status != 200:
        log.error("the manager refused the report (%d): check the agent credential", status)
        return False
    return True


async def run_reporter(manager_url: str, token: str, interval: float) -> None:
    # A manager behind a path prefix (https://host/api) keeps it.
    heartbeat_url = manager_url.rstrip("/") + "/agents/heartbeat"
    async with aiohttp.ClientSession(timeout=TIMEOUT) as client:
        while True:
            await report_once(client, heartbeat_url, token)
            await asyncio.sleep(interval)
