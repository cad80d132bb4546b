"""Bad input gets a clear 4xx problem document, never a 500, and changes nothing."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import GOOD_PASSWORD, Account, signed


def assert_problem(r: httpx.Response, status: int) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["type"].startswith("https://api.backend.ai/probs/")
    assert body["title"]
    assert "Traceback" not in r.text


@pytest.mark.parametrize(
    "content",
    [
        b'{"username": "alice",',  # malformed JSON
        b'["username", "password"]',  # not an object
        b'{"username": 5, "password": ["x"]}',  # wrong types
        b'{"username": "alice"}',  # missing field
        b'{"username": "", "password": ""}',  # empty fields
        b"\xff\xfe garbage",
        b"",
    ],
)
async def test_malformed_log_in_bodies(manager: httpx.AsyncClient, content: bytes) -> None:
    r = await manager.post(
        "/auth/authorize", content=content, headers={"content-type": "application/json"}
    )
    assert_problem(r, 400)


async def test_wrong_types_on_a_signed_route_lose_nothing(
    manager: httpx.AsyncClient, make_account
) -> None:
    alice: Account = await make_account()
    r = await signed(
        manager,
        "POST",
        "/auth/update-password",
        alice,
        json={"old_password": GOOD_PASSWORD, "new_password": 12345678},
    )
    assert_problem(r, 400)
    login = {"username": "alice", "password": GOOD_PASSWORD}
    assert (await manager.post("/auth/authorize", json=login)).status_code == 200


async def test_a_declared_body_over_1_mib_is_413(manager: httpx.AsyncClient) -> None:
    r = await manager.post(
        "/auth/authorize",
        content=b"x" * (1024 * 1024 + 1),
        headers={"content-type": "application/json"},
    )
    assert_problem(r, 413)


async def test_a_streamed_body_over_1_mib_is_413(manager: httpx.AsyncClient) -> None:
    async def chunks():  # no Content-Length: the limit must hold while reading
        for _ in range(20):
            yield b"x" * 65536

    r = await manager.post(
        "/auth/authorize", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_problem(r, 413)


async def test_unknown_route_and_method(manager: httpx.AsyncClient) -> None:
    assert_problem(await manager.get("/no/such/thing"), 404)
    assert_problem(await manager.delete("/auth/authorize"), 405)
