"""The route table of wc/v3 and wc-shipment-tracking/v3, in registration order (first match wins)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .args import (
    CANNOT_CREATE,
    CANNOT_DELETE,
    CANNOT_EDIT,
    CANNOT_LIST,
    CANNOT_VIEW,
    CONTEXT,
    CUSTOMER_LIST_ARGS,
    NOTE_CREATE_ARGS,
    NOTE_LIST_ARGS,
    ORDER_GET_ARGS,
    ORDER_LIST_ARGS,
    ORDER_UPDATE_ARGS,
    PRODUCT_LIST_ARGS,
    REFUND_CREATE_ARGS,
    REFUND_LIST_ARGS,
    TERM_LIST_ARGS,
    TRACKING_CREATE_ARGS,
    Permission,
    customer_view,
    note_view,
    product_view,
    term_view,
)
from .catalog import (
    create_tracking,
    delete_tracking,
    get_customer,
    get_product,
    get_term,
    get_tracking,
    list_customers,
    list_products,
    list_terms,
    list_trackings,
    tracking_providers,
)
from .listing import Handler
from .orders import (
    create_note,
    create_refund,
    get_note,
    get_order,
    get_refund,
    list_notes,
    list_orders,
    list_refunds,
    update_order,
)

# --- the route table -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    namespace: str
    pattern: re.Pattern[str]
    methods: frozenset[str]
    handler: Handler
    args: dict[str, Any]
    permission: Permission | None


def _route(
    namespace: str,
    path: str,
    methods: str,
    handler: Handler,
    args: dict[str, Any] | None,
    permission: Permission | None,
) -> Route:
    pattern = re.compile(f"^/{namespace}{path}$", re.IGNORECASE)
    return Route(namespace, pattern, frozenset(methods.split()), handler, args or {}, permission)


EDITABLE = "POST PUT PATCH"
_ORDER = r"/orders/(?P<order_id>[\d]+)"
WC = "wc/v3"
ST = "wc-shipment-tracking/v3"
ROUTES = [
    _route(WC, "/orders", "GET", list_orders, ORDER_LIST_ARGS, CANNOT_LIST),
    _route(WC, r"/orders/(?P<id>[\d]+)", "GET", get_order, ORDER_GET_ARGS, CANNOT_VIEW),
    _route(WC, r"/orders/(?P<id>[\d]+)", EDITABLE, update_order, ORDER_UPDATE_ARGS, CANNOT_EDIT),
    _route(WC, f"{_ORDER}/notes", "GET", list_notes, NOTE_LIST_ARGS, CANNOT_LIST),
    _route(WC, f"{_ORDER}/notes", "POST", create_note, NOTE_CREATE_ARGS, CANNOT_CREATE),
    _route(WC, rf"{_ORDER}/notes/(?P<id>[\d]+)", "GET", get_note, {"context": CONTEXT}, note_view),
    _route(WC, f"{_ORDER}/refunds", "GET", list_refunds, REFUND_LIST_ARGS, CANNOT_LIST),
    _route(WC, f"{_ORDER}/refunds", "POST", create_refund, REFUND_CREATE_ARGS, CANNOT_CREATE),
    _route(WC, rf"{_ORDER}/refunds/(?P<id>[\d]+)", "GET", get_refund, {"context": CONTEXT}, CANNOT_VIEW),
    _route(WC, "/customers", "GET", list_customers, CUSTOMER_LIST_ARGS, CANNOT_LIST),
    _route(WC, r"/customers/(?P<id>[\d]+)", "GET", get_customer, {"context": CONTEXT}, customer_view),
    _route(WC, "/products", "GET", list_products, PRODUCT_LIST_ARGS, CANNOT_LIST),
    _route(WC, r"/products/(?P<id>[\d]+)", "GET", get_product, {"context": CONTEXT}, product_view),
    _route(WC, "/products/categories", "GET", list_terms("product_cat"), TERM_LIST_ARGS, CANNOT_LIST),
    _route(WC, r"/products/categories/(?P<id>[\d]+)", "GET", get_term, {"context": CONTEXT}, term_view("product_cat")),
    _route(WC, "/products/tags", "GET", list_terms("product_tag"), TERM_LIST_ARGS, CANNOT_LIST),
    _route(WC, r"/products/tags/(?P<id>[\d]+)", "GET", get_term, {"context": CONTEXT}, term_view("product_tag")),
    _route(ST, "/shipment-trackings/providers", "GET", tracking_providers, None, None),
    _route(ST, f"{_ORDER}/shipment-trackings", "GET", list_trackings, {"context": CONTEXT}, CANNOT_LIST),
    _route(ST, f"{_ORDER}/shipment-trackings", "POST", create_tracking, TRACKING_CREATE_ARGS, CANNOT_CREATE),
    _route(ST, f"{_ORDER}/shipment-trackings/providers", "GET", tracking_providers, None, None),
    _route(
        ST,
        rf"{_ORDER}/shipment-trackings/(?P<id>[a-fA-F0-9]{{0,32}})",
        "GET",
        get_tracking,
        {"context": CONTEXT},
        CANNOT_VIEW,
    ),
    _route(
        ST, rf"{_ORDER}/shipment-trackings/(?P<id>[a-fA-F0-9]{{0,32}})", "DELETE", delete_tracking, None, CANNOT_DELETE
    ),
]
