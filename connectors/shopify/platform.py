"""Shopify as a Portside store platform: reads, idempotent writes, signed webhooks, a scope check."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from connectors.platforms.base import (
    Capability,
    Fetched,
    InvalidWebhook,
    Page,
    PlatformWebhook,
)
from connectors.platforms.common import signed_delivery
from connectors.shopify import queries as q
from connectors.shopify.client import ShopifyClient
from connectors.shopify.mapping import Mapping as TagMapping
from connectors.shopify.mapping import customer_alone, order_id, order_of
from connectors.shopify.writes import ShopifyWrites
from connectors.writes import PlatformRejected, PlatformWrite, WriteResult

ORDER_TOPICS = {"orders/create", "orders/updated", "orders/cancelled", "orders/fulfilled", "orders/paid",
                "orders/edited", "fulfillments/create", "fulfillments/update", "returns/request",
                "returns/approve", "returns/decline", "returns/close", "returns/reopen", "returns/cancel",
                "refunds/create"}
PRIVACY_TOPICS = {"customers/data_request": "data_request", "customers/redact": "redact",
                  "shop/redact": "shop_redact"}
# What each Portside capability needs, by access scope (a write scope includes its read scope).
CAPABILITIES: list[tuple[str, tuple[str, ...]]] = [
    ("read orders", ("read_orders",)),
    ("read customers", ("read_customers",)),
    ("read products (final sale, category)", ("read_products",)),
    ("read fulfillments and tracking", ("read_fulfillments",)),
    ("cancel orders, change addresses, refund, tag", ("write_orders",)),
    ("read returns", ("read_returns",)),
    ("request, create, approve and decline returns", ("write_returns",)),
]
PAGE_SIZE = 5  # orders per backfill page: 5 × ~160 points stays under the 1,000-point single-query limit


class ShopifyPlatform:
    name = "shopify"
    # "#1001", "# 1001", "1001", and names with a shop's own prefix or suffix ("#EU1001", "#1001-A").
    order_pattern = r"#\s?[A-Z]{0,4}\d{3,10}(?:-[A-Z0-9]{1,4})?|\d{4,10}"

    def __init__(self, client: ShopifyClient, webhook_secret: str, mapping: TagMapping | None = None) -> None:
        self.client = client
        self.webhook_secret = webhook_secret
        self.mapping = mapping or TagMapping()
        self.writes = ShopifyWrites(client)

    def close(self) -> None:
        self.client.close()

    # -- reads ---------------------------------------------------------------------------------
    def _orders(self, query: str, first: int = PAGE_SIZE, after: str | None = None,
                sort: str = "PROCESSED_AT") -> tuple[Fetched, dict[str, Any]]:
        data = self.client.execute(q.ORDERS, {"first": first, "after": after, "query": query, "sortKey": sort},
                                   cost=first * q.ORDER_COST)
        fetched = Fetched()
        for node in data["orders"]["nodes"]:
            fetched = fetched + order_of(node, self.mapping)
        return fetched, data["orders"]["pageInfo"]

    def fetch_order(self, ref: str) -> Fetched | None:
        name = order_id(ref)
        if not name or any(c in name for c in "\"'\\:"):
            return None
        fetched, _ = self._orders(f'name:"{name}"', first=2)
        if name in fetched.remote_ids:
            return Fetched(fetched.data.model_copy(update={"orders": [o for o in fetched.data.orders
                                                                      if o.id == name]}),
                           {name: fetched.remote_ids[name]})
        return None

    def fetch_remote(self, remote_id: str) -> Fetched | None:
        node = self.client.execute(q.ORDER_BY_ID, {"id": remote_id}, cost=q.ORDER_COST)["order"]
        return order_of(node, self.mapping) if node else None

    def fetch_customer(self, customer_id: str) -> Fetched:
        """A customer (by Portside id: Shopify's numeric id) and their recent orders."""
        if not customer_id.isdigit():
            return Fetched()  # guest ids are ours: there is no such customer on Shopify
        fetched, _ = self._orders(f"customer_id:{customer_id}", first=PAGE_SIZE)
        if not fetched.data.customers:
            node = self.client.execute(q.CUSTOMER, {"id": f"gid://shopify/Customer/{customer_id}"}, cost=5)["customer"]
            customer = customer_alone(node) if node else None
            if customer is not None:
                fetched.data = fetched.data.model_copy(update={"customers": [customer]})
        return fetched

    def fetch_orders_for_email(self, email: str) -> Fetched:
        if any(c in email for c in "\"'\\ "):
            return Fetched()
        fetched, _ = self._orders(f'email:"{email}"', first=PAGE_SIZE)
        return fetched

    def pages(self, since: datetime | None, cursor: str | None) -> Iterator[Page]:
        """Every order updated since `since`, oldest change first, from `cursor` on."""
        query = f"updated_at:>='{since.isoformat()}'" if since else ""
        while True:
            fetched, info = self._orders(query, after=cursor, sort="UPDATED_AT")
            cursor = info["endCursor"] if info["hasNextPage"] else None
            yield Page(fetched, cursor)
            if cursor is None:
                return

    # -- writes --------------------------------------------------------------------------------
    def apply(self, write: PlatformWrite, remote_id: str) -> WriteResult:
        return self.writes.apply(write, remote_id)

    # -- webhooks ------------------------------------------------------------------------------
    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> PlatformWebhook:
        h = {k.lower(): v for k, v in headers.items()}
        topic, webhook_id, payload = signed_delivery(
            body, h, secret=self.webhook_secret, setting="PORTSIDE_SHOPIFY_WEBHOOK_SECRET",
            signature="X-Shopify-Hmac-Sha256", topic="X-Shopify-Topic", delivery_id="X-Shopify-Webhook-Id")
        if topic in PRIVACY_TOPICS:
            customer = payload.get("customer") or {}
            orders = payload.get("orders_requested") or payload.get("orders_to_redact") or []
            return PlatformWebhook(webhook_id, topic, "privacy", privacy={
                "kind": PRIVACY_TOPICS[topic], "customer_ref": str(customer["id"]) if customer.get("id") else None,
                "email": customer.get("email"), "order_ids": [str(o) for o in orders], "payload": payload})
        if topic in ORDER_TOPICS:
            return PlatformWebhook(webhook_id, topic, "order", remote_order_id=_order_gid(topic, payload))
        return PlatformWebhook(webhook_id, topic, "ignored")

    # -- connect --check -----------------------------------------------------------------------
    def check(self) -> list[Capability]:
        try:
            data = self.client.execute(q.SCOPES, cost=5, budget=10)
        except PlatformRejected as exc:
            return [Capability("reach the shop", False, str(exc))]
        scopes = {s["handle"] for s in data["currentAppInstallation"]["accessScopes"]}
        shop = data["shop"]
        where = f"{shop['name']} ({shop['myshopifyDomain']}, {shop['currencyCode']})"
        out = [Capability("reach the shop", True, where)]
        for name, needed in CAPABILITIES:
            ok = all(s in scopes or s.replace("read_", "write_", 1) in scopes for s in needed)
            out.append(Capability(name, ok, "" if ok else f"add the {', '.join(needed)} scope to the app and "
                                                          "reinstall it"))
        if not self.webhook_secret:
            out.append(Capability("verify webhooks", False, "set PORTSIDE_SHOPIFY_WEBHOOK_SECRET to the app's "
                                                            "client secret"))
        return out


def _order_gid(topic: str, payload: dict[str, Any]) -> str:
    if topic.startswith("orders/"):
        ref = payload.get("admin_graphql_api_id") or (f"gid://shopify/Order/{payload['id']}" if payload.get("id")
                                                       else None)
    elif topic.startswith("returns/"):
        order = payload.get("order") or {}
        ref = order.get("admin_graphql_api_id") or (f"gid://shopify/Order/{order['id']}" if order.get("id") else None)
    else:  # fulfillments/*, refunds/*
        ref = f"gid://shopify/Order/{payload['order_id']}" if payload.get("order_id") else None
    if not ref:
        raise InvalidWebhook(f"{topic} delivery names no order")
    return str(ref)
