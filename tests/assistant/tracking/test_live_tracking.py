"""Live tracking end to end against the fake AfterShip: registration through the outbox, a parcel moving into a
customs hold on the fake, the shopper's open chat told once, a fresh "where is my order?", forged and replayed
webhooks, and a tracker that is down or slow."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from assistant import i18n
from assistant.runtime import Services
from assistant.storage import schema as t
from tests.assistant.helpers import Shopper, scenario_order, token_for
from tests.assistant.tracking.conftest import WEBHOOK_SECRET, use_carrier
from tests.conftest import NOW
from tests.fakes.aftership import FakeAfterShip

pytestmark = pytest.mark.both_databases


def notices(services: Services, session_id: str) -> list[str]:
    return [m.text for m in services.conversations.transcript(session_id) if m.meta.get("notice")]


def count(services: Services, table: t.Table) -> int:  # type: ignore[name-defined]
    with services.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


async def test_open_shipments_are_registered_once_through_the_outbox(tracked: Services,
                                                                    aftership: FakeAfterShip) -> None:
    order = scenario_order(tracked, "in_transit")
    number = order.shipments[0].tracking_number
    use_carrier(tracked, number, "USPS")
    queued = tracked.tracking.register_open()
    assert queued >= 1
    assert tracked.tracking.register_open() == queued  # not registered yet: the same outbox rows, deduped
    for _ in range(queued // 50 + 2):
        tracked.outbox.run_once()
    created = [c for c in aftership.called("POST", "/trackings") if number.encode() in c.body]
    assert len(created) == 1
    assert tracked.tracking.register_open() < queued  # registered ones are not queued again


async def test_customs_hold_on_the_fake_reaches_the_open_chat_once(tracked: Services, aftership: FakeAfterShip,
                                                                   served: str) -> None:
    order = scenario_order(tracked, "in_transit")
    number = order.shipments[0].tracking_number
    use_carrier(tracked, number, "USPS")
    async with httpx.AsyncClient(base_url=served) as client:
        shopper = Shopper(client, token_for(tracked, order))
        await shopper.say("hello")  # the widget is open
        aftership.add_tracking(number, "usps", order_id=order.id)
        aftership.add_checkpoint((("usps", number)), "InTransit", "InTransit_004", "Arrived at destination country",
                                 "Miami, FL", "USA", NOW - timedelta(hours=5))
        held = aftership.add_checkpoint(("usps", number), "Exception", "Exception_006", "Held for payment of duties",
                                        "Miami, FL", "USA", NOW - timedelta(hours=1))
        first = aftership.send_webhook(f"{served}/webhooks/aftership", WEBHOOK_SECRET, held)
        assert first.status_code == 200 and first.json()["duplicate"] is False
        again = aftership.send_webhook(f"{served}/webhooks/aftership", WEBHOOK_SECRET, held, event="tracking_update")
        assert again.status_code == 200
        forged = aftership.send_webhook(f"{served}/webhooks/aftership", "not-the-secret", held)
        assert forged.status_code == 401
        junk = httpx.post(f"{served}/webhooks/aftership", content=b"{not json",
                          headers={"aftership-hmac-sha256": "AAAA"})
        assert junk.status_code == 401  # unsigned garbage is refused before it is parsed
        signed_junk = base64.b64encode(hmac.new(WEBHOOK_SECRET.encode(), b"{not json", hashlib.sha256).digest())
        malformed = httpx.post(f"{served}/webhooks/aftership", content=b"{not json",
                               headers={"aftership-hmac-sha256": signed_junk.decode()})
        assert malformed.status_code == 400  # signed but not a tracking event: a clear 4xx, never a 500
        other = httpx.post(f"{served}/webhooks/17track", content=b"[]")
        assert other.status_code == 404  # no 17TRACK tracker configured here
        told = notices(tracked, shopper.session_id or "")
        assert len(told) == 1 and number in told[0] and order.id in told[0]
        stored = tracked.store.get_order(order.id)
        assert stored is not None and stored.shipments[0].status == "customs_hold"
        with tracked.engine.connect() as conn:
            pushed = conn.scalar(select(func.count()).select_from(t.events).where(
                t.events.c.session_id == shopper.session_id).where(t.events.c.kind == "message"))
        assert pushed == 1  # the widget gets it live
        answer = await shopper.say(f"where is my order {order.id}?")
        assert i18n.t("en", "ship.customs_hold") in answer["reply"]
        assert "Held for payment of duties" in answer["reply"]  # the carrier's own words are kept


async def test_a_replayed_body_is_stored_once(tracked: Services, aftership: FakeAfterShip, served: str) -> None:
    order = scenario_order(tracked, "out_for_delivery")
    number = order.shipments[0].tracking_number
    use_carrier(tracked, number, "USPS")
    aftership.add_tracking(number, "usps", order_id=order.id)
    aftership.add_checkpoint(("usps", number), "Delivered", "Delivered_001", "Delivered, front door", "Austin, TX",
                             "USA", NOW - timedelta(minutes=30))
    aftership.send_webhook(f"{served}/webhooks/aftership", WEBHOOK_SECRET, ("usps", number))
    url, raw, headers = aftership.webhooks[-1]
    replay = httpx.post(url, content=raw, headers=headers)
    assert replay.status_code == 200 and replay.json()["duplicate"] is True
    assert count(tracked, t.inbound_webhooks) == 1
    stored = tracked.store.get_order(order.id)
    assert stored is not None and stored.status == "delivered" and stored.shipments[0].delivered_at is not None


async def test_a_lost_parcel_goes_to_a_person_once(tracked: Services, aftership: FakeAfterShip, served: str) -> None:
    order = scenario_order(tracked, "in_transit")
    number = order.shipments[0].tracking_number
    use_carrier(tracked, number, "USPS")
    aftership.add_tracking(number, "usps", order_id=order.id)
    aftership.add_checkpoint(("usps", number), "Exception", "Exception_013", "Shipment lost", "Memphis, TN", "USA",
                             NOW - timedelta(hours=2))
    for _ in range(2):
        aftership.send_webhook(f"{served}/webhooks/aftership", WEBHOOK_SECRET, ("usps", number))
    with tracked.engine.connect() as conn:
        reasons = list(conn.scalars(select(t.handoffs.c.reason).where(t.handoffs.c.order_id == order.id)))
    assert reasons == ["lost_parcel"]


async def test_the_tracker_down_or_slow_never_breaks_the_turn(tracked: Services, aftership: FakeAfterShip,
                                                             chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(tracked, "in_transit")
    number = order.shipments[0].tracking_number
    use_carrier(tracked, number, "USPS")
    aftership.add_tracking(number, "usps", order_id=order.id)
    shopper = Shopper(chat_client, token_for(tracked, order))
    aftership.fail_next(3, status=503)
    down = await shopper.say(f"where is my order {order.id}?")
    assert number in down["reply"] and "Tracking last updated" in down["reply"]
    budget = tracked.policy.tracking.refresh_budget_ms / 1000
    aftership.delay_next(budget * 3)
    slow = await Shopper(chat_client, token_for(tracked, order)).say(f"where is my order {order.id}?")
    assert number in slow["reply"] and "Tracking last updated" in slow["reply"]


async def test_a_fresh_answer_reads_the_tracker_when_the_last_check_is_old(tracked: Services,
                                                                          aftership: FakeAfterShip,
                                                                          chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(tracked, "in_transit")
    number = order.shipments[0].tracking_number
    use_carrier(tracked, number, "USPS")
    aftership.add_tracking(number, "usps", order_id=order.id)
    aftership.add_checkpoint(("usps", number), "OutForDelivery", "OutForDelivery_001", "Out for delivery today",
                             "Austin, TX", "USA", NOW - timedelta(minutes=10))
    body = await Shopper(chat_client, token_for(tracked, order)).say(f"where is my order {order.id}?")
    assert i18n.t("en", "ship.out_for_delivery") in body["reply"] and "Tracking last updated" not in body["reply"]
    gets = len(aftership.called("GET"))
    await Shopper(chat_client, token_for(tracked, order)).say(f"where is my order {order.id}?")
    assert len(aftership.called("GET")) == gets  # checked a moment ago: the stored state answers


async def test_a_webhook_whose_processing_failed_is_applied_later(tracked: Services, aftership: FakeAfterShip,
                                                                 served: str,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    order = scenario_order(tracked, "out_for_delivery")
    number = order.shipments[0].tracking_number
    use_carrier(tracked, number, "USPS")
    aftership.add_tracking(number, "usps", order_id=order.id)
    aftership.add_checkpoint(("usps", number), "Delivered", "Delivered_001", "Delivered", "Austin, TX", "USA",
                             NOW - timedelta(minutes=5))
    real = tracked.store.apply_tracking

    def down(_update: object) -> None:
        raise RuntimeError("database briefly unavailable")

    monkeypatch.setattr(tracked.store, "apply_tracking", down)
    sent = aftership.send_webhook(f"{served}/webhooks/aftership", WEBHOOK_SECRET, ("usps", number))
    assert sent.status_code == 200  # stored: the provider need not resend
    assert tracked.store.get_order(order.id).shipments[0].status != "delivered"  # type: ignore[union-attr]
    monkeypatch.setattr(tracked.store, "apply_tracking", real)
    assert tracked.tracking.retry_failed() == 1
    assert tracked.store.get_order(order.id).shipments[0].status == "delivered"  # type: ignore[union-attr]
    assert tracked.tracking.retry_failed() == 0
