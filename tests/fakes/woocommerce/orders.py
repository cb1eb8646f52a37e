"""Handlers for /orders, /orders/{id}/notes and /orders/{id}/refunds (wc/v3)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import php
from .listing import Reply, date_filter, dp, find_order, in_ids, ok, paginate, sort_items
from .shop import Shop
from .store import BILLING_FIELDS, SHIPPING_FIELDS, Order
from .wp import Request, WPError

# --- orders --------------------------------------------------------------------------------------------------


def _matches_search(order: Order, term: str) -> bool:
    """The order search: ID, billing/shipping address index (names, email, phone, address), item names."""
    needle = term.replace("Order #", "").strip().lower()
    if needle.isdigit() and int(needle) == order.id:
        return True
    haystacks = [
        " ".join(order.billing.values()),
        " ".join(order.shipping.values()),
        *(i.name for i in order.line_items),
    ]
    return any(needle in text.lower() for text in haystacks)


def list_orders(shop: Shop, req: Request) -> Reply:
    orders = list(shop.orders.values())
    statuses = req.get("status")
    if "any" not in statuses:
        orders = [o for o in orders if o.status in statuses]
    if req.has("customer"):
        orders = [o for o in orders if o.customer_id == req.get("customer")]
    if req.get("product"):
        orders = [o for o in orders if any(i.product_id == req.get("product") for i in o.line_items)]
    if req.get("search"):
        orders = [o for o in orders if _matches_search(o, req.get("search"))]
    orders = date_filter(in_ids(orders, req), req, shop, "date_created", "date_modified")
    orders = sort_items(
        orders,
        req,
        {
            "date": lambda o: o.date_created,
            "modified": lambda o: o.date_modified,
            "id": lambda o: o.id,
            "title": lambda o: o.date_created,
            "slug": lambda o: o.id,
        },
    )
    return paginate(shop, req, orders, lambda o: o.to_json(shop.site, dp(req)))


def get_order(shop: Shop, req: Request) -> Reply:
    order = find_order(shop, req)
    if order is None:
        raise WPError("woocommerce_rest_shop_order_invalid_id", "Invalid ID.", {"status": 404})
    return ok(order.to_json(shop.site, dp(req)))


def update_order(shop: Shop, req: Request) -> Reply:
    order = find_order(shop, req)
    if order is None:  # WC_REST_CRUD_Controller::update_item() answers 400 here, not 404
        raise WPError("woocommerce_rest_shop_order_invalid_id", "Invalid ID.", {"status": 400})
    for unsupported in ("line_items", "shipping_lines", "fee_lines", "coupon_lines"):
        if req.has(unsupported):
            raise WPError("fake_not_implemented", f"The fake store cannot edit {unsupported}.", {"status": 501})
    customer_id = req.get("customer_id")
    if customer_id and customer_id not in shop.customers:
        raise WPError("woocommerce_rest_invalid_customer_id", "Customer ID is invalid.", {"status": 400})
    for kind, fields in (("billing", BILLING_FIELDS), ("shipping", SHIPPING_FIELDS)):
        posted = req.get(kind)
        if isinstance(posted, dict):  # update_address(): only keys with a setter, the rest stay as they were
            getattr(order, kind).update({k: "" if v is None else str(v) for k, v in posted.items() if k in fields})
    for name in ("customer_note", "payment_method", "payment_method_title", "transaction_id", "currency"):
        if req.get(name) is not None:
            setattr(order, name, req.get(name))
    if customer_id is not None:
        order.customer_id = customer_id
    for meta in req.get("meta_data") or []:
        _update_meta(shop, order, meta)
    if req.get("status"):
        shop.set_status(order, req.get("status"))
    if req.get("set_paid") and order.needs_payment():
        shop.set_status(order, "processing")
    shop.touch(order)
    return ok(order.to_json(shop.site, dp(req)))


def _update_meta(shop: Shop, order: Order, meta: dict[str, Any]) -> None:
    existing = next((m for m in order.meta_data if m["key"] == meta.get("key")), None)
    if existing is not None:
        existing["value"] = meta.get("value")
    elif meta.get("key"):
        order.meta_data.append({"id": next(shop._meta_ids), "key": meta["key"], "value": meta.get("value")})


# --- notes ---------------------------------------------------------------------------------------------------


def list_notes(shop: Shop, req: Request) -> Reply:
    order = find_order(shop, req, "order_id")
    if order is None:
        raise WPError("woocommerce_rest_shop_order_invalid_id", "Invalid order ID.", {"status": 404})
    kind = req.get("type")
    notes = [n for n in order.notes if kind == "any" or n.customer_note == (kind == "customer")]
    notes.sort(key=lambda n: (n.date_created, n.id), reverse=True)  # get_comments(): newest first
    return ok([n.to_json(shop.site) for n in notes])


def create_note(shop: Shop, req: Request) -> Reply:
    order = find_order(shop, req, "order_id")
    if order is None:
        raise WPError("woocommerce_rest_order_invalid_id", "Invalid order ID.", {"status": 404})
    author = shop.api_user if req.get("added_by_user") else "system"
    note = shop.add_note(order.id, req.get("note"), customer_note=req.get("customer_note"), author=author)
    if note.customer_note:  # WC_Order::add_order_note() emails the customer
        shop.emails.append(
            {"type": "customer_note", "order_id": order.id, "to": order.billing["email"], "note": note.note}
        )
    location = shop.site.rest_url(f"/wc/v3/orders/{order.id}/notes/{note.id}")
    return ok(note.to_json(shop.site), 201, [("Location", location)])


def get_note(shop: Shop, req: Request) -> Reply:
    order = find_order(shop, req, "order_id")
    if order is None:
        raise WPError("woocommerce_rest_order_invalid_id", "Invalid order ID.", {"status": 404})
    note = next((n for n in order.notes if n.id == php.absint(req.url_params["id"])), None)
    if note is None:
        raise WPError("woocommerce_rest_invalid_id", "Invalid resource ID.", {"status": 404})
    return ok(note.to_json(shop.site))


# --- refunds -------------------------------------------------------------------------------------------------


def list_refunds(shop: Shop, req: Request) -> Reply:
    order = find_order(shop, req, "order_id")
    refunds = list(order.refunds) if order else []  # an unknown order simply has no refunds
    refunds = sort_items(in_ids(refunds, req), req, {"date": lambda r: r.date_created, "id": lambda r: r.id})
    return paginate(shop, req, refunds, lambda r: r.to_json(shop.site, dp(req), "view"))


def get_refund(shop: Shop, req: Request) -> Reply:
    refund_id = php.absint(req.url_params["id"])
    refund = shop.refunds.get(refund_id)
    if refund is None and refund_id not in shop.orders:  # wc_get_order() found nothing at all: a plain 404
        raise WPError("woocommerce_rest_shop_order_refund_invalid_id", "Invalid ID.", {"status": 404})
    # Past that point the refund controller's errors carry a bare int, so WordPress answers HTTP 500.
    order = find_order(shop, req, "order_id")
    if order is None:
        raise WPError("woocommerce_rest_invalid_order_id", "Invalid order ID.", 404)
    if refund is None or refund.order_id != order.id:
        raise WPError("woocommerce_rest_invalid_order_refund_id", "Invalid order refund ID.", 404)
    return ok(refund.to_json(shop.site, dp(req), "view"))


def create_refund(shop: Shop, req: Request) -> Reply:
    # Errors here pass a bare int as WP_Error data, so WordPress answers HTTP 500 with "data": <int>.
    order = find_order(shop, req, "order_id")
    if order is None:
        raise WPError("woocommerce_rest_invalid_order_id", "Invalid order ID.", 404)
    lines = _refund_lines_arg(req.raw("line_items"))
    amount = req.get("amount")
    if amount is None and lines:
        amount = _amount_from_lines(lines)
    if php.php_less(amount, Decimal(0)):
        raise WPError("woocommerce_rest_invalid_order_refund", "Refund amount must be greater than zero.", 400)
    reason = req.get("reason") or None
    api_refund = req.get("api_refund") if isinstance(req.raw("api_refund"), bool) else True
    refund = shop.create_refund(order, amount, reason, lines, api_refund)
    req.sanitized["context"] = "edit"
    location = shop.site.rest_url(f"/wc/v3/orders/{order.id}/refunds/{refund.id}")
    return ok(refund.to_json(shop.site, dp(req), "edit"), 201, [("Location", location)])


def _refund_lines_arg(raw: Any) -> dict[Any, Any]:
    """RestApiUtil::adjust_line_items_for_create_refund_request(): [{id, quantity, ...}] -> {id: {qty, ...}}."""
    if not raw:
        return {}
    items = list(raw.values()) if isinstance(raw, dict) and php.is_numeric_array(raw) else raw
    if isinstance(items, dict):
        return items
    if not all(isinstance(i, dict) and "id" in i for i in items):
        return {}
    converted: dict[Any, Any] = {}
    for item in items:
        entry = {k: v for k, v in item.items() if k not in ("id", "quantity")}
        if "quantity" in item and "qty" not in item:
            entry["qty"] = item["quantity"]
        converted[php.absint(item["id"])] = entry
    return converted


def _amount_from_lines(lines: dict[Any, Any]) -> str | None:
    total = Decimal(0)
    for item in lines.values():
        if not isinstance(item, dict) or not php.is_numeric(item.get("refund_total")):
            return None
        total += php.to_decimal(item["refund_total"]) or Decimal(0)
        taxes = item.get("refund_tax") or []
        for tax in taxes.values() if isinstance(taxes, dict) else [t.get("refund_total") for t in taxes]:
            if not php.is_numeric(tax):
                return None
            total += php.to_decimal(tax) or Decimal(0)
    return str(total)
