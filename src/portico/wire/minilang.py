"""Backend.AI's query mini-language for the `filter` and `order` arguments of its list queries,
parsed into plain values (no SQL here: db/filters.py compiles them for one table).

    filter: status == "ACTIVE" & (role in ["admin", "user"] | email ilike "%@example.com")
            !(is_active == false)
            comparisons: == != > >= < <= like ilike in contains is isnot
    order:  +username,-created_at        a field, ascending unless it says "-"

`&` binds tighter than `|`; `!` negates what follows. A text that is not in the language raises
QueryLanguageError with the place where it went wrong.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from lark import Lark, LarkError, Token, Transformer, Tree, v_args

MAX_LENGTH = 4096  # longer filters are refused before parsing
MAX_NESTING = 32  # parentheses and negations within each other

Operator = Literal[
    "==", "!=", ">", ">=", "<", "<=", "like", "ilike", "in", "contains", "is", "isnot"
]
Value = str | int | float | bool | None | list["Value"]

_FILTER_GRAMMAR = r"""
    ?start: any
    ?any: all ("|" all)*            -> any_of
    ?all: unary ("&" unary)*        -> all_of
    ?unary: "!" unary               -> negation
          | "(" any ")"
          | comparison
    comparison: NAME OPERATOR value
    OPERATOR: "==" | "!=" | ">=" | "<=" | ">" | "<"
            | "ilike" | "like" | "isnot" | "is" | "in" | "contains"
    ?value: ESCAPED_STRING          -> text
          | SIGNED_NUMBER           -> number
          | "[" [value ("," value)*] "]" -> array
          | "null"                  -> null
          | "true"                  -> true
          | "false"                 -> false
    NAME: /[A-Za-z_][A-Za-z0-9_.]*/
    %import common.ESCAPED_STRING
    %import common.SIGNED_NUMBER
    %import common.WS
    %ignore WS
"""

_ORDER_GRAMMAR = r"""
    start: [key ("," key)*]
    key: DIRECTION? NAME
    DIRECTION: "+" | "-"
    NAME: /[A-Za-z_][A-Za-z0-9_.]*/
    %import common.WS
    %ignore WS
"""


class QueryLanguageError(ValueError):
    """A filter or order that is not in the language (or names a field the list lacks)."""


@dataclass(frozen=True)
class Comparison:
    field: str
    operator: Operator
    value: Value


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Expression, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Expression, ...]


@dataclass(frozen=True)
class Not:
    part: Expression


Expression = Comparison | AllOf | AnyOf | Not


@dataclass(frozen=True)
class OrderKey:
    field: str
    descending: bool


@v_args(inline=True)
class _ToFilter(Transformer[Token, Expression]):
    def comparison(self, name: Token, operator: Token, value: Value) -> Comparison:
        return Comparison(str(name), operator.value, value)

    def any_of(self, *parts: Expression) -> Expression:
        return parts[0] if len(parts) == 1 else AnyOf(parts)

    def all_of(self, *parts: Expression) -> Expression:
        return parts[0] if len(parts) == 1 else AllOf(parts)

    def negation(self, part: Expression) -> Not:
        return Not(part)

    def text(self, token: Token) -> str:
        # A string is written as in JSON, escapes included.
        decoded: str = json.loads(token.value)
        return decoded

    def number(self, token: Token) -> int | float:
        raw = token.value
        return float(raw) if any(c in raw for c in ".eE") else int(raw)

    def array(self, *items: Value | None) -> list[Value]:
        return [] if items == (None,) else list(items)

    def null(self) -> None:
        return None

    def true(self) -> bool:
        return True

    def false(self) -> bool:
        return False


_filters = Lark(_FILTER_GRAMMAR, parser="lalr")
_orders = Lark(_ORDER_GRAMMAR, parser="lalr")


def parse_filter(text: str) -> Expression:
    if len(text) > MAX_LENGTH:
        raise QueryLanguageError(f"a filter is at most {MAX_LENGTH} characters")
    if _nesting(text) > MAX_NESTING:
        raise QueryLanguageError(f"a filter nests at most {MAX_NESTING} levels deep")
    try:
        return _ToFilter().transform(_filters.parse(text))
    except LarkError as exc:
        raise QueryLanguageError(f"not a filter: {_where(exc)}") from None


def parse_order(text: str) -> list[OrderKey]:
    if len(text) > MAX_LENGTH:
        raise QueryLanguageError(f"an order is at most {MAX_LENGTH} characters")
    try:
        tree = _orders.parse(text)
    except LarkError as exc:
        raise QueryLanguageError(f"not an order: {_where(exc)}") from None
    keys = []
    for key in tree.children:
        if not isinstance(key, Tree):  # (an empty order)
            continue
        tokens = [t for t in key.children if isinstance(t, Token)]
        descending = len(tokens) == 2 and tokens[0].value == "-"
        keys.append(OrderKey(tokens[-1].value, descending))
    return keys


def _nesting(text: str) -> int:
    """How deep parentheses and negations go (outside strings), counted before parsing: the
    parse tree is walked recursively."""
    deepest = depth = negations = 0
    quoted = escaped = False
    for i, char in enumerate(text):
        if quoted:
            quoted = escaped or char != '"'
            escaped = not escaped and char == "\\"
        elif char == '"':
            quoted = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "!" and text[i + 1 : i + 2] != "=":
            negations += 1  # a run of them nests like parentheses
        elif not char.isspace():
            negations = 0
        deepest = max(deepest, depth + negations)
    return deepest


def _where(exc: LarkError) -> str:
    token = getattr(exc, "token", None)
    if isinstance(token, Token) and token.type == "$END":
        return "it ends too soon"
    column = getattr(exc, "column", None)
    if isinstance(column, int) and column > 0:
        near = f" ({token.value!r})" if isinstance(token, Token) and token.value else ""
        return f"unexpected input at column {column}{near}"
    return "unexpected input"
