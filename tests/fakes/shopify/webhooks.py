"""Webhook deliveries as Shopify makes them: REST-shaped JSON bodies, HMAC-SHA256 of the raw body with the app's
client secret (base64) in X-Shopify-Hmac-Sha256, and the X-Shopify-* headers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from .store import Address, Customer, Fulfillment, LineItem, Order, Return, Store, gid, iso

API_VERSION = "2025-10"


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def verify(body: bytes, secret: str, signature: str) -> bool:
    return hmac.compare_digest(sign(body, secret), signature or "")


def deliver(url: str, topic: str, payload: Any, secret: str, *, shop_domain: str, webhook_id: str | None = None,
            event_id: str | None = None, triggered_at: datetime | None = None, api_version: str = API_VERSION,
            timeout: float = 5.0) -> httpx.Response:
    body = json.dumps(payload).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Shopify-Captain-Hook",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": sign(body, secret),
        "X-Shopify-Shop-Domain": shop_domain,
        "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
        "X-Shopify-Event-Id": event_id or str(uuid.uuid4()),
        "X-Shopify-Triggered-At": (triggered_at or datetime.now(UTC)).isoformat(timespec="microseconds"),
        "X-Shopify-API-Version": api_version,
    }
    return httpx.post(url, content=body, headers=headers, timeout=timeout)


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _money_set(value: Decimal, currency: str) -> dict[str, Any]:
    amount = {"amount": _money(value), "currency_code": currency}
    return {"shop_money": amount, "presentment_money": amount}


def _address(address: Address | None) -> dict[str, Any] | None:
    if address is None:
        return None
    return {"first_name": address.first_name, "last_name": address.last_name, "name": address.name,
            "company": address.company, "address1": address.address1, "address2": address.address2,
            "city": address.city, "province": address.province, "province_code": address.province_code,
            "country": address.country, "country_code": address.country_code, "zip": address.zip,
            "phone": address.phone, "latitude": None, "longitude": None}


def customer_payload(customer: Customer, currency: str) -> dict[str, Any]:
    return {"id": customer.id, "admin_graphql_api_id": gid("Customer", customer.id), "email": customer.email,
            "first_name": customer.first_name, "last_name": customer.last_name, "phone": customer.phone,
            "created_at": iso(customer.created_at), "updated_at": iso(customer.updated_at),
            "state": customer.state.lower(), "note": customer.note, "verified_email": customer.verified_email,
            "tags": ", ".join(customer.tags), "currency": currency,
            "default_address": _address(customer.default_address)}


def _line_item(order: Order, li: LineItem) -> dict[str, Any]:
    fulfilled = order.fulfilled_quantity(li)
    status = "fulfilled" if fulfilled >= li.quantity else "partial" if fulfilled else None
    return {"id": li.id, "admin_graphql_api_id": gid("LineItem", li.id), "name": li.name, "title": li.title,
            "variant_title": li.variant_title, "sku": li.sku, "vendor": li.vendor, "quantity": li.quantity,
            "current_quantity": li.current_quantity,
            "fulfillable_quantity": max(0, li.current_quantity - fulfilled), "fulfillment_status": status,
            "fulfillment_service": "manual", "gift_card": li.gift_card, "requires_shipping": li.requires_shipping,
            "taxable": li.taxable, "price": _money(li.price), "price_set": _money_set(li.price, order.currency),
            "total_discount": "0.00", "total_discount_set": _money_set(Decimal(0), order.currency),
            "product_id": li.product_id, "variant_id": li.variant_id, "product_exists": li.product_id is not None,
            "properties": [{"name": k, "value": v} for k, v in li.custom_attributes], "tax_lines": [],
            "duties": [], "discount_allocations": []}


def fulfillment_payload(order: Order, fulfillment: Fulfillment) -> dict[str, Any]:
    by_id = {li.id: li for li in order.line_items}
    first = fulfillment.tracking[0] if fulfillment.tracking else None
    number = order.fulfillments.index(fulfillment) + 1 if fulfillment in order.fulfillments else 1
    shipment = (fulfillment.display_status or "").lower() or None
    return {"id": fulfillment.id, "admin_graphql_api_id": gid("Fulfillment", fulfillment.id),
            "order_id": order.id, "name": f"{order.name}.{number}", "status": fulfillment.status.lower(),
            "service": "manual", "shipment_status": shipment, "location_id": None, "origin_address": {},
            "receipt": {}, "created_at": iso(fulfillment.created_at), "updated_at": iso(fulfillment.updated_at),
            "tracking_company": first.company if first else None, "tracking_number": first.number if first else None,
            "tracking_numbers": [t.number for t in fulfillment.tracking if t.number],
            "tracking_url": first.url if first else None,
            "tracking_urls": [t.url for t in fulfillment.tracking if t.url],
            "line_items": [{**_line_item(order, by_id[x.line_item_id]), "quantity": x.quantity}
                           for x in fulfillment.line_items]}


def order_payload(store: Store, order: Order) -> dict[str, Any]:
    customer = store.customers.get(order.customer_id) if order.customer_id else None
    fulfillment = {"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partial"}.get(order.display_fulfillment_status)
    duties = _money_set(order.duties, order.currency) if order.duties is not None else None
    return {
        "id": order.id, "admin_graphql_api_id": gid("Order", order.id), "name": order.name,
        "order_number": order.number, "number": order.number - 1000, "email": order.email,
        "contact_email": order.email, "phone": order.phone, "created_at": iso(order.created_at),
        "updated_at": iso(order.updated_at), "processed_at": iso(order.processed_at),
        "cancelled_at": iso(order.cancelled_at),
        "cancel_reason": order.cancel_reason.lower() if order.cancel_reason else None,
        "closed_at": iso(order.closed_at), "confirmed": True, "test": order.test, "currency": order.currency,
        "presentment_currency": order.currency, "financial_status": order.financial_status.lower(),
        "fulfillment_status": fulfillment, "payment_gateway_names": list(order.gateways),
        "subtotal_price": _money(order.subtotal), "total_price": _money(order.total),
        "total_tax": _money(order.tax), "current_total_price": _money(order.current_total),
        "current_subtotal_price": _money(order.current_subtotal),
        "total_price_set": _money_set(order.total, order.currency),
        "current_total_price_set": _money_set(order.current_total, order.currency),
        "current_total_duties_set": duties, "original_total_duties_set": duties,
        "total_shipping_price_set": _money_set(order.shipping_price, order.currency),
        "tags": ", ".join(order.tags), "note": order.note,
        "note_attributes": [{"name": k, "value": v} for k, v in order.custom_attributes],
        "customer_locale": order.customer_locale,
        "customer": customer_payload(customer, store.currency) if customer else None,
        "shipping_address": _address(order.shipping_address), "billing_address": _address(order.billing_address),
        "line_items": [_line_item(order, li) for li in order.line_items],
        "fulfillments": [fulfillment_payload(order, f) for f in order.fulfillments],
        "refunds": [{"id": r.id, "admin_graphql_api_id": gid("Refund", r.id), "order_id": order.id,
                     "created_at": iso(r.created_at), "note": r.note,
                     "refund_line_items": [{"id": x.id, "line_item_id": x.line_item_id, "quantity": x.quantity,
                                            "restock_type": x.restock_type.lower(), "subtotal": _money(x.subtotal)}
                                           for x in r.line_items],
                     "transactions": [{"kind": "refund", "status": "success", "amount": _money(r.amount),
                                       "currency": order.currency}] if r.amount else []}
                    for r in order.refunds],
        "shipping_lines": [],
    }


def return_payload(store: Store, order: Order, ret: Return) -> dict[str, Any]:
    lines = []
    for rli in ret.line_items:
        found = store.fulfillment_line_item(rli.fulfillment_line_item_id)
        fli = found[1] if found else None
        lines.append({"id": rli.id, "admin_graphql_api_id": gid("ReturnLineItem", rli.id), "quantity": rli.quantity,
                      "return_reason": rli.return_reason.lower(), "return_reason_note": rli.return_reason_note,
                      "customer_note": rli.customer_note,
                      "fulfillment_line_item": {
                          "id": fli.id, "admin_graphql_api_id": gid("FulfillmentLineItem", fli.id),
                          "line_item": {"id": fli.line_item_id,
                                        "admin_graphql_api_id": gid("LineItem", fli.line_item_id)}} if fli else None})
    payload = {"id": ret.id, "admin_graphql_api_id": gid("Return", ret.id), "name": ret.name,
               "status": ret.status.lower(),
               "order": {"id": order.id, "admin_graphql_api_id": gid("Order", order.id)},
               "total_return_line_items": len(lines), "return_line_items": lines, "return_shipping_fees": [],
               "exchange_line_items": [], "total_exchange_line_items": 0}
    if ret.status == "DECLINED":
        payload["decline"] = {"reason": (ret.decline_reason or "").lower(), "note": ret.decline_note}
    return payload


def shop_payload(store: Store, shop_id: int) -> dict[str, Any]:
    return {"shop_id": shop_id, "shop_domain": store.shop_domain}


def customers_data_request_payload(store: Store, shop_id: int, customer: Customer) -> dict[str, Any]:
    orders = [o.id for o in store.orders.values() if o.customer_id == customer.id]
    return {**shop_payload(store, shop_id), "orders_requested": orders,
            "customer": {"id": customer.id, "email": customer.email, "phone": customer.phone},
            "data_request": {"id": 9000 + customer.id}}


def customers_redact_payload(store: Store, shop_id: int, customer: Customer) -> dict[str, Any]:
    orders = [o.id for o in store.orders.values() if o.customer_id == customer.id]
    return {**shop_payload(store, shop_id), "customer": {"id": customer.id, "email": customer.email,
                                                         "phone": customer.phone}, "orders_to_redact": orders}
