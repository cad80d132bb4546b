"""Backend.AI's filter and order mini-language: what its CLI sends parses into plain values;
anything else is a QueryLanguageError that says where, never another exception."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portico.wire.minilang import (
    AllOf,
    AnyOf,
    Comparison,
    Not,
    OrderKey,
    QueryLanguageError,
    parse_filter,
    parse_order,
)


def test_what_backendai_s_cli_sends() -> None:
    assert parse_filter('status == "ACTIVE" & role in ["ADMIN", "USER"]') == AllOf(
        (Comparison("status", "==", "ACTIVE"), Comparison("role", "in", ["ADMIN", "USER"]))
    )
    assert parse_filter('email ilike "%@example.com"') == Comparison(
        "email", "ilike", "%@example.com"
    )


def test_and_binds_tighter_than_or_and_parentheses_group() -> None:
    a, b, c = (Comparison(n, "==", 1) for n in "abc")
    assert parse_filter("a == 1 | b == 1 & c == 1") == AnyOf((a, AllOf((b, c))))
    assert parse_filter("(a == 1 | b == 1) & c == 1") == AllOf((AnyOf((a, b)), c))
    assert parse_filter("!(a == 1) & !b == 1") == AllOf((Not(a), Not(b)))


def test_values() -> None:
    assert parse_filter('x == "say \\"hi\\""').value == 'say "hi"'  # type: ignore[union-attr]
    assert parse_filter("x >= -1.5").value == -1.5  # type: ignore[union-attr]
    assert parse_filter("x < 10").value == 10  # type: ignore[union-attr]
    assert parse_filter("x isnot null") == Comparison("x", "isnot", None)
    assert parse_filter("x == true") == Comparison("x", "==", True)
    assert parse_filter("x in []") == Comparison("x", "in", [])


def test_orders() -> None:
    assert parse_order("+username, -created_at,email") == [
        OrderKey("username", False),
        OrderKey("created_at", True),
        OrderKey("email", False),
    ]
    assert parse_order("") == []


@pytest.mark.parametrize(
    "text", ["status ==", "status = 1", "(a == 1", "a ~ 2", "", 'a == "open', "a == 1 &"]
)
def test_what_is_not_in_the_language_says_so(text: str) -> None:
    with pytest.raises(QueryLanguageError, match="not a filter"):
        parse_filter(text)


def test_an_overlong_filter_is_refused_before_parsing() -> None:
    with pytest.raises(QueryLanguageError, match="at most"):
        parse_filter("a == 1 & " * 1000 + "a == 1")


@pytest.mark.parametrize("text", ["!" * 4000 + "a == 1", "(" * 2000 + "a == 1" + ")" * 2000])
def test_deep_nesting_is_refused_before_it_is_walked(text: str) -> None:
    with pytest.raises(QueryLanguageError, match="levels deep"):
        parse_filter(text)


def test_parentheses_inside_strings_and_many_side_by_side_are_no_nesting() -> None:
    assert parse_filter('a == "' + "(" * 100 + '"').value == "(" * 100  # type: ignore[union-attr]
    assert len(parse_filter(" & ".join(["!(a != 1)"] * 100)).parts) == 100  # type: ignore[union-attr]


@given(st.text(alphabet=st.sampled_from('ab =!&|()[]",.-1"tnul'), max_size=300) | st.text())
def test_any_text_parses_or_is_a_query_language_error(text: str) -> None:
    for parse in (parse_filter, parse_order):
        with contextlib.suppress(QueryLanguageError):
            parse(text)
