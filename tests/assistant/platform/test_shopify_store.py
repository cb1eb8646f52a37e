"""Portside on a Shopify store, end to end through /v1/chat and Slack against the fake Admin GraphQL API: every
confirmed action reaches the shop exactly once, through retries, outages, second "yes"es and refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from assistant import i18n
from assistant.identity import issue_token
from assistant.runtime import Services
from assistant.storage import schema as t
from tests.assistant.helpers import Shopper
from tests.assistant.platform.conftest import DELIVERED, WEBHOOK_SECRET, Seeded
from tests.conftest import NOW
from tests.fakes.shopify import FakeShopify
from tests.fakes.slack import FakeSlack
from tests.slack.test_slack_app import click

# The flows run on SQLite; what depends on the database (the outbox under an outage, concurrent webhook and
# live-read mirroring, stored deliveries) runs on PostgreSQL too.


def action(reply: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(a for a in reply["actions"] if a["type"] == kind)


async def guest(client: httpx.AsyncClient, message: str) -> tuple[Shopper, dict[str, Any]]:
    """A guest who verifies with the order's email in the second message."""
    shopper = Shopper(client)
    await shopper.say(message)
    return shopper, await shopper.say("ana@example.com")


async def test_cancel_reads_the_order_live_and_cancels_it_once_on_shopify(
        shopify: Services, seeded: Seeded, shop: FakeShopify, client: httpx.AsyncClient) -> None:
    assert shopify.store.counts()["orders"] == 0  # nothing synced: the order is read live on the first mention
    shopper, summary = await guest(client, "Please cancel my order #1001")
    assert "1001" in summary["reply"] and summary["verified"] is True
    done = await shopper.say("yes")
    cancel = action(done, "cancel_order")
    assert cancel["done"] is True and cancel["platform"]["status"] == "done"
    assert len(shop.called("orderCancel")) == 1
    assert shop.store.orders[seeded.unfulfilled.id].cancelled_at is not None
    assert shopify.store.get_order("1001").status == "cancelled"  # type: ignore[union-attr]  # from Shopify's answer
    assert any("portside:CXL-1001" in c["tags"] for c in shop.called("tagsAdd"))
    # The shopper says it again: the order is cancelled already, nothing more reaches Shopify.
    again = await shopper.say("cancel order #1001")
    await shopper.say("yes")
    assert len(shop.called("orderCancel")) == 1
    assert action(again, "cancel_order")["done"] is False


async def test_order_numbers_in_the_shapes_shoppers_type(shopify: Services, seeded: Seeded,
                                                         client: httpx.AsyncClient) -> None:
    for typed in ("where is my order # 1002?", "where is my order 1002", "where is order #1002"):
        shopper, answer = await guest(client, typed)
        assert answer["verified"] is True, typed
        assert "1002" in answer["reply"], typed


async def test_address_change_goes_to_shopify(shopify: Services, seeded: Seeded, shop: FakeShopify,
                                              client: httpx.AsyncClient) -> None:
    token = issue_token(str(seeded.address.customer_id), shopify.settings.widget_secret)
    shopper = Shopper(client, token)
    ask = await shopper.say("I need to change the delivery address of order #1003")
    assert "street" in ask["reply"]
    await shopper.say("Rua Nova 5, Campinas, 13010-000")
    done = await shopper.say("yes")
    assert action(done, "change_address")["done"] is True
    updates = shop.called("orderUpdate")
    assert len(updates) == 1
    sent = updates[0]["input"]["shippingAddress"]
    assert (sent["address1"], sent["city"], sent["zip"], sent["countryCode"]) == ("Rua Nova 5", "Campinas",
                                                                                  "13010-000", "BR")
    assert shop.store.orders[seeded.address.id].shipping_address.address1 == "Rua Nova 5"  # type: ignore[union-attr]
    mirrored = shopify.store.get_order("1003")
    assert mirrored is not None and mirrored.shipping_address.line1 == "Rua Nova 5"


