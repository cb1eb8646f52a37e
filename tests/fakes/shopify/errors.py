"""Shopify's error shapes. Shopify runs graphql-ruby, so validation and variable errors carry its messages and
`extensions.code` values (undefinedField, argumentNotAccepted, missingRequiredArguments, ...), not graphql-core's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLID,
    GraphQLSchema,
    Node,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    is_enum_type,
    is_input_object_type,
    is_list_type,
    is_non_null_type,
    parse_type,
    print_ast,
    specified_rules,
    type_from_ast,
    validate,
    value_from_ast,
    visit,
)
from graphql.pyutils import Undefined
from graphql.validation import (
    FieldsOnCorrectTypeRule,
    KnownArgumentNamesRule,
    KnownTypeNamesRule,
    NoUndefinedVariablesRule,
    NoUnusedVariablesRule,
    ProvidedRequiredArgumentsRule,
    ScalarLeafsRule,
    ValuesOfCorrectTypeRule,
    VariablesInAllowedPositionRule,
)

from .store import is_gid

RATE_LIMITS_DOC = "https://shopify.dev/api/usage/rate-limits"
SCOPES_DOC = "https://shopify.dev/api/usage/access-scopes"


def throttled() -> dict[str, Any]:
    return {"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": RATE_LIMITS_DOC}}


def max_cost_exceeded(cost: int, max_cost: int) -> dict[str, Any]:
    message = (f"Query cost is {cost}, which exceeds the single query max cost limit ({max_cost}).\n\n"
               "See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n"
               "cost of a query is calculated.\n\n"
               "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n"
               "See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n")
    return {"message": message, "extensions": {"code": "MAX_COST_EXCEEDED", "cost": cost, "maxCost": max_cost,
                                               "documentation": "https://shopify.dev/api/usage/limits#rate-limits"}}


def access_denied(field_name: str, scopes: tuple[str, ...]) -> GraphQLError:
    required = " or ".join(f"`{s}` access scope" for s in scopes) + "."
    return GraphQLError(f"Access denied for {field_name} field. Required access: {required}",
                        extensions={"code": "ACCESS_DENIED", "documentation": SCOPES_DOC, "requiredAccess": required})


def operation_label(operation: OperationDefinitionNode) -> str:
    kind = operation.operation.value
    return f"{kind} {operation.name.value}" if operation.name else kind


class _Index(Visitor):
    """Where each AST node sits: response path, owning field and argument, argument types."""

    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.path: list[str] = []
        self.fields: list[Any] = []
        self.argument: tuple[Any, Any, str] | None = None  # (field node, argument node, argument type)
        self.paths: dict[int, list[str]] = {}
        self.owner: dict[int, tuple[Any, Any, str]] = {}
        self.field_of_selection: dict[int, Any] = {}
        self.variable_of: dict[int, str] = {}  # nodes inside a variable definition -> its variable
        self._variable: str | None = None

    def enter(self, node: Node, *_: Any) -> None:
        kind = node.kind
        if kind in {"operation_definition", "fragment_definition"}:
            label = operation_label(node) if kind == "operation_definition" else f"fragment {node.name.value}"
            self.path = [label]
        elif kind == "field":
            self.path.append(node.alias.value if node.alias else node.name.value)
            self.fields.append(node)
            if node.selection_set:
                self.field_of_selection[id(node.selection_set)] = node
        elif kind == "inline_fragment" and node.type_condition:
            self.path.append(f"... on {node.type_condition.name.value}")
        elif kind == "argument":
            argument = self.type_info.get_argument()
            self.path.append(node.name.value)
            self.argument = (self.fields[-1] if self.fields else None, node, str(argument.type) if argument else "")
        elif kind == "variable_definition":
            self._variable = node.variable.name.value
        if self.argument is not None:
            self.owner[id(node)] = self.argument
        if self._variable is not None:
            self.variable_of[id(node)] = self._variable
        self.paths[id(node)] = list(self.path)

    def leave(self, node: Node, *_: Any) -> None:
        kind = node.kind
        if kind == "field":
            self.path.pop()
            self.fields.pop()
        elif kind == "inline_fragment" and node.type_condition:
            self.path.pop()
        elif kind == "argument":
            self.path.pop()
            self.argument = None
        elif kind == "variable_definition":
            self._variable = None


def _locations(error: GraphQLError) -> list[dict[str, int]]:
    return [{"line": loc.line, "column": loc.column} for loc in error.locations or []]


def _shape(error: GraphQLError, message: str, path: list[str] | None, extensions: dict[str, Any] | None
           ) -> dict[str, Any]:
    shaped: dict[str, Any] = {"message": message, "locations": _locations(error)}
    if path:
        shaped["path"] = path
    if extensions:
        shaped["extensions"] = extensions
    return shaped


def _anonymous(document: DocumentNode, node: Node | None) -> str:
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    op = node if isinstance(node, OperationDefinitionNode) else (ops[0] if len(ops) == 1 else None)
    return op.name.value if op is not None and op.name else f"anonymous {op.operation.value if op else 'query'}"


def _translate(rule: Any, error: GraphQLError, index: _Index, document: DocumentNode,
               seen: set[int]) -> dict[str, Any] | None:
    node = (error.nodes or [None])[0]
    path = index.paths.get(id(node)) if node is not None else None
    if rule is FieldsOnCorrectTypeRule:
        type_name = re.search(r"on type '(.+?)'", error.message)
        return _shape(error, f"Field '{node.name.value}' doesn't exist on type '{type_name.group(1)}'", path,
                      {"code": "undefinedField", "typeName": type_name.group(1), "fieldName": node.name.value})
    if rule is KnownArgumentNamesRule and index.owner.get(id(node)):
        field = index.owner[id(node)][0]
        return _shape(error, f"Field '{field.name.value}' doesn't accept argument '{node.name.value}'", path,
                      {"code": "argumentNotAccepted", "name": field.name.value, "typeName": "Field",
                       "argumentName": node.name.value})
    if rule is ProvidedRequiredArgumentsRule:
        missing = re.search(r"\((\w+):\)", error.message)
        names = missing.group(1) if missing else ""
        return _shape(error, f"Field '{node.name.value}' is missing required arguments: {names}", path,
                      {"code": "missingRequiredArguments", "className": "Field", "name": node.name.value,
                       "arguments": names})
    if rule is ValuesOfCorrectTypeRule and index.owner.get(id(node)):
        field, argument, arg_type = index.owner[id(node)]
        if id(argument) in seen:
            return None  # graphql-ruby reports an argument once, however many of its parts are wrong
        seen.add(id(argument))
        message = (f"Argument '{argument.name.value}' on Field '{field.name.value}' has an invalid value "
                   f"({print_ast(argument.value)}). Expected type '{arg_type}'.")
        return _shape(error, message, index.paths.get(id(argument)),
                      {"code": "argumentLiteralsIncompatible", "typeName": "Field",
                       "argumentName": argument.name.value})
    if rule is VariablesInAllowedPositionRule and len(error.nodes or []) > 1:
        definition, usage = error.nodes[0], error.nodes[1]
        owner = index.owner.get(id(usage))
        argument = owner[1].name.value if owner else ""
        expected = re.search(r"expecting type '(.+?)'", error.message)
        given = print_ast(definition.type)
        name = definition.variable.name.value
        return _shape(error, f"Type mismatch on variable ${name} and argument {argument} "
                             f"({given} / {expected.group(1) if expected else ''})",
                      index.paths.get(id(usage)),
                      {"code": "variableMismatch", "variableName": name, "typeName": given,
                       "argumentName": argument, "errorMessage": "Type mismatch"})
    if rule is NoUndefinedVariablesRule:
        name = node.name.value
        op = error.nodes[1] if len(error.nodes or []) > 1 else None
        return _shape(error, f"Variable ${name} is used by {_anonymous(document, op)} but not declared", path,
                      {"code": "variableNotDefined", "variableName": name})
    if rule is NoUnusedVariablesRule:
        name = node.variable.name.value
        return _shape(error, f"Variable ${name} is declared by {_anonymous(document, None)} but not used",
                      path, {"code": "variableNotUsed", "variableName": name})
    if rule is ScalarLeafsRule:
        field = index.field_of_selection.get(id(node), node)
        type_name = re.search(r"type '(.+?)'", error.message)
        returns = (type_name.group(1) if type_name else "").rstrip("!")
        if node.kind == "selection_set":
            chosen = ", ".join(s.name.value for s in node.selections if getattr(s, "name", None))
            message = (f"Selections can't be made on scalars (field '{field.name.value}' returns {returns} "
                       f"but has selections [{chosen}])")
        else:
            message = (f"Field must have selections (field '{field.name.value}' returns {returns} but has no "
                       f"selections. Did you mean '{field.name.value} {{ ... }}'?)")
        return _shape(error, message, index.paths.get(id(field)),
                      {"code": "selectionMismatch", "nodeName": f"field '{field.name.value}'", "typeName": returns})
    if rule is KnownTypeNamesRule:
        type_name = node.name.value
        if id(node) in index.variable_of:
            variable = index.variable_of[id(node)]
            return _shape(error, f"{type_name} isn't a defined input type (on ${variable})", path,
                          {"code": "variableRequiresValidType", "typeName": type_name, "variableName": variable})
        return _shape(error, f"No such type {type_name}, so it can't be a fragment condition", path,
                      {"code": "undefinedType", "typeName": type_name})
    return _shape(error, error.message, path, None)


def validation_errors(schema: GraphQLSchema, document: DocumentNode) -> list[dict[str, Any]]:
    """graphql-core's validation, reported the way graphql-ruby (and so Shopify) words it."""
    if not validate(schema, document):
        return []  # the common case: one pass, no per-rule bookkeeping
    type_info = TypeInfo(schema)
    index = _Index(type_info)
    visit(document, TypeInfoVisitor(type_info, index))
    shaped: list[dict[str, Any]] = []
    seen: set[int] = set()
    for rule in specified_rules:
        for error in validate(schema, document, [rule]):
            item = _translate(rule, error, index, document, seen)
            if item:
                shaped.append(item)
    return shaped


