"""POST /portico/password-check: the server's own rules for a candidate password, asked by the
console's checklist through the webserver without a session."""

from __future__ import annotations

from typing import Any

import httpx
import pytest


@pytest.fixture
def manager_overrides() -> dict[str, dict[str, Any]]:
    return {"auth": {"password_check_rate": "5/minute"}}


async def test_the_checklist_lists_the_servers_rules(console: httpx.AsyncClient) -> None:
    config = (await console.get("/config.json")).json()
    assert config["passwordPolicy"]["rules"] == [
        "too_short",
        "no_letter",
        "no_digit",
        "no_special",
        "common",
        "contains_identity",
    ]


async def test_a_candidate_is_checked_against_every_rule(console: httpx.AsyncClient) -> None:
    answer = await console.post(
        "/func/portico/password-check",
        json={"password": "Password1!", "email": "someone@example.com"},
    )
    assert answer.status_code == 200
    assert answer.json()["violations"] == [
        {"code": "common", "message": "This password is too common; choose another."}
    ]
    answer = await console.post(
        "/func/portico/password-check",
        json={"password": "someone-7!", "email": "someone@example.com"},
    )
    assert [v["code"] for v in answer.json()["violations"]] == ["contains_identity"]
    answer = await console.post("/func/portico/password-check", json={"password": "Gr33n-k3ttle"})
    assert answer.json() == {"ok": True, "rules": answer.json()["rules"], "violations": []}
    short = await console.post("/func/portico/password-check", json={"password": "a1!"})
    assert short.json()["violations"][0] == {
        "code": "too_short",
        "message": "Use at least 8 characters.",
        "limit": 8,
    }


async def test_bad_input_is_refused_clearly(console: httpx.AsyncClient) -> None:
    for body in ({}, {"password": 7}, {"password": "x" * 5000}):
        answer = await console.post("/func/portico/password-check", json=body)
        assert answer.status_code == 400, body
        assert answer.headers["content-type"].startswith("application/problem+json")


async def test_one_address_may_ask_only_so_often(console: httpx.AsyncClient) -> None:
    answers = [
        (await console.post("/func/portico/password-check", json={"password": "Gr33n-k3ttle"}))
        for _ in range(6)
    ]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert int(answers[-1].headers["retry-after"]) >= 1
