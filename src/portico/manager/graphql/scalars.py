"""Backend.AI's custom scalars as it writes them on the wire."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from graphql import GraphQLError, GraphQLScalarType, GraphQLSchema, ValueNode


def _uuid_in(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise GraphQLError(f"not a UUID: {str(value)[:64]!r}") from None


def _datetime_out(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _json_out(value: Any) -> str:
    # Graphene's JSONString: the JSON text itself, which the clients decode.
    return json.dumps(value)


def _json_in(value: Any) -> Any:
    try:
        return json.loads(value) if isinstance(value, str) else value
    except ValueError:
        raise GraphQLError("not a JSON string") from None


def _bigint(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise GraphQLError("not an integer") from None


def bind_scalars(schema: GraphQLSchema) -> None:
    """Give the schema's custom scalars their conversions (SDL declares only their names)."""
    conversions: dict[str, tuple[Any, Any]] = {
        "UUID": (str, _uuid_in),
        "DateTime": (_datetime_out, datetime.fromisoformat),
        "JSONString": (_json_out, _json_in),
        "BigInt": (_bigint, _bigint),
    }
    for name, (out, into) in conversions.items():
        scalar = schema.type_map[name]
        assert isinstance(scalar, GraphQLScalarType)
        # (graphql-core 3.3's names; SDL builds each scalar without them)
        scalar.coerce_output_value = out
        scalar.coerce_input_value = into
        scalar.coerce_input_literal = _from_literal(into)


def _from_literal(into: Callable[[Any], Any]) -> Callable[..., Any]:
    """A value written in the query text itself (not a variable), from its syntax node."""

    def parse(node: ValueNode, _variables: Any = None) -> Any:
        return into(getattr(node, "value", None))

    return parse