@pytest.mark.both_databases
async def test_return_requested_then_approved_in_slack_once(shopify: Services, seeded: Seeded, shop: FakeShopify,
                                                            slack: FakeSlack, client: httpx.AsyncClient) -> None:
    token = issue_token(str(seeded.drone.customer_id), shopify.settings.widget_secret)
    shopper = Shopper(client, token)
    await shopper.say("The drone from order #1002 arrived broken, I want to return it")
    body = await shopper.say("yes")
    draft = action(body, "return_draft")
    assert draft["status"] == "awaiting_approval" and draft["platform"]["status"] == "done"
    assert len(shop.called("returnRequest")) == 1 and not shop.called("returnCreate")
    requested = shop.called("returnRequest")[0]["input"]["returnLineItems"][0]
    assert requested["returnReason"] == "DEFECTIVE" and draft["rma_id"] in requested["customerNote"]
    handoff_id = body["handoff"]["id"]
    await shopper.say("yes")  # a second "yes" makes nothing new
    assert len(shop.called("returnRequest")) == 1
    shopify.outbox.run_once()
    assert slack.called("chat.postMessage")
    assert (await click(client, slack, "approve_return", handoff_id)).status_code == 200
    assert shopify.returns.get(draft["rma_id"])["status"] == "approved"  # type: ignore[index]
    assert len(shop.called("returnApproveRequest")) == 1
    ret = shop.store.orders[seeded.drone.id].returns[0]
    assert ret.status == "OPEN"
    await click(client, slack, "approve_return", handoff_id)  # a double click
    assert len(shop.called("returnApproveRequest")) == 1


async def test_cheap_item_is_refunded_without_a_return(shopify: Services, seeded: Seeded, shop: FakeShopify,
                                                       client: httpx.AsyncClient) -> None:
    token = issue_token(str(seeded.socks.customer_id), shopify.settings.widget_secret)
    shopper = Shopper(client, token)
    await shopper.say("The socks from order #1004 arrived damaged, I want to return them")
    body = await shopper.say("yes")
    draft = action(body, "return_draft")
    assert draft["return_required"] is False and draft["platform"]["status"] == "done"
    refunds = shop.called("refundCreate")
    assert len(refunds) == 1 and not shop.called("returnRequest")
    sent = refunds[0]["input"]
    assert draft["rma_id"] in sent["note"] and sent["transactions"][0]["amount"] == f"{draft['refund_amount']:.2f}"


@pytest.mark.both_databases
async def test_a_down_shop_delays_the_cancellation_but_never_loses_or_repeats_it(
        shopify: Services, seeded: Seeded, shop: FakeShopify, client: httpx.AsyncClient) -> None:
    shopper, _ = await guest(client, "Please cancel my order #1001")
    shop.fail_next(50, status=503)
    queued = await shopper.say("yes")
    assert action(queued, "cancel_order")["platform"]["status"] == "queued"
    assert i18n.t("en", "platform_queued", order_id="1001") in queued["reply"]
    assert not shop.called("orderCancel")
    pending = [r for r in shopify.outbox.pending() if r["topic"] == "platform.write"]
    assert len(pending) == 1 and pending[0]["last_error"]
    shop._failures.clear()  # the shop is back
    with shopify.engine.begin() as conn:  # the back-off has run out
        conn.execute(t.outbox.update().values(next_attempt_at=NOW - timedelta(days=1)))
    assert shopify.outbox.run_once() >= 1
    assert len(shop.called("orderCancel")) == 1
    assert shopify.outbox.run_once() == 0
    assert len(shop.called("orderCancel")) == 1


async def test_throttled_requests_wait_for_the_bucket(shopify: Services, seeded: Seeded, shop: FakeShopify,
                                                      client: httpx.AsyncClient) -> None:
    shopify.platform.client.budget = 30  # type: ignore[attr-defined]
    shop.throttle()
    shopper, answer = await guest(client, "where is my order #1002?")
    assert answer["verified"] is True
    assert shopify.platform.client.throttled >= 1  # type: ignore[attr-defined]


async def test_a_platform_refusal_is_told_and_handed_to_staff(shopify: Services, seeded: Seeded, shop: FakeShopify,
                                                              client: httpx.AsyncClient) -> None:
    shopper, summary = await guest(client, "Please cancel my order #1005")
    assert "1005" in summary["reply"]
    shop.add_fulfillment(seeded.fulfilled_later)  # shipped on Shopify after Portside read it
    refused = await shopper.say("yes")
    cancel = action(refused, "cancel_order")
    assert cancel["done"] is False and cancel["platform"]["status"] == "rejected"
    assert "fulfillments" in cancel["platform"]["reason"]
    assert "fulfillments" in refused["reply"]  # the platform's reason, in the shopper's (English) reply
    assert refused["handoff"]["reason"] == "platform_rejected"
    with shopify.engine.connect() as conn:
        packet = conn.scalar(select(t.handoffs.c.packet).where(t.handoffs.c.id == refused["handoff"]["id"]))
    assert "fulfillments" in str(packet)
    assert not shop.called("orderCancel")


