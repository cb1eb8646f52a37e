"""AfterShipTracker against FakeAfterShip (2025-01): register, fetch, failures, webhooks."""

from __future__ import annotations

import json
import socket
from datetime import UTC, date, datetime, timedelta

import pytest

from connectors.tracking.aftership import AfterShipTracker, Tracking, to_update
from connectors.tracking.models import InvalidSignature, TrackerError
from tests.connectors.tracking.conftest import AFTERSHIP_KEY, AFTERSHIP_SECRET, Receiver
from tests.fakes.aftership import FakeAfterShip

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
UPS_NUMBER = "1Z999AA10123456784"
UPS = ("ups", UPS_NUMBER)


def sent_json(fake: FakeAfterShip, method: str) -> dict[str, object]:
    return json.loads(fake.called(method, "/trackings")[-1].body)


def test_register_sends_slug_and_order_and_twice_is_fine(
    aftership: FakeAfterShip, as_tracker: AfterShipTracker
) -> None:
    as_tracker.register(UPS_NUMBER, "UPS", "order-1001")
    assert sent_json(aftership, "POST") == {"tracking_number": UPS_NUMBER, "slug": "ups", "order_id": "order-1001"}
    assert aftership.get(UPS)["order_id"] == "order-1001"

    as_tracker.register(UPS_NUMBER, "UPS", "order-1001")  # 4003 "Tracking already exists" is a success
    assert len(aftership.called("POST", "/trackings")) == 2


def test_register_unknown_carrier_lets_aftership_detect(aftership: FakeAfterShip, as_tracker: AfterShipTracker) -> None:
    as_tracker.register("LX123456789CN", "Some Local Courier", "order-1002")
    assert "slug" not in sent_json(aftership, "POST")


def test_fetch_follows_a_parcel_through_customs_with_duties_to_delivery(
    aftership: FakeAfterShip, as_tracker: AfterShipTracker
) -> None:
    aftership.add_tracking(UPS_NUMBER, "ups", order_id="order-1001")
    aftership.add_checkpoint(UPS, "InfoReceived", None, "Shipper created a label", city="Shenzhen",
                             country="CHN", time=T0)
    aftership.add_checkpoint(UPS, "InTransit", None, "Departed from facility", city="Hong Kong", country="HKG",
                             time=T0 + timedelta(days=1))
    aftership.add_checkpoint(UPS, "Exception", "Exception_006", "Import duties and taxes due, pay to release",
                             city="Madrid", country="ESP", time=T0 + timedelta(days=4))

    held = as_tracker.fetch(UPS_NUMBER, "UPS", timeout=3)
    assert held is not None
    assert (held.provider, held.carrier, held.status, held.detail) == ("aftership", "ups", "customs_hold",
                                                                       "Exception_006")
    assert held.duties_due is True
    assert [e.status for e in held.events] == ["label_created", "in_transit", "customs_hold"]
    assert [e.at for e in held.events] == sorted(e.at for e in held.events)
    assert held.events[-1].description == "Import duties and taxes due, pay to release"
    assert held.events[-1].location is not None and "Madrid" in held.events[-1].location
    assert held.events[-1].detail == "Exception_006"
    assert held.delivered_at is None

    aftership.add_checkpoint(UPS, "OutForDelivery", None, "Out for delivery", city="Madrid", country="ESP",
                             time=T0 + timedelta(days=6))
    aftership.add_checkpoint(UPS, "Delivered", "Delivered_001", "Delivered, front door", city="Madrid",
                             country="ESP", time=T0 + timedelta(days=6, hours=5))
    delivered = as_tracker.fetch(UPS_NUMBER, "UPS", timeout=3)
    assert delivered is not None
    assert (delivered.status, delivered.duties_due) == ("delivered", False)
    assert delivered.delivered_at == T0 + timedelta(days=6, hours=5)
    assert delivered.events[-2].status == "out_for_delivery"


