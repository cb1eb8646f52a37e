"""Shopify's search syntax for the `query:` argument, and cursor pagination over the results.

Supported: terms joined by spaces or AND, OR between groups, NOT / leading `-`, `field:value`,
comparators (`:>`, `:>=`, `:<`, `:<=`), quoted values and a trailing `*` wildcard. Parentheses are not.
As on Shopify, a field the resource doesn't support is ignored and reported in `extensions.search`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from graphql import GraphQLError

from .store import parse_gid

_TOKEN = re.compile(r"""-?[\w.]+:(?:>=|<=|>|<)?(?:"[^"]*"|'[^']*'|\S+)|"[^"]*"|'[^']*'|\S+""")
_TERM = re.compile(r"^(-?)([\w.]+):(>=|<=|>|<)?(.*)$")
MAX_PAGE = 250


@dataclass(frozen=True)
class Term:
    negated: bool
    field: str | None
    op: str
    value: str


# A field spec: (kind, getter). Kinds: text (exact, case-insensitive, `*` wildcard), id, time, bool, and
# absent (true when no value matches, for fields like tag_not).
FieldSpec = tuple[str, Callable[[Any], Any]]


def parse(query: str | None) -> list[list[Term]]:
    """OR-separated groups of AND-ed terms."""
    groups: list[list[Term]] = [[]]
    negate_next = False
    for token in _TOKEN.findall(query or ""):
        if token == "OR":
            groups.append([])
            continue
        if token == "AND":
            continue
        if token == "NOT":
            negate_next = True
            continue
        match = _TERM.match(token)
        if match:
            negated, name, op, value = match.groups()
            term = Term(bool(negated) != negate_next, name, op or "=", value.strip("\"'"))
        else:
            negated = token.startswith("-")
            term = Term(negated != negate_next, None, "=", token.lstrip("-").strip("\"'"))
        groups[-1].append(term)
        negate_next = False
    return [g for g in groups if g]


def _time(value: str, now: datetime) -> tuple[datetime, datetime]:
    """The instant range a time value covers: an exact instant, a whole day or a whole year."""
    if value == "now":
        return now, now
    if re.fullmatch(r"\d{4}", value):
        start = datetime(int(value), 1, 1, tzinfo=UTC)
        return start, start.replace(year=start.year + 1) - timedelta(microseconds=1)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        start = datetime.fromisoformat(value).replace(tzinfo=UTC)
        return start, start + timedelta(days=1) - timedelta(microseconds=1)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment, moment


def _compare(kind: str, actual: Any, op: str, value: str, now: datetime) -> bool:
    if actual is None:
        return False
    if kind == "time":
        low, high = _time(value, now)
        return {"=": low <= actual <= high, ">": actual > high, ">=": actual >= low,
                "<": actual < low, "<=": actual <= high}[op]
    if kind == "id":
        parsed = parse_gid(value)
        wanted = parsed[1] if parsed else int(value) if value.isdigit() else None
        if wanted is None:
            return False
        return {"=": actual == wanted, ">": actual > wanted, ">=": actual >= wanted,
                "<": actual < wanted, "<=": actual <= wanted}[op]
    if kind == "bool":
        return str(actual).lower() == value.lower()
    text = str(actual).lower()
    wanted_text = value.lower()
    return text.startswith(wanted_text[:-1]) if wanted_text.endswith("*") else text == wanted_text


def _term_matches(term: Term, item: Any, fields: Mapping[str, FieldSpec], default: Callable[[Any], Sequence[str]],
                  now: datetime) -> bool:
    if term.field is None:
        wanted = term.value.lower()
        hit = any(wanted in (text or "").lower() for text in default(item))
    else:
        kind, getter = fields[term.field]
        actual = getter(item)
        values = actual if isinstance(actual, list | tuple | set) else [actual]
        if kind == "absent":
            hit = not any(_compare("text", v, term.op, term.value, now) for v in values)
        else:
            hit = any(_compare(kind, v, term.op, term.value, now) for v in values)
    return hit != term.negated


def filter_items(items: Sequence[Any], query: str | None, fields: Mapping[str, FieldSpec],
                 default: Callable[[Any], Sequence[str]], now: datetime) -> tuple[list[Any], list[dict[str, str]]]:
    """The items the query selects, and Shopify-style warnings for search fields that don't exist."""
    groups = parse(query)
    warnings = [{"field": t.field, "message": "Invalid search field for this query."}
                for g in groups for t in g if t.field is not None and t.field not in fields]
    usable = [[t for t in g if t.field is None or t.field in fields] for g in groups]
    if not groups:
        return list(items), warnings
    selected = [item for item in items
                if any(all(_term_matches(t, item, fields, default, now) for t in g) for g in usable)]
    return selected, warnings


def cursor_for(item_id: int, sort_value: Any) -> str:
    raw = json.dumps({"last_id": item_id, "last_value": str(sort_value)}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def _cursor_id(cursor: str) -> int:
    try:
        return int(json.loads(base64.b64decode(cursor, validate=True))["last_id"])
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise GraphQLError("Invalid cursor for current pagination sort.") from exc


def check_page_args(first: int | None, last: int | None) -> None:
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last", extensions={"code": "BAD_REQUEST"})
    for size in (first, last):
        if size is not None and size > MAX_PAGE:
            raise GraphQLError(f"first cannot exceed {MAX_PAGE}. To query larger amounts of data with fewer limits, "
                               "bulk operations should be used instead.", extensions={"code": "BAD_REQUEST"})


def paginate(ids: Sequence[int], first: int | None, last: int | None, after: str | None,
             before: str | None) -> tuple[int, int]:
    """Relay's algorithm over an already sorted id list: the [start, end) slice to return."""
    start, end = 0, len(ids)
    if after is not None:
        wanted = _cursor_id(after)
        start = ids.index(wanted) + 1 if wanted in ids else start
    if before is not None:
        wanted = _cursor_id(before)
        end = ids.index(wanted) if wanted in ids else end
    end = max(start, end)
    if first is not None:
        end = min(end, start + max(0, first))
    if last is not None:
        start = max(start, end - max(0, last))
    return start, end
