"""17TRACK pushes through the same endpoint (signed with the security key), and stalled parcels told once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from assistant.api.app import create_app
from assistant.runtime import Services
from assistant.storage import schema as t
from tests.assistant.helpers import Shopper, scenario_order, token_for
from tests.assistant.tracking.test_notices_and_stuck import age_all_scans
from tests.conftest import NOW
from tests.fakes.seventeentrack import FakeSeventeenTrack

USPS = 21051  # 17TRACK's carrier key for USPS


@pytest.fixture
def seventeen() -> Iterator[FakeSeventeenTrack]:
    with FakeSeventeenTrack(now=NOW) as fake:
        yield fake


@pytest.fixture
def tracked17(chat_services: Services, seventeen: FakeSeventeenTrack) -> Services:
    s = chat_services.settings
    s.tracking, s.seventeentrack_api_key, s.seventeentrack_api_url = "17track", seventeen.token, seventeen.url
    return chat_services


async def test_a_17track_push_updates_the_parcel_and_hands_a_returned_one_to_a_person(
        tracked17: Services, seventeen: FakeSeventeenTrack) -> None:
    order = scenario_order(tracked17, "in_transit")
    number = order.shipments[0].tracking_number
    seventeen.add_number(number, USPS, tag=order.id)
    seventeen.add_event(number, "Exception_Returned", "Returned to sender: address unknown", location="Miami, FL",
                        time=NOW - timedelta(hours=2))
    app = create_app(services=tracked17)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        shopper = Shopper(client, token_for(tracked17, order))
        await shopper.say("hi")
        with pytest.raises(httpx.ConnectError):  # nothing listens there: we only want the push it built and signed
            seventeen.send_push("http://127.0.0.1:9/unused", number)
        _, raw, headers = seventeen.pushes[-1]
        ok = await client.post("/webhooks/17track", content=raw, headers=headers)
        assert ok.status_code == 200 and ok.json()["updates"] == 1
        forged = await client.post("/webhooks/17track", content=raw, headers={**headers, "sign": "0" * 64})
        assert forged.status_code == 401
        stored = tracked17.store.get_order(order.id)
        assert stored is not None and stored.shipments[0].status == "returned_to_sender"
        transcript = tracked17.conversations.transcript(shopper.session_id or "")
        assert [m.meta.get("notice") for m in transcript if m.meta.get("notice")] == ["returned_to_sender"]
        with tracked17.engine.connect() as conn:
            reasons = list(conn.scalars(select(t.handoffs.c.reason).where(t.handoffs.c.order_id == order.id)))
        assert reasons == ["returned_to_sender"]


async def test_a_stalled_parcel_is_told_once(chat_services: Services, chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(chat_services, "in_transit")
    shopper = Shopper(chat_client, token_for(chat_services, order))
    await shopper.say("hello")
    age_all_scans(chat_services, 40)
    assert chat_services.tracking.stalled()  # works from stored scans, with or without a tracker
    chat_services.tracking.notify_stalled()
    chat_services.tracking.notify_stalled()
    told = [m for m in chat_services.conversations.transcript(shopper.session_id or "") if m.meta.get("notice")]
    assert len(told) == 1 and "40" in told[0].text and order.shipments[0].tracking_number in told[0].text
