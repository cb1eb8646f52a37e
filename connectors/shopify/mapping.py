"""Shopify's order objects → Portside's store model (pure functions, no I/O).

Portside's order id is the order's name as the shop shows it, without the "#" ("#1001" → "1001"); the shopper may
type either. A guest checkout (no customer record) becomes a customer keyed by the email's hash, so every order of
one email belongs to one person for verification.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from connectors.models import (
    Address,
    Customer,
    Duties,
    Order,
    OrderItem,
    OrderStatus,
    Product,
    Shipment,
    ShipmentStatus,
    StoreData,
    TrackingEvent,
)
from connectors.platforms.base import Fetched
from connectors.platforms.common import payment_method

# Shopify's fulfillment display status → Portside's shipment status.
SHIPMENT_STATUS: dict[str, ShipmentStatus] = {
    "LABEL_PRINTED": "label_created", "LABEL_PURCHASED": "label_created", "CONFIRMED": "label_created",
    "READY_FOR_PICKUP": "out_for_delivery", "OUT_FOR_DELIVERY": "out_for_delivery",
    "IN_TRANSIT": "in_transit", "CARRIER_PICKED_UP": "in_transit", "FULFILLED": "in_transit",
    "MARKED_AS_FULFILLED": "in_transit", "DELAYED": "in_transit",
    "ATTEMPTED_DELIVERY": "delivery_failed", "NOT_DELIVERED": "delivery_failed", "FAILURE": "delivery_failed",
    "DELIVERED": "delivered",
}


@dataclass(frozen=True)
class Mapping:
    """Which product tags mean what in this shop (configurable: PORTSIDE_SHOPIFY_FINAL_SALE_TAG…)."""

    final_sale_tag: str = "final-sale"
    category_tag_prefix: str = "category:"


def order_id(name: str) -> str:
    return name.strip().lstrip("#").strip()


def guest_id(email: str) -> str:
    return "guest-" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:20]


def _money(bag: dict[str, Any] | None) -> tuple[float, str] | None:
    if not bag:
        return None
    money = bag["shopMoney"]
    return float(money["amount"]), money["currencyCode"]


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _language(locale: str | None) -> str:
    lang = (locale or "en").split("-")[0].lower()
    return lang if len(lang) == 2 and lang.isalpha() else "en"


def customer_of(node: dict[str, Any]) -> Customer | None:
    c = node.get("customer")
    address = node.get("shippingAddress") or {}
    country = address.get("countryCodeV2") or "US"
    if c:
        email = ((c.get("defaultEmailAddress") or {}).get("emailAddress")) or node.get("email")
        if not email:
            return None
        return Customer(id=str(c["legacyResourceId"]), name=c.get("displayName") or email, email=email,
                        phone=(c.get("defaultPhoneNumber") or {}).get("phoneNumber"), country=country,
                        language=_language(c.get("locale") or node.get("customerLocale")),
                        postal_code=address.get("zip"))
    email = node.get("email")
    if not email:
        return None
    return Customer(id=guest_id(email), name=address.get("name") or email, email=email, phone=node.get("phone"),
                    country=country, language=_language(node.get("customerLocale")), postal_code=address.get("zip"))


def customer_alone(c: dict[str, Any]) -> Customer | None:
    """A customer read on their own (no order yet in the mirror)."""
    email = (c.get("defaultEmailAddress") or {}).get("emailAddress")
    if not email:
        return None
    address = c.get("defaultAddress") or {}
    return Customer(id=str(c["legacyResourceId"]), name=c.get("displayName") or email, email=email,
                    phone=(c.get("defaultPhoneNumber") or {}).get("phoneNumber"),
                    country=address.get("countryCodeV2") or "US", language=_language(c.get("locale")),
                    postal_code=address.get("zip"))


def _sku(line: dict[str, Any]) -> str:
    variant = line.get("variant") or {}
    return line.get("sku") or variant.get("sku") or (f"variant-{variant['legacyResourceId']}" if variant
                                                       else f"line-{line['id'].rsplit('/', 1)[-1]}")


def products_of(node: dict[str, Any], mapping: Mapping) -> list[Product]:
    out = []
    for line in node["lineItems"]["nodes"]:
        variant = line.get("variant")
        if not variant:
            continue
        product = variant.get("product") or {}
        tags = [t.lower() for t in product.get("tags") or []]
        category = next((t[len(mapping.category_tag_prefix):] for t in tags
                         if t.startswith(mapping.category_tag_prefix)), None)
        price, currency = _money(line["originalUnitPriceSet"]) or (0.0, node["currencyCode"])
        out.append(Product(sku=_sku(line), name=product.get("title") or line["title"],
                           category=category or (product.get("productType") or "general").strip().lower() or "general",
                           price=price, currency=currency, final_sale=mapping.final_sale_tag.lower() in tags,
                           product_id=str(product["legacyResourceId"]) if product else None,
                           variant=None if variant.get("title") == "Default Title" else variant.get("title")))
    return out


def _shipments(node: dict[str, Any]) -> list[Shipment]:
    out = []
    for f in node.get("fulfillments") or []:
        infos = [i for i in f.get("trackingInfo") or [] if i.get("number")]
        status = SHIPMENT_STATUS.get(f.get("displayStatus") or "", "in_transit")
        skus = [_sku(li["lineItem"]) for li in f["fulfillmentLineItems"]["nodes"]]
        for info in infos[:1]:  # one parcel per fulfillment: the first tracking number
            steps: list[tuple[datetime | None, ShipmentStatus, str]] = [
                (_time(f.get("createdAt")), "label_created", "Fulfilled by the shop"),
                (_time(f.get("inTransitAt")), "in_transit", "Picked up by the carrier"),
                (_time(f.get("deliveredAt")), "delivered", "Delivered")]
            events = [TrackingEvent(at=moment, status=step, description=text) for moment, step, text in steps
                      if moment is not None]
            eta = _time(f.get("estimatedDeliveryAt"))
            out.append(Shipment(carrier=info.get("company") or "other", tracking_number=info["number"],
                                status=status, item_skus=skus, estimated_delivery=eta.date() if eta else None,
                                delivered_at=_time(f.get("deliveredAt")), events=events))
    return out


def order_status(node: dict[str, Any], shipments: list[Shipment]) -> OrderStatus:
    if node.get("cancelledAt"):
        return "cancelled"
    financial = node.get("displayFinancialStatus") or ""
    if financial == "REFUNDED":
        return "refunded"
    if node.get("returnStatus") in ("RETURN_REQUESTED", "IN_PROGRESS"):
        return "return_in_progress"
    fulfillment = node.get("displayFulfillmentStatus") or "UNFULFILLED"
    if fulfillment in ("FULFILLED", "PARTIALLY_FULFILLED"):
        delivered = bool(shipments) and all(s.status == "delivered" for s in shipments)
        return "delivered" if delivered and fulfillment == "FULFILLED" else "shipped"
    if financial in ("PENDING", "AUTHORIZED", "EXPIRED") and not _is_cash(node):
        return "pending_payment"
    return "processing"


def _is_cash(node: dict[str, Any]) -> bool:
    return payment_method(node.get("paymentGatewayNames") or []) in ("cod", "oxxo", "boleto")


def _address(node: dict[str, Any], customer: Customer) -> Address:
    a = node.get("shippingAddress") or {}
    return Address(name=a.get("name") or customer.name, line1=a.get("address1") or "-", line2=a.get("address2"),
                   city=a.get("city") or "-", region=a.get("province"), postal_code=a.get("zip"),
                   country=a.get("countryCodeV2") or customer.country)


def order_of(node: dict[str, Any], mapping: Mapping) -> Fetched:
    """One order node → the order, its customer and its products. An order without any email is skipped: no
    shopper could ever verify it."""
    customer = customer_of(node)
    if customer is None or not node["lineItems"]["nodes"]:
        return Fetched()
    shipments = _shipments(node)
    total, currency = _money(node["totalPriceSet"]) or (0.0, node["currencyCode"])
    duties = _money(node.get("currentTotalDutiesSet"))
    items = [OrderItem(sku=_sku(li), name=li["title"] + (f" ({li['variantTitle']})" if li.get("variantTitle") else ""),
                       quantity=max(1, int(li.get("quantity") or 1)),
                       unit_price=(_money(li["originalUnitPriceSet"]) or (0.0, currency))[0])
             for li in node["lineItems"]["nodes"]]
    order = Order(id=order_id(node["name"]), customer_id=customer.id, status=order_status(node, shipments),
                  placed_at=_time(node.get("processedAt") or node["createdAt"]) or datetime.now(UTC),
                  currency=currency, total=total,
                  payment_method=payment_method(node.get("paymentGatewayNames") or []),
                  shipping_address=_address(node, customer), items=items, shipments=shipments,
                  duties=Duties(amount=duties[0], currency=duties[1], status="prepaid")
                  if duties and duties[0] else None)
    return Fetched(StoreData(customers=[customer], products=products_of(node, mapping), orders=[order]),
                   {order.id: node["id"]})
