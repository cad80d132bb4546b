"""The defaults: sign-up closed, recovery off. The manager itself refuses, whatever the UI shows."""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        (
            "POST",
            "/func/auth/signup",
            {
                "email": "a@example.com",
                "password": "Zebra-42-quilt!",
                "terms_version": "1",
                "privacy_version": "1",
            },
        ),
        ("POST", "/func/cloud/send-password-change-email", {"email": "a@example.com"}),
        (
            "POST",
            "/func/cloud/change-password",
            {"email": "a@example.com", "password": "Zebra-42-quilt!", "token": "x"},
        ),
        ("POST", "/func/cloud/send-verification-email", {"email": "a@example.com"}),
        ("GET", "/func/cloud/ping", None),
        ("POST", "/func/portico/unlock-link", {"username": "alice"}),
        ("POST", "/func/portico/unlock", {"token": "x" * 43}),
    ],
)
async def test_disabled_features_answer_403(
    console: httpx.AsyncClient, manager: httpx.AsyncClient, method: str, path: str, body
) -> None:
    r = await console.request(method, path, json=body)
    assert r.status_code == 403, r.text
    assert r.headers["content-type"] == "application/problem+json"
    # Straight to the manager, bypassing the webserver: the same.
    direct = await manager.request(method, path.removeprefix("/func"), json=body)
    assert direct.status_code == 403


async def test_ui_config_says_so(console: httpx.AsyncClient) -> None:
    cfg = (await console.get("/config.json")).json()
    assert cfg["signup"]["enabled"] is False
    assert cfg["recovery"]["enabled"] is False
    assert cfg["recovery"]["unlock_link"] is False
