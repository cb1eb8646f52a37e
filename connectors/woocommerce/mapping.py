"""WooCommerce's REST objects → Portside's store model (pure functions, no I/O).

Portside's order id is the order's number as the shop shows it (usually its id). WooCommerce core has no delivery
event: a "completed" order is fulfilled and treated as delivered on its completion date, which starts the return
window; tracking numbers come from the Shipment Tracking extension's items.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from connectors.models import (
    Address,
    Customer,
    Order,
    OrderItem,
    OrderStatus,
    Product,
    Shipment,
    StoreData,
    TrackingEvent,
)
from connectors.platforms.base import Fetched
from connectors.platforms.common import payment_method

TRACKING_META = "_wc_shipment_tracking_items"
STATUS: dict[str, OrderStatus] = {
    "pending": "pending_payment", "failed": "pending_payment", "on-hold": "pending_payment",
          "processing": "processing", "completed": "delivered", "cancelled": "cancelled", "refunded": "refunded"}
SKIPPED = {"checkout-draft", "trash", "auto-draft"}


def guest_id(email: str) -> str:
    return "guest-" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:20]


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # *_gmt fields carry no offset


def _name(a: dict[str, Any]) -> str:
    return " ".join(p for p in (a.get("first_name"), a.get("last_name")) if p).strip()


def customer_of(o: dict[str, Any]) -> Customer | None:
    billing, shipping = o.get("billing") or {}, o.get("shipping") or {}
    email = billing.get("email")
    if not email:
        return None
    country = shipping.get("country") or billing.get("country") or "US"
    cid = str(o["customer_id"]) if o.get("customer_id") else guest_id(email)
    return Customer(id=cid, name=_name(billing) or email, email=email, phone=billing.get("phone") or None,
                    country=country, postal_code=shipping.get("postcode") or billing.get("postcode") or None)


def customer_alone(c: dict[str, Any]) -> Customer | None:
    if not c.get("email"):
        return None
    billing, shipping = c.get("billing") or {}, c.get("shipping") or {}
    return Customer(id=str(c["id"]), name=_name(c) or c["email"], email=c["email"], phone=billing.get("phone") or None,
                    country=shipping.get("country") or billing.get("country") or "US",
                    postal_code=shipping.get("postcode") or billing.get("postcode") or None)


def product_of(p: dict[str, Any], currency: str, final_sale_tag: str) -> Product:
    tags = {t["slug"] for t in p.get("tags") or []}
    categories = [c["slug"] for c in p.get("categories") or [] if c.get("slug") != "uncategorized"]
    return Product(sku=p.get("sku") or f"product-{p['id']}", name=p["name"], category=categories[0] if categories
                   else "general", price=float(p.get("price") or 0), currency=currency,
                   final_sale=final_sale_tag in tags, product_id=str(p.get("parent_id") or p["id"]))


def _sku(li: dict[str, Any]) -> str:
    return li.get("sku") or f"product-{li.get('variation_id') or li['product_id']}"


def trackings(o: dict[str, Any]) -> list[dict[str, Any]]:
    for meta in o.get("meta_data") or []:
        if meta.get("key") == TRACKING_META and isinstance(meta.get("value"), list):
            return list(meta["value"])
    return []


def _shipped(value: Any) -> datetime | None:
    """The extension keeps a Unix timestamp in order meta and shows "YYYY-MM-DD" through its endpoint."""
    text = str(value or "").strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text), UTC)
    if len(text) == 10:
        return _time(text + "T00:00:00+00:00")
    return None


def _shipments(o: dict[str, Any], items: list[dict[str, Any]], status: str) -> list[Shipment]:
    out = []
    completed = _time(o.get("date_completed_gmt"))
    skus = [_sku(li) for li in o["line_items"]]
    for t in items:
        number = (t.get("tracking_number") or "").strip()
        if len(number) < 4:
            continue
        shipped = _shipped(t.get("date_shipped"))
        delivered = completed if status == "delivered" else None
        events = []
        if shipped:
            events.append(TrackingEvent(at=shipped, status="in_transit", description="Shipped"))
        if delivered:
            events.append(TrackingEvent(at=delivered, status="delivered", description="Order completed"))
        out.append(Shipment(carrier=t.get("tracking_provider") or t.get("custom_tracking_provider") or "other",
                            tracking_number=number, status="delivered" if delivered else "in_transit",
                            item_skus=skus, delivered_at=delivered, events=events))
    return out


def order_of(o: dict[str, Any], products: dict[int, dict[str, Any]], final_sale_tag: str,
             tracking_items: list[dict[str, Any]] | None = None) -> Fetched:
    """One order → the order, its customer and its products; drafts and orders without an email are skipped."""
    customer = customer_of(o)
    if customer is None or o.get("status") in SKIPPED or not o.get("line_items"):
        return Fetched()
    status: OrderStatus = STATUS.get(o["status"], "processing")
    method = payment_method([o.get("payment_method") or "", o.get("payment_method_title") or ""])
    if status == "pending_payment" and method in ("cod", "oxxo", "boleto"):
        status = "processing"  # cash is paid on delivery or at the counter later: the order is being prepared
    currency = o["currency"]
    ship = o.get("shipping") or {}
    address = Address(name=_name(ship) or customer.name, line1=ship.get("address_1") or "-",
                      line2=ship.get("address_2") or None, city=ship.get("city") or "-",
                      region=ship.get("state") or None, postal_code=ship.get("postcode") or None,
                      country=ship.get("country") or customer.country)
    items = [OrderItem(sku=_sku(li), name=li["name"], quantity=max(1, int(li["quantity"])),
                       unit_price=float(li.get("price") or 0)) for li in o["line_items"]]
    shipments = _shipments(o, tracking_items if tracking_items is not None else trackings(o), status)
    if status == "processing" and shipments:
        status = "shipped"
    order = Order(id=str(o.get("number") or o["id"]), customer_id=customer.id, status=status,
                  placed_at=_time(o.get("date_created_gmt")) or datetime.now(UTC), currency=currency,
                  total=float(o["total"]), payment_method=method, shipping_address=address, items=items,
                  shipments=shipments)
    used = [products[pid] for pid in {li.get("variation_id") or li["product_id"] for li in o["line_items"]}
            if pid in products]
    return Fetched(StoreData(customers=[customer], orders=[order],
                             products=[product_of(p, currency, final_sale_tag) for p in used]),
                   {order.id: str(o["id"])})
