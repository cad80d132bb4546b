"""What the webserver lets a page connect to, and when it tells browsers to keep to https."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from portico.config import ConfigError, load_settings
from portico.webserver.guards import BrowserGuards, connect_sources, hsts_max_age


def test_connect_src_lists_self_the_manager_and_the_allowed_endpoints_only() -> None:
    settings = load_settings(
        None,
        api={"endpoint": "http://10.0.0.5:8081/"},
        service={"allowed_endpoints": ["https://gpu.example.org/login", "http://lab.test:8090"]},
    )
    assert connect_sources(settings) == (
        "'self' http://10.0.0.5:8081 https://gpu.example.org http://lab.test:8090"
    )


def test_a_pinned_endpoint_allows_no_other_webserver() -> None:
    settings = load_settings(
        None,
        api={"text": "Our cluster"},
        service={"allowed_endpoints": ["https://gpu.example.org"]},
    )
    assert connect_sources(settings) == "'self' http://127.0.0.1:8081"


def test_an_allowed_endpoint_must_be_an_http_url() -> None:
    with pytest.raises(ConfigError, match="allowed_endpoints"):
        load_settings(None, service={"allowed_endpoints": ["javascript:alert(1)"]})


async def _answer(settings_public_url: str, base_url: str) -> httpx.Response:
    settings = load_settings(None, service={"public_url": settings_public_url})
    max_age, always = hsts_max_age(settings)
    app = BrowserGuards(
        Starlette(routes=[Route("/", lambda _r: PlainTextResponse("ok"))]),
        allowed_origins=[],
        connect_src=connect_sources(settings),
        hsts_max_age=max_age,
        hsts_always=always,
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url) as c:
        return await c.get("/")


async def test_hsts_is_sent_by_default_when_the_public_url_is_https() -> None:
    answer = await _answer("https://console.example.org", "http://console.test")
    assert answer.headers["strict-transport-security"].startswith("max-age=31536000")


async def test_hsts_is_sent_on_https_answers_and_not_on_plain_http_ones() -> None:
    assert "strict-transport-security" in (await _answer("", "https://console.test")).headers
    assert "strict-transport-security" not in (await _answer("", "http://console.test")).headers
