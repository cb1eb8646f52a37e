"""The WooCommerce connector against the fake WordPress/WooCommerce REST API: OAuth 1.0a over plain HTTP, mapping,
pagination, retries, idempotent writes mirrored into order notes, webhook signatures and the permission check."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from connectors.models import Address
from connectors.platforms.base import BadSignature, InvalidWebhook
from connectors.woocommerce.client import WooClient
from connectors.woocommerce.platform import WooCommercePlatform
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
from tests.fakes.woocommerce import FakeWooCommerce
from tests.fakes.woocommerce.store import Order

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
SECRET = "woo-webhook-secret"
BILLING = {"first_name": "Ana", "last_name": "Lima", "email": "ana@example.com", "country": "BR"}
SHIPPING = {"first_name": "Ana", "last_name": "Lima", "address_1": "Rua Augusta 100", "city": "São Paulo",
            "postcode": "01304-000", "country": "BR"}


@pytest.fixture
def woo() -> Iterator[FakeWooCommerce]:
    with FakeWooCommerce(clock=lambda: NOW) as fake:
        yield fake


def platform(woo: FakeWooCommerce, *, key: str | None = None, secret: str | None = None,
             budget: float = 5.0) -> WooCommercePlatform:
    return WooCommercePlatform(WooClient(woo.url, key or woo.consumer_key, secret or woo.consumer_secret,
                                         budget=budget), SECRET)


def seed(woo: FakeWooCommerce, status: str = "processing", *, payment: str = "stripe", quantity: int = 1,
         final_sale: bool = False, tracking: bool = False) -> Order:
    customer = next(iter(woo.customers.values()), None) or woo.add_customer("ana@example.com", "Ana", "Lima")
    tags = [woo.add_tag("Final sale", slug="final-sale").id] if final_sale else []
    product = woo.add_product("Camera drone", sku=f"DR-{len(woo.products) + 1}", price="450.00", tags=tags)
    order = woo.add_order(status=status, customer_id=customer.id, billing=BILLING, shipping=SHIPPING,
                          line_items=[{"product_id": product.id, "quantity": quantity}], payment_method=payment,
                          date_created_gmt=NOW - timedelta(days=9),
                          date_completed_gmt=NOW - timedelta(days=4) if status == "completed" else None)
    if tracking:
        woo.add_tracking(order.id, "1Z999AA10123456784", "UPS", date_shipped="2026-11-20")
    return order


def test_reads_over_plain_http_with_oauth_signatures(woo: FakeWooCommerce) -> None:
    order = seed(woo, "completed", final_sale=True, tracking=True)
    fetched = platform(woo).fetch_order(f"#{order.number}")
    assert fetched is not None and fetched.remote_ids == {order.number: str(order.id)}
    mapped = fetched.data.orders[0]
    assert mapped.status == "delivered" and mapped.delivered_at if hasattr(mapped, "delivered_at") else True
    assert mapped.shipments[0].tracking_number == "1Z999AA10123456784"
    assert mapped.shipments[0].delivered_at == NOW - timedelta(days=4)  # completion starts the return window
    assert fetched.data.products[0].final_sale is True
    assert all("oauth_signature=" in c.path or "oauth_signature" in str(c.query) for c in woo.calls)


def test_wrong_secret_is_refused(woo: FakeWooCommerce) -> None:
    seed(woo)
    with pytest.raises(PlatformRejected, match="401"):
        platform(woo, secret="cs_wrong").fetch_order("100")


@pytest.mark.parametrize(("status", "payment", "expected", "method"), [
    ("pending", "cod", "processing", "cod"),
    ("pending", "stripe", "pending_payment", "card"),
    ("on-hold", "bacs", "pending_payment", "bank_transfer"),
    ("cancelled", "stripe", "cancelled", "card"),
    ("refunded", "ppcp-gateway", "refunded", "paypal"),
])
def test_status_and_payment_method(woo: FakeWooCommerce, status: str, payment: str, expected: str,
                                   method: str) -> None:
    order = seed(woo, status, payment=payment)
    mapped = platform(woo).fetch_order(order.number).data.orders[0]  # type: ignore[union-attr]
    assert (mapped.status, mapped.payment_method) == (expected, method)


def test_pages_by_total_pages_and_resume(woo: FakeWooCommerce) -> None:
    for _ in range(120):
        seed(woo)
    p = platform(woo)
    pages = list(p.pages(None, None))
    assert [len(pg.fetched.data.orders) for pg in pages] == [50, 50, 20]
    assert [pg.cursor for pg in pages] == ["2", "3", None]
    assert sum(len(pg.fetched.data.orders) for pg in p.pages(None, "3")) == 20


def test_rate_limit_and_5xx_are_retried(woo: FakeWooCommerce) -> None:
    order = seed(woo)
    woo.rate_limit(retry_after=1)
    p = platform(woo, budget=0.5)
    with pytest.raises(PlatformUnavailable):
        p.fetch_order(order.number)
    woo.clear_rate_limit()
    woo.fail_next(2, status=502)
    assert platform(woo).fetch_order(order.number) is not None


def test_cancel_refunds_and_notes_once(woo: FakeWooCommerce) -> None:
    order = seed(woo)
    p = platform(woo)
    write = CancelOrder(action_id="CXL-1", order_id=order.number)
    assert not p.apply(write, str(order.id)).already_done
    assert p.apply(write, str(order.id)).already_done
    assert woo.orders[order.id].status == "cancelled"
    assert len(woo.writes_to("/refunds", "POST")) == 1 and len(woo.writes_to("/notes", "POST")) == 1
    assert "[Portside CXL-1]" in woo.orders[order.id].notes[-1].note


def test_a_lost_response_is_not_a_second_write(woo: FakeWooCommerce) -> None:
    order = seed(woo, "completed")
    p = platform(woo)
    write = RefundWithoutReturn(action_id="RMA-9", order_id=order.number, lines=[Line(sku="DR-1", quantity=1)],
                                amount=450.0, currency="USD")
    client = WooClient(woo.url, woo.consumer_key, woo.consumer_secret, attempts=1)
    send = client.request

    def lossy(method: str, route: str, **kw: object) -> object:
        if method == "POST":  # the refund is made, its answer is lost (a proxy timed out)
            woo.fail_next(1, status=504, after_commit=True)
        return send(method, route, **kw)  # type: ignore[arg-type]

    client.request = lossy  # type: ignore[method-assign,assignment]
    with pytest.raises(PlatformUnavailable):
        WooCommercePlatform(client, SECRET).apply(write, str(order.id))
    assert len(woo.orders[order.id].refunds) == 1
    assert p.apply(write, str(order.id)).already_done  # the retry finds it by its reason
    assert len(woo.orders[order.id].refunds) == 1


def test_shipped_order_cannot_be_cancelled_or_moved(woo: FakeWooCommerce) -> None:
    order = seed(woo, "completed")
    p = platform(woo)
    with pytest.raises(PlatformRejected, match="completed"):
        p.apply(CancelOrder(action_id="CXL-2", order_id=order.number), str(order.id))
    new = Address(name="Ana Lima", line1="Rua Nova 5", city="Campinas", postal_code="13010-000", country="BR")
    with pytest.raises(PlatformRejected):
        p.apply(ChangeAddress(action_id="ADR-2", order_id=order.number, address=new), str(order.id))
    open_order = seed(woo)
    p.apply(ChangeAddress(action_id="ADR-3", order_id=open_order.number, address=new), str(open_order.id))
    assert woo.orders[open_order.id].shipping["address_1"] == "Rua Nova 5"


def test_returns_are_portside_rmas_mirrored_into_notes(woo: FakeWooCommerce) -> None:
    order = seed(woo, "completed", payment="cod")
    p = platform(woo)
    request = RequestReturn(action_id="RMA-1", order_id=order.number, lines=[Line(sku="DR-1", quantity=1)],
                            reason="damaged", approved=False)
    p.apply(request, str(order.id))
    assert p.apply(request, str(order.id)).already_done
    decide = DecideReturn(action_id="RMA-1", order_id=order.number, approve=True)
    p.apply(decide, str(order.id))
    p.apply(decide, str(order.id))
    notes = [n.note for n in woo.orders[order.id].notes]
    assert sum("[Portside RMA-1] return requested" in n for n in notes) == 1
    assert sum("[Portside RMA-1] return approved by staff" in n for n in notes) == 1
    refund = RefundWithoutReturn(action_id="RMA-2", order_id=order.number, lines=[Line(sku="DR-1", quantity=1)],
                                 amount=450.0, currency="USD")
    p.apply(refund, str(order.id))  # cash on delivery: recorded for staff to pay out by hand
    assert "pay out manually" in woo.orders[order.id].refunds[0].reason


def signed(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def test_webhooks_signature_ping_and_topics(woo: FakeWooCommerce) -> None:
    p = platform(woo)
    body = b'{"id": 123, "number": "123", "status": "processing"}'
    headers = {"X-WC-Webhook-Signature": signed(body), "X-WC-Webhook-Topic": "order.updated",
               "X-WC-Webhook-Delivery-ID": "d1"}
    hook = p.parse_webhook(body, headers)
    assert (hook.kind, hook.remote_order_id, hook.webhook_id) == ("order", "123", "d1")
    with pytest.raises(BadSignature):
        p.parse_webhook(body, {**headers, "X-WC-Webhook-Signature": signed(body, "other")})
    with pytest.raises(InvalidWebhook):
        p.parse_webhook(b"[1]", {**headers, "X-WC-Webhook-Signature": signed(b"[1]")})
    assert p.parse_webhook(b"webhook_id=7", {}).kind == "ping"  # the unsigned test ping when one is saved
    customer = b'{"id": 5}'
    assert p.parse_webhook(customer, {**headers, "X-WC-Webhook-Signature": signed(customer),
                                      "X-WC-Webhook-Topic": "customer.updated"}).kind == "ignored"


def test_check_names_a_read_only_key(woo: FakeWooCommerce) -> None:
    woo.add_api_key("ck_read", "cs_read", "read")
    caps = {c.name: c for c in platform(woo, key="ck_read", secret="cs_read").check()}
    assert caps["read orders"].ok and caps["tracking numbers (Shipment Tracking extension)"].ok
    write = caps["cancel orders, change addresses, refund, add notes"]
    assert not write.ok and "Read/Write" in write.detail
    assert all(c.ok for c in platform(woo).check())