def _invalid_ids(value: Any, type_: Any, path: list[str | int]) -> list[tuple[list[str | int], Any]]:
    """Shopify's ID scalar only takes global ids such as gid://shopify/Order/1."""
    if value is None:
        return []
    if is_non_null_type(type_):
        return _invalid_ids(value, type_.of_type, path)
    if is_list_type(type_):
        items = value if isinstance(value, list) else [value]
        return [bad for i, item in enumerate(items) for bad in _invalid_ids(item, type_.of_type, [*path, i])]
    if is_input_object_type(type_) and isinstance(value, Mapping):
        return [bad for name, f in type_.fields.items() if name in value
                for bad in _invalid_ids(value[name], f.type, [*path, name])]
    if get_named_type(type_) is GraphQLID and not is_gid(str(value)):
        return [(path, value)]
    return []


def literal_id_errors(schema: GraphQLSchema, document: DocumentNode) -> list[dict[str, Any]]:
    """Global ids written into the query text are checked like variables are (Shopify's ID scalar)."""
    type_info = TypeInfo(schema)
    index = _Index(type_info)
    visit(document, TypeInfoVisitor(type_info, index))
    errors = []
    for _field, argument, arg_type in {id(o[1]): o for o in index.owner.values()}.values():
        type_ = type_from_ast(schema, parse_type(arg_type)) if arg_type else None
        literal = value_from_ast(argument.value, type_, {}) if type_ else Undefined
        if literal is Undefined:
            continue  # holds variables: those are checked with the variable values
        for _path, bad in _invalid_ids(literal, type_, []):
            errors.append({"message": f"Invalid global id '{bad}'",
                           "locations": _locations(GraphQLError("", nodes=[argument])),
                           "path": index.paths.get(id(argument)),
                           "extensions": {"code": "argumentLiteralsIncompatible", "typeName": "CoercionError"}})
    return errors