def test_customs_delay_counts_as_duties_only_when_the_carrier_says_so(
    aftership: FakeAfterShip, as_tracker: AfterShipTracker
) -> None:
    aftership.add_tracking(UPS_NUMBER, "ups")
    aftership.add_checkpoint(UPS, "Exception", "Exception_004", "Clearance delay: documents under review", time=T0)
    update = as_tracker.fetch(UPS_NUMBER, "UPS", timeout=3)
    assert update is not None and (update.status, update.duties_due) == ("customs_hold", False)

    aftership.add_checkpoint(UPS, "Exception", "Exception_004", "En attente du paiement des droits et taxes",
                             time=T0 + timedelta(hours=3))
    update = as_tracker.fetch(UPS_NUMBER, "UPS", timeout=3)
    assert update is not None and (update.status, update.duties_due) == ("customs_hold", True)


def test_fetch_lost_and_returned_parcels(aftership: FakeAfterShip, as_tracker: AfterShipTracker) -> None:
    lost_one, back_one = ("usps", "LOST0001"), ("usps", "BACK0001")
    aftership.add_tracking("LOST0001", "usps")
    aftership.add_checkpoint(lost_one, "InTransit", None, "Accepted", time=T0)
    aftership.add_checkpoint(lost_one, "Exception", "Exception_013", "Package lost", time=T0 + timedelta(days=9))
    aftership.add_tracking("BACK0001", "usps")
    aftership.add_checkpoint(back_one, "Exception", "Exception_010", "Return to sender", time=T0)
    aftership.add_checkpoint(back_one, "Exception", "Exception_011", "Returned to shipper", time=T0 + timedelta(days=8))

    lost = as_tracker.fetch("LOST0001", "USPS", timeout=3)
    back = as_tracker.fetch("BACK0001", "USPS", timeout=3)
    assert lost is not None and (lost.status, lost.detail) == ("lost", "Exception_013")
    assert back is not None and back.status == "returned_to_sender"
    assert [e.status for e in back.events] == ["returned_to_sender", "returned_to_sender"]


def test_fetch_reads_the_estimated_delivery(aftership: FakeAfterShip, as_tracker: AfterShipTracker) -> None:
    aftership.add_tracking(UPS_NUMBER, "ups", latest_estimated_delivery={
        "type": "range", "source": "Carrier EDD", "datetime": None,
        "datetime_min": "2026-11-09", "datetime_max": "2026-11-11",
    })
    update = as_tracker.fetch(UPS_NUMBER, "UPS", timeout=3)
    assert update is not None and update.estimated_delivery == date(2026, 11, 11)


def test_unknown_number_is_none(aftership: FakeAfterShip, as_tracker: AfterShipTracker) -> None:
    assert as_tracker.fetch("NOSUCHNUMBER1", "UPS", timeout=3) is None
    assert as_tracker.fetch("NOSUCHNUMBER1", None, timeout=3) is None


def test_wrong_key_is_not_retryable(aftership: FakeAfterShip) -> None:
    with AfterShipTracker("wrong-key", base_url=aftership.url) as tracker:
        with pytest.raises(TrackerError) as fetch_error:
            tracker.fetch(UPS_NUMBER, "UPS", timeout=3)
        with pytest.raises(TrackerError) as register_error:
            tracker.register(UPS_NUMBER, "UPS", "order-1")
    assert fetch_error.value.retryable is False and "401" in str(fetch_error.value)
    assert register_error.value.retryable is False


def test_rate_limited_is_retryable_after_the_reset(aftership: FakeAfterShip, as_tracker: AfterShipTracker) -> None:
    aftership.rate_limit_next()
    with pytest.raises(TrackerError) as error:
        as_tracker.fetch(UPS_NUMBER, "UPS", timeout=3)
    assert error.value.retryable is True
    assert error.value.retry_after is not None and 0 <= error.value.retry_after <= 60


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retryable(aftership: FakeAfterShip, as_tracker: AfterShipTracker, status: int) -> None:
    aftership.fail_next(status=status)
    with pytest.raises(TrackerError) as error:
        as_tracker.register(UPS_NUMBER, "UPS", "order-1")
    assert error.value.retryable is True and str(status) in str(error.value)
    as_tracker.register(UPS_NUMBER, "UPS", "order-1")  # the next try goes through


