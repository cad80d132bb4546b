"""Queries generated from portico's own GraphQL schema (hypothesis-graphql), run as a
superadmin and as a user: every one answers with data or GraphQL errors, never a fault of
portico's (which would be logged and answered "internal error") and never a 5xx."""

from __future__ import annotations

import json
import warnings
from typing import Any

import httpx
from hypothesis import strategies as st
from hypothesis.errors import NonInteractiveExampleWarning
from hypothesis_graphql import nodes, queries

from portico.manager.graphql.endpoint import SDL
from tests.conftest import Account, signed

EXAMPLES = 60


# Backend.AI's scalars, as literals: well-formed values and strings that are not.
SCALARS = {
    "UUID": (st.uuids().map(str) | st.text(max_size=40)).map(nodes.String),
    "DateTime": (st.datetimes().map(lambda d: d.isoformat()) | st.text(max_size=30)).map(
        nodes.String
    ),
    "JSONString": st.text(max_size=40).map(nodes.String),
    "BigInt": st.integers(-(2**70), 2**70).map(nodes.Int),
}


def _generated(count: int) -> list[str]:
    strategy = queries(SDL.read_text(encoding="utf-8"), custom_scalars=SCALARS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonInteractiveExampleWarning)
        return [strategy.example() for _ in range(count)]


async def test_generated_queries_never_fault(manager: httpx.AsyncClient, make_account: Any) -> None:
    root: Account = await make_account("root@example.com", "root", role="superadmin")
    uma: Account = await make_account("uma@example.com", "uma")
    for query in _generated(EXAMPLES):
        for who in (root, uma):
            r = await signed(manager, "POST", "/admin/gql", who, json={"query": query})
            assert r.status_code == 200, (query, r.text)
            answer = r.json()
            messages = [e.get("message", "") for e in answer.get("errors", [])]
            assert "internal error" not in messages, (query, answer)
            json.dumps(answer)  # (what was answered is JSON all through)
