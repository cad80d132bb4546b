"""How much one GraphQL request may ask for: nesting depth, the number of fields it selects
(fragments counted where they are spread), and, for anyone but an administrator, no schema
introspection. Checked before anything runs; a request past a limit is a GraphQL error."""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)

MAX_DEPTH = 10
MAX_FIELDS = 1000
# Root fields of one operation, aliases included: each may be a list query of its own, and a
# thousand aliased lists in one request would be a thousand queries for the price of one.
MAX_ROOTS = 32
MAX_QUERY_BYTES = 64 * 1024
SECONDS = 10.0  # the longest one request may run


def _measure(
    context: ValidationContext, selections: SelectionSetNode | None, seen: frozenset[str]
) -> tuple[int, int]:
    """(depth, fields) of a selection set, fragments followed once per path."""
    if selections is None:
        return 0, 0
    deepest, count = 0, 0
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            depth, fields = _measure(context, selection.selection_set, seen)
            deepest, count = max(deepest, depth + 1), count + fields + 1
        elif isinstance(selection, InlineFragmentNode):
            depth, fields = _measure(context, selection.selection_set, seen)
            deepest, count = max(deepest, depth), count + fields
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = context.get_fragment(name)
            if fragment is None or name in seen:  # (other rules report both)
                continue
            depth, fields = _measure(context, fragment.selection_set, seen | {name})
            deepest, count = max(deepest, depth), count + fields
        if count > MAX_FIELDS:  # stop early: a request built to be huge is not walked whole
            break
    return deepest, count


def _roots(context: ValidationContext, selections: SelectionSetNode, seen: frozenset[str]) -> int:
    """The fields at the top of an operation, through fragments spread there."""
    count = 0
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            count += 1
        elif isinstance(selection, InlineFragmentNode):
            count += _roots(context, selection.selection_set, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = context.get_fragment(name)
            if fragment is not None and name not in seen:
                count += _roots(context, fragment.selection_set, seen | {name})
    return count


class RequestSize(ValidationRule):
    def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
        if _roots(self.context, node.selection_set, frozenset()) > MAX_ROOTS:
            self.report_error(
                GraphQLError(f"an operation asks for at most {MAX_ROOTS} root fields", node)
            )
            return
        depth, fields = _measure(self.context, node.selection_set, frozenset())
        if depth > MAX_DEPTH:
            self.report_error(GraphQLError(f"queries nest at most {MAX_DEPTH} levels", node))
        if fields > MAX_FIELDS:
            self.report_error(GraphQLError(f"a query selects at most {MAX_FIELDS} fields", node))
