"""Signed requests: HMAC-SHA1 is refused unless allowed; the relay's body digest binds the body
to the signature."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from portico.manager.container import ManagerServices
from portico.wire.headers import BODY_DIGEST_HEADER
from portico.wire.signing import signature, signed_headers
from portico.wire.versions import API_VERSION
from tests.conftest import MANAGER_HOST, Account


def sha1_headers(account: Account, path: str) -> dict[str, str]:
    now = datetime.now(UTC)
    sig = signature(
        method="GET",
        path=path,
        raw_date=now.isoformat(),
        date=now,
        host=MANAGER_HOST,
        content_type="application/json",
        api_version=API_VERSION,
        secret_key=account.secret_key,
        hash_type="sha1",
    )
    return {
        "Date": now.isoformat(),
        "X-BackendAI-Version": API_VERSION,
        "Content-Type": "application/json",
        "Authorization": f"BackendAI signMethod=HMAC-SHA1, credential={account.access_key}:{sig}",
    }


async def test_sha1_signatures_are_refused_by_default(
    manager: httpx.AsyncClient, make_account: Any
) -> None:
    alice = await make_account()
    r = await manager.get("/auth/role", headers=sha1_headers(alice, "/auth/role"))
    assert r.status_code == 400 and "SHA1" in r.text


@pytest.mark.parametrize("manager_overrides", [{"manager": {"allow_sha1_signatures": True}}])
async def test_sha1_signatures_when_allowed(
    manager: httpx.AsyncClient, make_account: Any, services: ManagerServices
) -> None:
    alice = await make_account()
    r = await manager.get("/auth/role", headers=sha1_headers(alice, "/auth/role"))
    assert r.status_code == 200, r.text


def _signed_with_body(account: Account, body: bytes) -> dict[str, str]:
    return signed_headers(
        method="POST",
        path="/auth/update-full-name",
        host=MANAGER_HOST,
        content_type="application/json",
        api_version=API_VERSION,
        access_key=account.access_key,
        secret_key=account.secret_key,
        body=body,
    )


async def test_the_body_digest_binds_the_body(
    manager: httpx.AsyncClient, make_account: Any
) -> None:
    alice = await make_account()
    body = b'{"email": "alice@example.com", "full_name": "Alice"}'
    headers = _signed_with_body(alice, body)
    assert headers[BODY_DIGEST_HEADER] == hashlib.sha256(body).hexdigest()
    ok = await manager.post("/auth/update-full-name", content=body, headers=headers)
    assert ok.status_code == 200, ok.text
    # Another body under the same signature: refused.
    evil = b'{"email": "alice@example.com", "full_name": "Mallory"}'
    r = await manager.post("/auth/update-full-name", content=evil, headers=headers)
    assert r.status_code == 401
    # The other body with its own digest but the old signature: refused too.
    forged = {**headers, BODY_DIGEST_HEADER: hashlib.sha256(evil).hexdigest()}
    r = await manager.post("/auth/update-full-name", content=evil, headers=forged)
    assert r.status_code == 401
    # Dropping the digest from a signature that covered it: refused.
    dropped = {k: v for k, v in headers.items() if k != BODY_DIGEST_HEADER}
    r = await manager.post("/auth/update-full-name", content=body, headers=dropped)
    assert r.status_code == 401


async def test_the_relay_signs_the_body(console: httpx.AsyncClient, make_account: Any) -> None:
    await make_account()
    assert (
        await console.post(
            "/server/login", json={"username": "alice", "password": "Corr3ct-h0rse!"}
        )
    ).status_code == 200
    r = await console.post(
        "/func/auth/update-full-name", json={"email": "alice@example.com", "full_name": "Al"}
    )
    assert r.status_code == 200, r.text
