"""The Shopify connector against the fake Admin GraphQL API: mapping, throttling and retries, idempotent writes,
webhook signatures and the scope check."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from connectors.platforms.base import BadSignature, InvalidWebhook
from connectors.shopify.client import GraphQLErrors, ShopifyClient
from connectors.shopify.platform import ShopifyPlatform
from connectors.writes import (
    CancelOrder,
    ChangeAddress,
    DecideReturn,
    Line,
    PlatformRejected,
    PlatformUnavailable,
    RefundWithoutReturn,
    RequestReturn,
)
from tests.fakes.shopify import DEFAULT_TOKEN, FakeShopify
from tests.fakes.shopify.store import Order

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
SECRET = "client-secret"
ADDRESS = {"first_name": "Ana", "last_name": "Lima", "address1": "Rua Augusta 100", "city": "São Paulo",
           "zip": "01304-000", "country_code": "BR"}


@pytest.fixture
def shop() -> Iterator[FakeShopify]:
    with FakeShopify(now=lambda: NOW) as fake:
        yield fake


def platform(shop: FakeShopify, token: str = DEFAULT_TOKEN, budget: float = 5.0) -> ShopifyPlatform:
    return ShopifyPlatform(ShopifyClient(shop.shop_domain, token, api_url=shop.graphql_url, budget=budget), SECRET)


def seed(shop: FakeShopify, *, delivered: bool = False, gateway: str = "shopify_payments",
         financial: str = "PAID", tags: tuple[str, ...] = (), customer: bool = True, quantity: int = 1) -> Order:
    ana = shop.add_customer(email="ana@example.com", first_name="Ana", last_name="Lima") if customer else None
    product = shop.add_product(title="Camera drone", product_type="Electronics", price="450.00", sku="DR-1",
                               tags=list(tags))
    order = shop.add_order(customer=ana, email=None if customer else "guest@example.com",
                           line_items=[{"variant": product.variants[0], "quantity": quantity}],
                           shipping_address=ADDRESS, payment_gateway_names=[gateway], financial_status=financial,
                           created_at=NOW - timedelta(days=9))
    if delivered:
        shop.add_fulfillment(order, tracking=[("UPS", "1Z999AA10123456784", "https://ups.example")],
                             created_at=NOW - timedelta(days=8), delivered_at=NOW - timedelta(days=5))
    return order


# ---- reads and mapping -----------------------------------------------------------------------------------
def test_order_maps_to_the_store_model(shop: FakeShopify) -> None:
    seed(shop, delivered=True, tags=("final-sale", "category:drones"))
    fetched = platform(shop).fetch_order("#1001")
    assert fetched is not None and fetched.remote_ids == {"1001": "gid://shopify/Order/5001"} or fetched
    order = fetched.data.orders[0]
    assert order.id == "1001" and order.status == "delivered" and order.payment_method == "card"
    assert order.shipping_address.country == "BR" and order.shipping_address.postal_code == "01304-000"
    assert order.shipments[0].tracking_number == "1Z999AA10123456784"
    assert order.shipments[0].delivered_at == NOW - timedelta(days=5)
    product = fetched.data.products[0]
    assert product.final_sale is True and product.category == "drones" and product.sku == "DR-1"
    assert fetched.data.customers[0].email == "ana@example.com"


@pytest.mark.parametrize(("gateway", "financial", "status", "method"), [
    ("Cash on Delivery (COD)", "PENDING", "processing", "cod"),  # cash is paid at the door: not awaiting payment
    ("OXXO", "PENDING", "processing", "oxxo"),
    ("mercado_pago_boleto", "PENDING", "processing", "boleto"),
    ("shopify_payments", "PENDING", "pending_payment", "card"),
    ("paypal", "REFUNDED", "refunded", "paypal"),
])
def test_status_and_payment_method(shop: FakeShopify, gateway: str, financial: str, status: str,
                                   method: str) -> None:
    seed(shop, gateway=gateway, financial=financial)
    order = platform(shop).fetch_order("1001").data.orders[0]  # type: ignore[union-attr]
    assert (order.status, order.payment_method) == (status, method)


def test_guest_checkout_is_one_customer_per_email(shop: FakeShopify) -> None:
    seed(shop, customer=False)
    fetched = platform(shop).fetch_order("1001")
    assert fetched is not None
    assert fetched.data.customers[0].id.startswith("guest-")
    assert fetched.data.orders[0].customer_id == fetched.data.customers[0].id


def test_unknown_or_odd_order_refs_are_not_found(shop: FakeShopify) -> None:
    seed(shop)
    p = platform(shop)
    assert p.fetch_order("9999") is None
    assert p.fetch_order('1001" OR name:*') is None  # no search-syntax injection


def test_pages_follow_cursors_and_resume(shop: FakeShopify) -> None:
    for _ in range(12):
        seed(shop)
    p = platform(shop)
    pages = list(p.pages(None, None))
    assert sum(len(pg.fetched.data.orders) for pg in pages) == 12 and len(pages) == 3
    rest = list(p.pages(None, pages[0].cursor))
    assert [len(pg.fetched.data.orders) for pg in rest] == [5, 2]
    since = list(p.pages(NOW + timedelta(days=1), None))
    assert sum(len(pg.fetched.data.orders) for pg in since) == 0


# ---- client: auth, throttle, retries ----------------------------------------------------------------------
def test_a_wrong_token_is_a_clear_refusal(shop: FakeShopify) -> None:
    with pytest.raises(PlatformRejected, match="access token"):
        platform(shop, token="shpat_wrong").fetch_order("1001")


def test_5xx_is_retried_then_answered(shop: FakeShopify) -> None:
    seed(shop)
    p = platform(shop)
    shop.fail_next(2, status=503)
    assert p.fetch_order("1001") is not None
    assert p.client.calls >= 1


def test_an_outage_past_the_budget_is_unavailable(shop: FakeShopify) -> None:
    seed(shop)
    shop.fail_next(100, status=502)
    with pytest.raises(PlatformUnavailable):
        platform(shop, budget=1.0).fetch_order("1001")


def test_throttled_waits_for_the_bucket_to_refill(shop: FakeShopify) -> None:
    seed(shop)
    p = platform(shop, budget=30)
    shop.throttle()
    assert p.fetch_order("1001") is not None
    assert p.client.throttled == 1


def test_429_with_retry_after_is_honoured(shop: FakeShopify) -> None:
    seed(shop)
    shop.fail_next(1, status=429)
    assert platform(shop).fetch_order("1001") is not None


def test_a_query_shopify_rejects_is_an_error_not_a_retry(shop: FakeShopify) -> None:
    with pytest.raises(GraphQLErrors, match="doesn't exist"):
        platform(shop).client.execute("{ shop { nmae } }")


# ---- writes: idempotent, userErrors are refusals ---------------------------------------------------------
def gid(order: Order) -> str:
    return f"gid://shopify/Order/{order.id}"


def test_cancel_is_written_once(shop: FakeShopify) -> None:
    order = seed(shop)
    p = platform(shop)
    write = CancelOrder(action_id="CXL-1001", order_id="1001")
    first, second = p.apply(write, gid(order)), p.apply(write, gid(order))
    assert first.already_done is False and second.already_done is True
    assert len(shop.called("orderCancel")) == 1
    assert "portside:CXL-1001" in shop.store.orders[order.id].tags
    assert shop.called("orderCancel")[0]["refundMethod"] == {"originalPaymentMethodsRefund": True}


def test_cancelling_a_fulfilled_order_is_refused_with_shopifys_reason(shop: FakeShopify) -> None:
    order = seed(shop, delivered=True)
    with pytest.raises(PlatformRejected, match="fulfillments"):
        platform(shop).apply(CancelOrder(action_id="CXL-1001", order_id="1001"), gid(order))


def test_address_change_only_before_fulfilment(shop: FakeShopify) -> None:
    from connectors.models import Address

    order = seed(shop)
    new = Address(name="Ana Lima", line1="Rua Nova 5", city="Campinas", postal_code="13010-000", country="BR")
    platform(shop).apply(ChangeAddress(action_id="ADR-1", order_id="1001", address=new), gid(order))
    assert shop.store.orders[order.id].shipping_address.address1 == "Rua Nova 5"  # type: ignore[union-attr]
    shipped = seed(shop, delivered=True)
    with pytest.raises(PlatformRejected, match="fulfilled"):
        platform(shop).apply(ChangeAddress(action_id="ADR-2", order_id="1002", address=new), gid(shipped))


def test_return_request_decide_and_refund_are_each_written_once(shop: FakeShopify) -> None:
    order = seed(shop, delivered=True, quantity=2)
    p = platform(shop)
    request = RequestReturn(action_id="RMA-1001-AAA", order_id="1001", lines=[Line(sku="DR-1", quantity=1)],
                            reason="damaged", approved=False)
    created = p.apply(request, gid(order))
    assert p.apply(request, gid(order)).already_done and created.remote_id
    assert len(shop.called("returnRequest")) == 1
    approve = DecideReturn(action_id="RMA-1001-AAA", order_id="1001", approve=True)
    p.apply(approve, gid(order))
    assert p.apply(approve, gid(order)).already_done
    assert len(shop.called("returnApproveRequest")) == 1
    auto = RequestReturn(action_id="RMA-1001-BBB", order_id="1001", lines=[Line(sku="DR-1", quantity=1)],
                         reason="changed_mind", approved=True)
    p.apply(auto, gid(order))
    p.apply(auto, gid(order))
    assert len(shop.called("returnCreate")) == 1
    refund = RefundWithoutReturn(action_id="RMA-1001-CCC", order_id="1001", lines=[Line(sku="DR-1", quantity=1)],
                                 amount=10.0, currency="USD")
    p.apply(refund, gid(order))
    assert p.apply(refund, gid(order)).already_done
    assert len(shop.called("refundCreate")) == 1


def test_declining_a_return_nobody_requested_is_refused(shop: FakeShopify) -> None:
    order = seed(shop, delivered=True)
    with pytest.raises(PlatformRejected):
        platform(shop).apply(DecideReturn(action_id="RMA-X", order_id="1001", approve=False), gid(order))


def test_returning_more_than_shipped_is_a_refusal(shop: FakeShopify) -> None:
    order = seed(shop, delivered=True)
    write = RequestReturn(action_id="RMA-Y", order_id="1001", lines=[Line(sku="DR-1", quantity=3)],
                          reason="damaged", approved=False)
    with pytest.raises(PlatformRejected):
        platform(shop).apply(write, gid(order))


# ---- webhooks and the scope check ------------------------------------------------------------------------
def signed(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def test_webhook_signature_topics_and_privacy(shop: FakeShopify) -> None:
    p = platform(shop)
    body = json.dumps({"id": 5001, "admin_graphql_api_id": "gid://shopify/Order/5001"}).encode()
    headers = {"X-Shopify-Hmac-Sha256": signed(body), "X-Shopify-Topic": "orders/updated",
               "X-Shopify-Webhook-Id": "w1"}
    hook = p.parse_webhook(body, headers)
    assert (hook.kind, hook.remote_order_id, hook.webhook_id) == ("order", "gid://shopify/Order/5001", "w1")
    with pytest.raises(BadSignature):
        p.parse_webhook(body, {**headers, "X-Shopify-Hmac-Sha256": signed(body, "other")})
    with pytest.raises(BadSignature):
        p.parse_webhook(body + b" ", headers)
    with pytest.raises(InvalidWebhook):
        p.parse_webhook(body, {"X-Shopify-Hmac-Sha256": signed(body)})
    fulfilment = json.dumps({"id": 1, "order_id": 5001}).encode()
    hook = p.parse_webhook(fulfilment, {**headers, "X-Shopify-Hmac-Sha256": signed(fulfilment),
                                        "X-Shopify-Topic": "fulfillments/update"})
    assert hook.remote_order_id == "gid://shopify/Order/5001"
    redact = json.dumps({"shop_id": 1, "customer": {"id": 7001, "email": "ana@example.com"},
                         "orders_to_redact": [5001]}).encode()
    hook = p.parse_webhook(redact, {**headers, "X-Shopify-Hmac-Sha256": signed(redact),
                                    "X-Shopify-Topic": "customers/redact"})
    assert hook.kind == "privacy" and hook.privacy is not None
    assert (hook.privacy["kind"], hook.privacy["customer_ref"], hook.privacy["order_ids"]) == ("redact", "7001",
                                                                                              ["5001"])


def test_check_lists_what_the_tokens_scopes_allow() -> None:
    with FakeShopify(tokens={"shpat_read": {"read_orders", "read_customers"}}) as shop:
        caps = {c.name: c for c in platform(shop, token="shpat_read").check()}
    assert caps["reach the shop"].ok and caps["read orders"].ok
    assert not caps["request, create, approve and decline returns"].ok
    assert "write_returns" in caps["request, create, approve and decline returns"].detail
    assert not caps["cancel orders, change addresses, refund, tag"].ok
