"""The webserver's one client to the manager serves every visitor: nothing of one call may ride
along on another's."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from portico.webserver.manager_client import ManagerClient
from tests.support.services import free_port


@pytest.fixture
async def upstream() -> AsyncIterator[tuple[str, list[str]]]:
    """A server on loopback that sets a cookie on every answer and notes the Cookie header of
    every request."""
    seen: list[str] = []

    async def answer(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Cookie", ""))
        response = web.json_response({"ok": True})
        response.set_cookie("upstream_session", "visitor-one-secret", path="/")
        return response

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        # A host name, as a manager is usually named: a cookie jar keeps cookies of names
        # (of bare IP addresses it keeps none).
        yield f"http://localhost:{port}", seen
    finally:
        await runner.cleanup()


async def test_a_cookie_the_manager_sets_is_never_sent_on_a_later_call(
    upstream: tuple[str, list[str]],
) -> None:
    url, seen = upstream
    client = ManagerClient(url)
    try:
        first = await client.call("POST", "/server/login", json={})
        assert first.status == 200
        assert "upstream_session" in first.headers.get("Set-Cookie", "")
        await client.call("GET", "/portico/ui-settings")
        relayed = await client.relay(
            "GET", "/auth/role", headers={}, body=b"", keypair=None, api_version=None
        )
        relayed.release()
    finally:
        await client.close()
    assert seen == ["", "", ""]
