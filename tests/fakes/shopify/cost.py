"""Calculated query cost and the leaky bucket, after shopify.dev "GraphQL Admin API rate limits".

Documented defaults: scalar and enum 0, object 1, connection sized by `first`/`last` (2 for the connection
plus, per requested node, 1 for the node and the cost of what is selected under it), mutation 10, and a
single query may not cost more than 1,000. The actual cost counts the nodes that came back instead.
Simplifications: interfaces/unions add the selections of every fragment rather than taking the maximum;
objects inside a mutation payload are covered by the mutation's 10 (connections inside it still count);
plain lists of objects cost like one object.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInt,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    value_from_ast,
)

MAX_QUERY_COST = 1000
MUTATION_COST = 10
_MISSING = object()


class _Walker:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any]) -> None:
        self.schema = schema
        self.variables = dict(variables)
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}

    def fields(self, parent: GraphQLNamedType, selection: SelectionSetNode | None
               ) -> Iterator[tuple[FieldNode, Any]]:
        """Every field selected on `parent`, fragments flattened, with its definition."""
        for node in selection.selections if selection else ():
            if isinstance(node, FieldNode):
                defs = getattr(parent, "fields", {})
                if node.name.value in defs:
                    yield node, defs[node.name.value]
            elif isinstance(node, InlineFragmentNode | FragmentSpreadNode):
                fragment = node if isinstance(node, InlineFragmentNode) else self.fragments.get(node.name.value)
                if fragment is None:
                    continue
                condition = fragment.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                yield from self.fields(target or parent, fragment.selection_set)

    def page_size(self, node: FieldNode) -> int:
        sizes = [value_from_ast(a.value, GraphQLInt, self.variables) for a in node.arguments or ()
                 if a.name.value in {"first", "last"}]
        return max([s for s in sizes if isinstance(s, int)] or [0])

    def selection_cost(self, parent: GraphQLNamedType, selection: SelectionSetNode | None, value: Any,
                       in_payload: bool) -> int:
        total = 0
        for node, definition in self.fields(parent, selection):
            if node.name.value.startswith("__"):
                continue
            key = node.alias.value if node.alias else node.name.value
            if value is _MISSING:
                child = _MISSING
            elif isinstance(value, Mapping) and key in value:
                child = value[key]
            else:
                continue  # not in the result: a fragment for another type, or cut off by an error
            total += self.field_cost(node, definition.type, child, in_payload)
        return total

    def field_cost(self, node: FieldNode, field_type: Any, value: Any, in_payload: bool) -> int:
        named = get_named_type(field_type)
        if is_leaf_type(named):
            return 0
        if named.name.endswith("Connection"):
            return self.connection_cost(named, node, value)
        inner = field_type.of_type if is_non_null_type(field_type) else field_type
        base = 0 if in_payload else 1
        if value is None:
            return base
        if is_list_type(inner) and value is not _MISSING:
            costs = [self.selection_cost(named, node.selection_set, item, in_payload) for item in value or []]
            return base + max(costs or [0])
        return base + self.selection_cost(named, node.selection_set, value, in_payload)

    def connection_cost(self, connection: GraphQLNamedType, node: FieldNode, value: Any) -> int:
        node_type = get_named_type(connection.fields["nodes"].type)  # type: ignore[attr-defined]
        edge_type = get_named_type(connection.fields["edges"].type)  # type: ignore[attr-defined]
        shapes: list[tuple[SelectionSetNode | None, Callable[[Any, int], Any]]] = []
        for field, _ in self.fields(connection, node.selection_set):
            key = field.alias.value if field.alias else field.name.value
            if field.name.value == "nodes":
                shapes.append((field.selection_set, lambda v, i, k=key: v[k][i]))
            elif field.name.value == "edges":
                for inner, _ in self.fields(edge_type, field.selection_set):
                    if inner.name.value == "node":
                        inner_key = inner.alias.value if inner.alias else "node"
                        shapes.append((inner.selection_set, lambda v, i, k=key, n=inner_key: v[k][i][n]))
        if value is _MISSING:
            per_node = 1 + max([self.selection_cost(node_type, s, _MISSING, False) for s, _ in shapes] or [0])
            return 2 + self.page_size(node) * per_node
        if not isinstance(value, Mapping):
            return 2
        count = max([len(v) for v in value.values() if isinstance(v, list)] or [0])  # edges and/or nodes
        total = 2
        for index in range(count):
            costs = [self.selection_cost(node_type, s, pick(value, index), False)
                     for s, pick in shapes if _safe(pick, value, index)]
            total += 1 + max(costs or [0])
        return total


def _safe(pick: Callable[[Any, int], Any], value: Any, index: int) -> bool:
    try:
        pick(value, index)
    except (KeyError, IndexError, TypeError):
        return False
    return True


def _root(schema: GraphQLSchema, operation: OperationDefinitionNode) -> GraphQLObjectType:
    root = schema.mutation_type if operation.operation == OperationType.MUTATION else schema.query_type
    assert root is not None
    return root


def query_cost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode,
               variables: Mapping[str, Any], data: Any = _MISSING) -> int:
    """Requested cost when `data` is left out; actual cost of `data` (the executed result) otherwise."""
    walker = _Walker(schema, document, variables)
    root = _root(schema, operation)
    is_mutation = operation.operation == OperationType.MUTATION
    total = 0
    for node, definition in walker.fields(root, operation.selection_set):
        if node.name.value.startswith("__"):
            continue
        key = node.alias.value if node.alias else node.name.value
        value = data if data is _MISSING else (data or {}).get(key)
        if is_mutation:
            named = get_named_type(definition.type)
            extra = 0 if value is None else walker.selection_cost(named, node.selection_set, value, True)
            total += MUTATION_COST + extra
        else:
            total += walker.field_cost(node, definition.type, value, False)
    return total


class LeakyBucket:
    """Per shop-and-app capacity: requests take their requested cost, refill runs continuously."""

    def __init__(self, maximum: float = 1000.0, restore_rate: float = 50.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.maximum = float(maximum)
        self.restore_rate = float(restore_rate)
        self._clock = clock
        self._available = self.maximum
        self._last = clock()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._available = min(self.maximum, self._available + (now - self._last) * self.restore_rate)
        self._last = now

    @property
    def available(self) -> float:
        with self._lock:
            self._refill()
            return self._available

    def try_take(self, cost: int) -> bool:
        with self._lock:
            self._refill()
            if cost > self._available:
                return False
            self._available -= cost
            return True

    def give_back(self, points: int) -> None:
        with self._lock:
            self._refill()
            self._available = min(self.maximum, self._available + max(0, points))

    def set_available(self, points: float) -> None:
        with self._lock:
            self._refill()
            self._available = max(0.0, min(self.maximum, points))

    def status(self) -> dict[str, Any]:
        return {"maximumAvailable": self.maximum, "currentlyAvailable": math.floor(self.available),
                "restoreRate": self.restore_rate}
