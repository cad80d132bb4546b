"""One GraphQL request, as Backend.AI's /admin/gql answers it: HTTP 200 with `data` and, when
something went wrong, `errors`; a request past a limit or not in the schema runs nothing."""

from __future__ import annotations

import asyncio
import logging
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    OperationType,
    build_schema,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule

from portico.manager.errors import DomainError
from portico.manager.graphql import limits
from portico.manager.graphql.resolvers import ROOTS, Context
from portico.manager.graphql.scalars import bind_scalars
from portico.manager.services.administration import rank
from portico.manager.services.request_auth import Caller
from portico.wire.minilang import QueryLanguageError

if TYPE_CHECKING:
    from portico.manager.container import ManagerServices

log = logging.getLogger(__name__)
SDL = Path(__file__).with_name("schema.graphql")


@cache
def schema() -> GraphQLSchema:
    built = build_schema(SDL.read_text(encoding="utf-8"))
    bind_scalars(built)
    query = built.query_type
    assert isinstance(query, GraphQLObjectType)
    missing = set(query.fields) - set(ROOTS)
    assert not missing, f"root fields without a resolver: {sorted(missing)}"
    for name, resolve in ROOTS.items():
        query.fields[name].resolve = resolve
    return built


def _rules(caller: Caller) -> list[Any]:
    rules: list[Any] = [*specified_rules, limits.RequestSize]
    if rank(caller.role) == 0:  # the schema is Backend.AI's, but who asks for it is an admin
        rules.append(NoSchemaIntrospectionCustomRule)
    return rules


def _failed(*messages: str) -> dict[str, Any]:
    return {"data": None, "errors": [{"message": m} for m in messages]}


def _error(error: GraphQLError) -> dict[str, Any]:
    original = error.original_error
    said = (QueryLanguageError, GraphQLError, DomainError)  # refusals meant for the caller
    if original is not None and not isinstance(original, said):
        # A fault of portico's, not of the query: logged whole, answered without detail.
        log.error("GraphQL resolver failed", exc_info=original)
        return {"message": "internal error", "path": error.path}
    return dict(error.formatted)


async def run(
    services: ManagerServices, caller: Caller, body: Any, client_address: str = ""
) -> dict[str, Any]:
    """The answer to one request body ({"query", "variables", "operationName"})."""
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return _failed("send a JSON object with the query as a string")
    text: str = body["query"]
    variables = body.get("variables")
    operation_name = body.get("operationName")
    if variables is not None and not isinstance(variables, dict):
        return _failed("variables, when sent, are a JSON object")
    if operation_name is not None and not isinstance(operation_name, str):
        return _failed("operationName, when sent, is a string")
    if len(text.encode()) > limits.MAX_QUERY_BYTES:
        return _failed(f"a query is at most {limits.MAX_QUERY_BYTES} bytes")
    try:
        document = parse(text, max_tokens=10_000)
    except GraphQLError as error:
        return {"data": None, "errors": [error.formatted]}
    errors = validate(schema(), document, _rules(caller), max_errors=20)
    if errors:
        return {"data": None, "errors": [e.formatted for e in errors]}
    operation = get_operation_ast(document, operation_name)
    if operation is not None and operation.operation != OperationType.QUERY:
        return _failed("only queries are answered here")
    try:
        async with asyncio.timeout(limits.SECONDS):
            outcome = execute(
                schema(),
                document,
                context_value=Context(caller, services, client_address),
                variable_values=variables,
                operation_name=operation_name,
            )
            result: ExecutionResult = await outcome if asyncio.iscoroutine(outcome) else outcome  # type: ignore[assignment]
    except TimeoutError:
        return _failed(f"the query did not finish within {limits.SECONDS:g} seconds")
    answer: dict[str, Any] = {"data": result.data}
    if result.errors:
        answer["errors"] = [_error(e) for e in result.errors]
    return answer
