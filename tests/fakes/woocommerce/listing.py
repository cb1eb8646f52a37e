"""Shared pieces of the handlers: replies, pagination headers, sorting and filtering of collections."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from . import php
from .shop import Shop
from .store import Order
from .wp import Request, parse_date

Reply = tuple[int, Any, list[tuple[str, str]]]
Handler = Callable[[Shop, Request], Reply]

# --- replies and collections ----------------------------------------------------------------------------


def ok(body: Any, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Reply:
    return status, body, headers or []


def paginate(shop: Shop, req: Request, items: list[Any], render: Callable[[Any], Any]) -> Reply:
    """WC_REST_CRUD_Controller::get_items() pagination: X-WP-Total, X-WP-TotalPages and prev/next links."""
    per_page, page, offset = req.get("per_page"), req.get("page"), req.get("offset")
    start = offset if offset else (page - 1) * per_page
    total, pages = len(items), math.ceil(len(items) / per_page)
    headers = [("X-WP-Total", str(total)), ("X-WP-TotalPages", str(pages))]
    base = shop.site.rest_url(req.route)
    query = {k: v for k, v in _flat_query(req.query).items() if k != "page"}
    if page > 1:
        headers.append(("Link", f'<{_with_page(base, query, min(page - 1, pages))}>; rel="prev"'))
    if pages > page:
        headers.append(("Link", f'<{_with_page(base, query, page + 1)}>; rel="next"'))
    return ok([render(item) for item in items[start : start + per_page]], headers=headers)


def _flat_query(query: php.PhpArray, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in query.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        flat.update(_flat_query(value, name) if isinstance(value, dict) else {name: str(value)})
    return flat


def _with_page(base: str, query: dict[str, str], page: int) -> str:
    # add_query_arg() re-encodes the request's own arguments with PHP urlencode().
    pairs = [*query.items(), ("page", str(page))]
    return base + "?" + "&".join(f"{php.urlencode(k)}={php.urlencode(v)}" for k, v in pairs)


def sort_items(items: list[Any], req: Request, keys: dict[str, Callable[[Any], Any]]) -> list[Any]:
    orderby = req.get("orderby")
    if orderby == "include" and req.get("include"):
        wanted = req.get("include")
        return sorted(items, key=lambda item: wanted.index(item.id) if item.id in wanted else len(wanted))
    key = keys.get(orderby, keys["id"])
    return sorted(items, key=lambda item: (key(item), item.id), reverse=req.get("order") == "desc")


def in_ids(items: list[Any], req: Request) -> list[Any]:
    include, exclude = req.get("include") or [], req.get("exclude") or []
    return [i for i in items if (not include or i.id in include) and i.id not in exclude]


def _date_bound(req: Request, name: str, shop: Shop) -> datetime | None:
    value = req.get(name)
    if value is None:
        return None
    moment = parse_date(value)
    assert moment is not None  # validated as date-time already
    if moment.tzinfo is None:  # naive: the site's local time, or UTC with dates_are_gmt
        moment = moment.replace(tzinfo=UTC if req.get("dates_are_gmt") else shop.site.timezone)
    return moment


def date_filter(items: list[Any], req: Request, shop: Shop, created: str, modified: str) -> list[Any]:
    bounds = [
        ("after", created, lambda d, b: d > b),
        ("before", created, lambda d, b: d < b),
        ("modified_after", modified, lambda d, b: d > b),
        ("modified_before", modified, lambda d, b: d < b),
    ]
    for name, attr, keep in bounds:
        bound = _date_bound(req, name, shop)
        if bound is not None:
            items = [i for i in items if keep(getattr(i, attr), bound)]
    return items


def dp(req: Request) -> int:
    return req.get("dp") if req.get("dp") is not None else 2


def find_order(shop: Shop, req: Request, key: str = "id") -> Order | None:
    return shop.orders.get(php.absint(req.url_params[key]))
