"""A parsed filter or order of Backend.AI's mini-language (wire/minilang.py) as SQL, over the
fields one list offers: a field it does not name is an error, never a column guessed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, UnaryExpression, and_, not_, or_
from sqlalchemy.orm import QueryableAttribute

from portico.wire.minilang import (
    AllOf,
    AnyOf,
    Comparison,
    Expression,
    Not,
    OrderKey,
    QueryLanguageError,
    Value,
)


def _as_is(value: Value) -> object:
    return value


@dataclass(frozen=True)
class Field:
    """One field a list can be filtered and ordered by: its column, and how a value written
    in a filter becomes one of the column's (e.g. Backend.AI's upper-case status names)."""

    column: ColumnElement[Any] | QueryableAttribute[Any]
    read: Callable[[Value], object] = field(default=_as_is)


Fields = Mapping[str, Field]


def where(expression: Expression, fields: Fields) -> ColumnElement[bool]:
    match expression:
        case Comparison():
            return _comparison(expression, fields)
        case AllOf(parts=parts):
            return and_(*(where(p, fields) for p in parts))
        case AnyOf(parts=parts):
            return or_(*(where(p, fields) for p in parts))
        case Not(part=part):
            return not_(where(part, fields))


def order_by(keys: list[OrderKey], fields: Fields) -> list[UnaryExpression[Any]]:
    return [
        _field(key.field, fields).column.desc()
        if key.descending
        else _field(key.field, fields).column.asc()
        for key in keys
    ]


def _field(name: str, fields: Fields) -> Field:
    found = fields.get(name)
    if found is None:
        known = ", ".join(sorted(fields))
        raise QueryLanguageError(f"unknown field {name!r} (this list has {known})")
    return found


def _comparison(c: Comparison, fields: Fields) -> ColumnElement[bool]:
    f = _field(c.field, fields)
    column = f.column
    if c.operator == "in":
        if not isinstance(c.value, list):
            raise QueryLanguageError(f'{c.field} in ...: give a list, like ["a", "b"]')
        return column.in_([f.read(v) for v in c.value])
    if isinstance(c.value, list):
        raise QueryLanguageError(f"{c.field} {c.operator} ...: a list goes with `in` only")
    if c.operator in ("is", "isnot"):
        if c.value not in (None, True, False):
            raise QueryLanguageError(f"{c.field} {c.operator} ...: give null, true or false")
        return column.is_(c.value) if c.operator == "is" else column.is_not(c.value)
    if c.operator in ("like", "ilike", "contains"):
        if not isinstance(c.value, str):
            raise QueryLanguageError(f"{c.field} {c.operator} ...: give a string")
        if c.operator == "contains":
            return column.contains(c.value, autoescape=True)
        return column.like(c.value) if c.operator == "like" else column.ilike(c.value)
    value = f.read(c.value)
    match c.operator:
        case "==":
            return column == value
        case "!=":
            return column != value
        case ">":
            return column > value
        case ">=":
            return column >= value
        case "<":
            return column < value
        case "<=":
            return column <= value
    raise QueryLanguageError(f"unsupported operator {c.operator!r}")
