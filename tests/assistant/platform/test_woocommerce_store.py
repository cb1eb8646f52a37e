"""Portside on a WooCommerce store, end to end through /v1/chat, the staff API, webhooks and `portside sync`
against the fake WooCommerce REST API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from assistant.platform.sync import backfill
from assistant.runtime import Services
from assistant.storage import schema as t
from tests.assistant.helpers import Shopper
from tests.assistant.platform.conftest import WOO_SECRET
from tests.conftest import NOW, STAFF_TOKEN
from tests.fakes.woocommerce import FakeWooCommerce
from tests.fakes.woocommerce.store import Order

BILLING = {"first_name": "Ana", "last_name": "Lima", "email": "ana@example.com", "country": "BR"}
SHIPPING = {"first_name": "Ana", "last_name": "Lima", "address_1": "Rua Augusta 100", "city": "São Paulo",
            "postcode": "01304-000", "country": "BR"}


def order(woo: FakeWooCommerce, status: str = "processing", price: str = "450.00", payment: str = "stripe") -> Order:
    customer = next(iter(woo.customers.values()), None) or woo.add_customer("ana@example.com", "Ana", "Lima")
    product = woo.add_product("Camera drone", sku=f"DR-{len(woo.products) + 1}", price=price)
    placed = woo.add_order(status=status, customer_id=customer.id, billing=BILLING, shipping=SHIPPING,
                           line_items=[{"product_id": product.id, "quantity": 1}], payment_method=payment,
                           date_created_gmt=NOW - timedelta(days=9),
                           date_completed_gmt=NOW - timedelta(days=4) if status == "completed" else None)
    if status == "completed":  # shipped with the Shipment Tracking extension, which gives the parcel
        woo.add_tracking(placed.id, f"1Z999AA1{placed.id:010d}", "UPS", date_shipped="2026-11-18")
    return placed


def action(reply: dict[str, Any], kind: str) -> dict[str, Any]:
    found = [a for a in reply["actions"] if a["type"] == kind]
    assert found, reply
    return found[0]


async def test_guest_cancels_a_woocommerce_order_once(woocommerce: Services, woo: FakeWooCommerce,
                                                      woo_client: httpx.AsyncClient) -> None:
    placed = order(woo)
    shopper = Shopper(woo_client)
    await shopper.say(f"Please cancel my order #{placed.number}")
    summary = await shopper.say("ana@example.com")
    assert summary["verified"] is True and placed.number in summary["reply"]
    done = await shopper.say("yes")
    assert action(done, "cancel_order")["done"] is True
    assert woo.orders[placed.id].status == "cancelled"
    await shopper.say("yes")
    assert len(woo.writes_to(f"/orders/{placed.id}", "PUT")) == 1
    assert len(woo.writes_to("/refunds", "POST")) == 1
    assert woocommerce.store.get_order(placed.number).status == "cancelled"  # type: ignore[union-attr]


async def test_return_awaits_staff_and_is_mirrored_into_notes(woocommerce: Services, woo: FakeWooCommerce,
                                                              woo_client: httpx.AsyncClient) -> None:
    placed = order(woo, "completed")
    shopper = Shopper(woo_client)
    first = await shopper.say(f"The drone from order {placed.number} arrived broken, I want to return it")
    summary = await shopper.say("ana@example.com")
    body = await shopper.say("yes")
    assert body["actions"], (first["reply"], summary["reply"], body["reply"])
    draft = action(body, "return_draft")
    assert draft["status"] == "awaiting_approval" and draft["platform"]["status"] == "done"
    approve = await woo_client.post(f"/v1/returns/{draft['rma_id']}/approve", json={"staff": "ana"},
                                    headers={"Authorization": f"Bearer {STAFF_TOKEN}"})
    assert approve.status_code == 200 and approve.json()["platform"]["status"] == "done"
    notes = [n.note for n in woo.orders[placed.id].notes]
    assert sum(f"[Portside {draft['rma_id']}] return requested" in n for n in notes) == 1
    assert sum(f"[Portside {draft['rma_id']}] return approved by staff" in n for n in notes) == 1


@pytest.mark.both_databases
async def test_webhooks_and_sync(woocommerce: Services, woo: FakeWooCommerce, woo_served: str) -> None:
    placed = [order(woo) for _ in range(60)]
    result = backfill(woocommerce)
    assert result.orders == 60 and result.pages == 2 and woocommerce.store.counts()["orders"] == 60
    url = f"{woo_served}/webhooks/woocommerce"
    assert woo.send_ping(url).status_code == 200
    woo.set_status(woo.orders[placed[0].id], "completed")  # shipped and done in the WooCommerce admin
    body = woo.order_json(placed[0].id)
    forged = woo.send_webhook(url, "order.updated", body, "wrong-secret")
    assert forged.status_code == 401
    first = woo.send_webhook(url, "order.updated", body, WOO_SECRET, delivery_id="dl-1")
    assert first.status_code == 200 and first.json()["duplicate"] is False
    again = woo.send_webhook(url, "order.updated", body, WOO_SECRET, delivery_id="dl-1")
    assert again.json()["duplicate"] is True
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        mirrored = woocommerce.store.get_order(placed[0].number)
        if mirrored is not None and mirrored.status == "delivered":
            break
        time.sleep(0.05)
    assert mirrored is not None and mirrored.status == "delivered"
    with woocommerce.engine.connect() as conn:
        rows = conn.execute(select(t.inbound_webhooks.c.dedupe_key).where(
            t.inbound_webhooks.c.source == "woocommerce")).all()
    assert [r.dedupe_key for r in rows] == ["woocommerce:dl-1"]