def _coerce(value: Any, type_: Any, path: list[str | int], problems: list[dict[str, Any]]) -> Any:
    """Input coercion with graphql-ruby's problem explanations (and Shopify's global-id check)."""
    def problem(explanation: str, where: list[str | int] = path) -> None:
        problems.append({"path": list(where), "explanation": explanation})

    if is_non_null_type(type_):
        if value is None:
            return problem("Expected value to not be null")
        return _coerce(value, type_.of_type, path, problems)
    if value is None:
        return None
    if is_list_type(type_):
        items = value if isinstance(value, list) else [value]
        return [_coerce(item, type_.of_type, [*path, i], problems) for i, item in enumerate(items)]
    if is_input_object_type(type_):
        if not isinstance(value, Mapping):
            return problem(f"Expected {json.dumps(value)} to be a key-value object")
        for key in value:
            if key not in type_.fields:
                problem(f"Field is not defined on {type_.name}", [*path, key])
        coerced = {}
        for name, f in type_.fields.items():
            if name in value:
                coerced[name] = _coerce(value[name], f.type, [*path, name], problems)
            elif is_non_null_type(f.type):
                problem("Expected value to not be null", [*path, name])
        return coerced
    if is_enum_type(type_):
        if value not in type_.values:
            return problem(f"Expected {json.dumps(value)} to be one of: {', '.join(type_.values)}")
        return value
    try:
        parsed = type_.parse_value(value)
    except (GraphQLError, TypeError, ValueError):
        return problem(f"Could not coerce value {json.dumps(value)} to {type_.name}")
    if type_ is GraphQLID and not is_gid(str(parsed)):
        return problem(f"Invalid global id '{value}'")
    return parsed


def coerce_variables(schema: GraphQLSchema, operation: OperationDefinitionNode, raw: Mapping[str, Any]
                     ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Variables as graphql-ruby would take them, with INVALID_VARIABLE errors in its shape."""
    coerced: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        type_ = type_from_ast(schema, definition.type)
        if type_ is None:
            continue
        problems: list[dict[str, Any]] = []
        if name not in raw:
            if definition.default_value is not None:
                coerced[name] = value_from_ast(definition.default_value, type_)
            elif is_non_null_type(type_):
                problems.append({"path": [], "explanation": "Expected value to not be null"})
        else:
            coerced[name] = _coerce(raw[name], type_, [], problems)
        if problems:
            message = f"Variable ${name} of type {print_ast(definition.type)} was provided invalid value"
            details = [f"{'.'.join(map(str, p['path']))} ({p['explanation']})" for p in problems if p["path"]]
            if details:
                message += " for " + ", ".join(details)
            errors.append({"message": message, "locations": _locations(GraphQLError("", nodes=[definition])),
                           "extensions": {"code": "INVALID_VARIABLE", "value": raw.get(name), "problems": problems}})
    return coerced, errors