def test_timeout_is_retryable(aftership: FakeAfterShip, as_tracker: AfterShipTracker) -> None:
    aftership.delay_next(1.5)
    with pytest.raises(TrackerError) as error:
        as_tracker.fetch(UPS_NUMBER, "UPS", timeout=0.3)
    assert error.value.retryable is True


def test_connection_refused_is_retryable() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with AfterShipTracker(AFTERSHIP_KEY, base_url=f"http://127.0.0.1:{port}/tracking/2025-01") as tracker:
        with pytest.raises(TrackerError) as error:
            tracker.fetch(UPS_NUMBER, None, timeout=1)
    assert error.value.retryable is True


def test_webhook_is_verified_and_parsed(aftership: FakeAfterShip, as_tracker: AfterShipTracker,
                                        receiver: Receiver) -> None:
    aftership.add_tracking(UPS_NUMBER, "ups")
    aftership.add_checkpoint(UPS, "Exception", "Exception_006", "Held for payment of import duties", time=T0)
    aftership.send_webhook(receiver.url, AFTERSHIP_SECRET, UPS)

    updates = as_tracker.parse_webhook(receiver.last.body, receiver.last.headers)
    assert len(updates) == 1
    assert (updates[0].tracking_number, updates[0].status, updates[0].duties_due) == (UPS_NUMBER, "customs_hold", True)


def test_forged_webhooks_are_refused(aftership: FakeAfterShip, as_tracker: AfterShipTracker,
                                     receiver: Receiver) -> None:
    aftership.add_tracking(UPS_NUMBER, "ups")
    aftership.send_webhook(receiver.url, AFTERSHIP_SECRET, UPS)
    body, headers = receiver.last.body, receiver.last.headers
    forged = body.replace(b'"Pending"', b'"Delivered"')
    assert forged != body
    with pytest.raises(InvalidSignature):
        as_tracker.parse_webhook(forged, headers)
    with pytest.raises(InvalidSignature):
        as_tracker.parse_webhook(body, {k: v for k, v in headers.items() if k.lower() != "aftership-hmac-sha256"})
    aftership.send_webhook(receiver.url, "someone-elses-secret", UPS)
    with pytest.raises(InvalidSignature):
        as_tracker.parse_webhook(receiver.last.body, receiver.last.headers)
    with AfterShipTracker(AFTERSHIP_KEY, base_url=aftership.url) as no_secret, pytest.raises(InvalidSignature):
        no_secret.parse_webhook(body, headers)


def test_to_update_reads_local_times_and_carrier_estimates() -> None:
    """Shapes from the 2025-01 docs the fake does not produce: checkpoint times without an offset, and an estimate
    only from the carrier."""
    tracking = Tracking.model_validate({
        "tracking_number": UPS_NUMBER, "slug": "ups", "tag": "InTransit", "subtag": "InTransit_001",
        "checkpoints": [
            {"checkpoint_time": "2026-11-05T14:00:00", "message": "Arrived", "tag": "InTransit",
             "location": "LOUISVILLE, KY", "country_region": "USA"},
            {"checkpoint_time": "2026-11-04T08:00:00-04:00", "message": "Picked up", "tag": "InTransit"},
            {"checkpoint_time": None, "created_at": None, "message": "No time at all", "tag": "InTransit"},
        ],
        "latest_estimated_delivery": None,
        "courier_estimated_delivery_date": {"estimated_delivery_date": "2026-11-08T20:00:00",
                                            "estimated_delivery_date_min": None, "estimated_delivery_date_max": None},
    })
    update = to_update(tracking)
    assert [e.description for e in update.events] == ["Picked up", "Arrived"]
    assert update.events[0].at == datetime(2026, 11, 4, 12, tzinfo=UTC)
    assert update.events[1].at == datetime(2026, 11, 5, 14, tzinfo=UTC)
    assert update.events[1].location == "LOUISVILLE, KY, USA"
    assert update.estimated_delivery == date(2026, 11, 8)