@pytest.mark.both_databases
async def test_webhooks_signed_stored_deduped_and_mirrored(shopify: Services, seeded: Seeded, shop: FakeShopify,
                                                           served: str) -> None:
    url = f"{served}/webhooks/shopify"
    forged = shop.send_webhook(url, "orders/updated", seeded.drone, "not-the-secret")
    assert forged.status_code == 401
    unsigned = httpx.post(url, content=b"{}", headers={"X-Shopify-Topic": "orders/updated"})
    assert unsigned.status_code == 401
    first = shop.send_webhook(url, "orders/create", seeded.drone, WEBHOOK_SECRET, webhook_id="wh-1")
    assert first.status_code == 200 and first.json()["duplicate"] is False
    _wait(lambda: shopify.store.counts()["orders"] == 1)
    mirrored = shopify.store.get_order("1002")
    assert mirrored is not None and mirrored.status == "delivered"
    assert mirrored.shipments[0].delivered_at == DELIVERED
    reads = len(shop.requests)
    replay = shop.send_webhook(url, "orders/create", seeded.drone, WEBHOOK_SECRET, webhook_id="wh-1")
    assert replay.status_code == 200 and replay.json()["duplicate"] is True
    assert len(shop.requests) == reads  # a replay reads nothing and changes nothing
    with shopify.engine.connect() as conn:
        stored = conn.execute(select(t.inbound_webhooks.c.topic, t.inbound_webhooks.c.processed_at)
                              .where(t.inbound_webhooks.c.source == "shopify")).all()
    assert len(stored) == 1 and stored[0].processed_at is not None
    # The order is cancelled on Shopify; the update webhook brings it into the mirror.
    order = shop.store.orders[seeded.unfulfilled.id]
    order.cancelled_at = NOW
    shop.send_webhook(url, "orders/cancelled", order, WEBHOOK_SECRET, webhook_id="wh-2")
    _wait(lambda: (shopify.store.get_order("1001") or _nothing()).status == "cancelled")


async def test_privacy_webhooks_become_privacy_requests(shopify: Services, seeded: Seeded, shop: FakeShopify,
                                                        served: str) -> None:
    url = f"{served}/webhooks/shopify"
    ana = shop.store.customers[seeded.drone.customer_id]  # type: ignore[index]
    for topic, hook_id in (("customers/data_request", "p-1"), ("customers/redact", "p-2"), ("shop/redact", "p-3"),
                           ("customers/redact", "p-2")):
        assert shop.send_webhook(url, topic, ana if topic != "shop/redact" else None, WEBHOOK_SECRET,
                                 webhook_id=hook_id).status_code == 200
    with shopify.engine.connect() as conn:
        rows = conn.execute(select(t.privacy_requests).order_by(t.privacy_requests.c.received_at)).mappings().all()
    assert sorted(r["kind"] for r in rows) == ["data_request", "redact", "shop_redact"]  # the replay is not kept
    redact = next(r for r in rows if r["kind"] == "redact")
    assert redact["email"] == "ana@example.com" and redact["state"] == "open"
    assert redact["due_at"] - redact["received_at"] == timedelta(days=30)
    assert set(redact["order_ids"]) == {str(o) for o in shop.store.orders}


async def test_malformed_bodies_are_4xx(shopify: Services, served: str) -> None:
    import base64
    import hashlib
    import hmac

    body = b"{not json"
    sig = base64.b64encode(hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).digest()).decode()
    headers = {"X-Shopify-Hmac-Sha256": sig, "X-Shopify-Topic": "orders/create", "X-Shopify-Webhook-Id": "w"}
    assert httpx.post(f"{served}/webhooks/shopify", content=body, headers=headers).status_code == 400
    missing = {"X-Shopify-Hmac-Sha256": sig}
    assert httpx.post(f"{served}/webhooks/shopify", content=body, headers=missing).status_code == 400
    assert httpx.post(f"{served}/webhooks/woocommerce", content=b"{}").status_code == 404  # not this store


def _nothing() -> Any:
    class Nothing:
        status = None
    return Nothing()


def _wait(ok: Any, timeout: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ok():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")
