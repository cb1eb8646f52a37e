"""SeventeenTrackTracker against FakeSeventeenTrack (v2.2): register, fetch, failures, pushes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from connectors.tracking.models import InvalidSignature, TrackerError
from connectors.tracking.seventeentrack import Item, SeventeenTrackTracker, to_update
from tests.connectors.tracking.conftest import Receiver
from tests.fakes.seventeentrack import FakeSeventeenTrack

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
NUMBER = "RR123456789CN"
CHINA_POST = 3011


def sent_items(fake: FakeSeventeenTrack, endpoint: str) -> list[dict[str, object]]:
    """The JSON array of the last call to `endpoint` (the fake keeps each request's parsed body)."""
    items: list[dict[str, object]] = fake.called(endpoint)[-1]
    return items


def test_register_sends_carrier_and_order_tag_and_twice_is_fine(
    seventeen: FakeSeventeenTrack, st_tracker: SeventeenTrackTracker
) -> None:
    st_tracker.register(NUMBER, "China Post", "order-2001")
    assert sent_items(seventeen, "register") == [{"number": NUMBER, "tag": "order-2001", "carrier": CHINA_POST}]

    st_tracker.register(NUMBER, "China Post", "order-2001")  # -18019901 "already registered" is a success
    assert len(seventeen.called("register")) == 2


def test_register_without_known_carrier_lets_17track_detect(
    seventeen: FakeSeventeenTrack, st_tracker: SeventeenTrackTracker
) -> None:
    seventeen.set_detection(NUMBER, CHINA_POST)
    st_tracker.register(NUMBER, "Kerry Express", "order-2002")  # deliberately unmapped: one code per country
    assert "carrier" not in sent_items(seventeen, "register")[0]


def test_other_rejections_carry_the_providers_message(st_tracker: SeventeenTrackTracker) -> None:
    with pytest.raises(TrackerError) as error:
        st_tracker.register("X1", None, "order-2003")
    assert error.value.retryable is False
    assert "-180" in str(error.value) and "invalid" in str(error.value).lower()


def test_fetch_follows_a_parcel_into_customs_with_duties_then_delivery(
    seventeen: FakeSeventeenTrack, st_tracker: SeventeenTrackTracker
) -> None:
    seventeen.add_number(NUMBER, CHINA_POST, tag="order-2001")
    seventeen.add_event(NUMBER, "InfoReceived", "Electronic information received", city="Shenzhen", country="CN",
                        time=T0)
    seventeen.add_event(NUMBER, "InTransit_Departure", "Departed from the origin country", city="Shenzhen",
                        country="CN", time=T0 + timedelta(days=2))
    seventeen.add_event(NUMBER, "InTransit_CustomsRequiringInformation",
                        "Objeto aguardando pagamento de impostos de importação", city="Curitiba", country="BR",
                        time=T0 + timedelta(days=9))

    held = st_tracker.fetch(NUMBER, "China Post", timeout=3)
    assert held is not None
    assert (held.provider, held.carrier, held.status) == ("17track", str(CHINA_POST), "customs_hold")
    assert (held.detail, held.duties_due) == ("InTransit_CustomsRequiringInformation", True)
    assert [e.status for e in held.events] == ["label_created", "in_transit", "customs_hold"]
    assert [e.at for e in held.events] == sorted(e.at for e in held.events)
    assert held.events[-1].description == "Objeto aguardando pagamento de impostos de importação"
    assert held.events[-1].location == "Curitiba, BR"

    seventeen.add_event(NUMBER, "InTransit_CustomsReleased", "Released by customs", time=T0 + timedelta(days=12))
    seventeen.add_event(NUMBER, "OutForDelivery_Other", "Saiu para entrega", time=T0 + timedelta(days=14))
    seventeen.add_event(NUMBER, "Delivered_Other", "Objeto entregue ao destinatário", city="São Paulo",
                        country="BR", time=T0 + timedelta(days=14, hours=6))
    delivered = st_tracker.fetch(NUMBER, "China Post", timeout=3)
    assert delivered is not None
    assert (delivered.status, delivered.duties_due) == ("delivered", False)
    assert delivered.delivered_at == T0 + timedelta(days=14, hours=6)
    assert [e.status for e in delivered.events][-3:] == ["in_transit", "out_for_delivery", "delivered"]


def test_customs_processing_without_duties_words_is_not_duties(
    seventeen: FakeSeventeenTrack, st_tracker: SeventeenTrackTracker
) -> None:
    seventeen.add_number(NUMBER, CHINA_POST)
    seventeen.add_event(NUMBER, "InTransit_CustomsProcessing", "Customs inspection", time=T0)
    update = st_tracker.fetch(NUMBER, None, timeout=3)
    assert update is not None and (update.status, update.duties_due) == ("customs_hold", False)


@pytest.mark.parametrize(("sub_status", "expected"), [
    ("Exception_Lost", "lost"),
    ("Exception_Destroyed", "lost"),
    ("Exception_Returning", "returned_to_sender"),
    ("Exception_Returned", "returned_to_sender"),
    ("DeliveryFailure_InvalidAddress", "delivery_failed"),
])
def test_fetch_unhappy_endings(seventeen: FakeSeventeenTrack, st_tracker: SeventeenTrackTracker,
                               sub_status: str, expected: str) -> None:
    seventeen.add_number(NUMBER, CHINA_POST)
    seventeen.add_event(NUMBER, "InTransit_PickedUp", "Posted", time=T0)
    seventeen.add_event(NUMBER, sub_status, "Carrier says so", time=T0 + timedelta(days=20))
    update = st_tracker.fetch(NUMBER, "China Post", timeout=3)
    assert update is not None and (update.status, update.detail) == (expected, sub_status)
    assert update.events[-1].status == expected and update.delivered_at is None


def test_unknown_number_is_none(st_tracker: SeventeenTrackTracker) -> None:
    assert st_tracker.fetch("LZ000000000CN", None, timeout=3) is None


def test_wrong_key_is_not_retryable(seventeen: FakeSeventeenTrack) -> None:
    with SeventeenTrackTracker("wrong-key", base_url=seventeen.url) as tracker:
        with pytest.raises(TrackerError) as fetch_error:
            tracker.fetch(NUMBER, None, timeout=3)
        with pytest.raises(TrackerError) as register_error:
            tracker.register(NUMBER, None, "order-1")
    assert fetch_error.value.retryable is False and register_error.value.retryable is False


def test_rate_limited_is_retryable_with_a_wait(seventeen: FakeSeventeenTrack,
                                               st_tracker: SeventeenTrackTracker) -> None:
    seventeen.rate_limit_next()
    with pytest.raises(TrackerError) as error:
        st_tracker.fetch(NUMBER, None, timeout=3)
    assert error.value.retryable is True and error.value.retry_after is not None and error.value.retry_after > 0


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_retryable(seventeen: FakeSeventeenTrack, st_tracker: SeventeenTrackTracker,
                                     status: int) -> None:
    seventeen.fail_next(status=status)
    with pytest.raises(TrackerError) as error:
        st_tracker.register(NUMBER, "China Post", "order-1")
    assert error.value.retryable is True
    st_tracker.register(NUMBER, "China Post", "order-1")


def test_timeout_is_retryable(seventeen: FakeSeventeenTrack, st_tracker: SeventeenTrackTracker) -> None:
    seventeen.delay_next(1.5)
    with pytest.raises(TrackerError) as error:
        st_tracker.fetch(NUMBER, None, timeout=0.3)
    assert error.value.retryable is True


def test_push_is_verified_and_parsed(seventeen: FakeSeventeenTrack, st_tracker: SeventeenTrackTracker,
                                     receiver: Receiver) -> None:
    seventeen.add_number(NUMBER, CHINA_POST, tag="order-2001")
    seventeen.add_event(NUMBER, "Exception_Returning", "Devolução ao remetente", time=T0)
    seventeen.send_push(receiver.url, NUMBER)

    updates = st_tracker.parse_webhook(receiver.last.body, receiver.last.headers)
    assert [(u.tracking_number, u.status) for u in updates] == [(NUMBER, "returned_to_sender")]


def test_stopped_push_has_no_update(seventeen: FakeSeventeenTrack, st_tracker: SeventeenTrackTracker,
                                    receiver: Receiver) -> None:
    seventeen.add_number(NUMBER, CHINA_POST)
    seventeen.send_push(receiver.url, NUMBER, event="TRACKING_STOPPED")
    assert st_tracker.parse_webhook(receiver.last.body, receiver.last.headers) == []


def test_forged_pushes_are_refused(seventeen: FakeSeventeenTrack, st_tracker: SeventeenTrackTracker,
                                   receiver: Receiver) -> None:
    seventeen.add_number(NUMBER, CHINA_POST)
    seventeen.add_event(NUMBER, "InTransit_PickedUp", "Posted", time=T0)
    seventeen.send_push(receiver.url, NUMBER)
    body, headers = receiver.last.body, receiver.last.headers
    forged = body.replace(b"InTransit_PickedUp", b"Delivered_Other")
    assert forged != body
    with pytest.raises(InvalidSignature):
        st_tracker.parse_webhook(forged, headers)
    with pytest.raises(InvalidSignature):
        st_tracker.parse_webhook(body, {k: v for k, v in headers.items() if k.lower() != "sign"})
    seventeen.send_push(receiver.url, NUMBER, key="someone-elses-key")
    with pytest.raises(InvalidSignature):
        st_tracker.parse_webhook(receiver.last.body, receiver.last.headers)


def test_to_update_merges_providers_and_reads_the_estimate() -> None:
    """Shapes from the v2.2 docs the fake does not produce: two carriers' scans, local-time-only scans, a window."""
    scan = {"time_iso": "2026-11-03T10:00:00+08:00", "time_utc": None, "description": "Handed to airline",
            "location": "SHENZHEN", "sub_status": "InTransit_Departure"}
    item = Item.model_validate({
        "number": NUMBER, "carrier": CHINA_POST,
        "track_info": {
            "latest_status": {"status": "Delivered", "sub_status": "Delivered_Other"},
            "latest_event": None,
            "time_metrics": {"estimated_delivery_date": {"source": "17TRACK", "from": "2026-11-10T00:00:00+01:00",
                                                         "to": "2026-11-12T00:00:00+01:00"}},
            "milestone": [{"key_stage": "Delivered", "time_utc": "2026-11-11T09:00:00Z"}],
            "tracking": {"providers": [
                {"provider": {"key": 3011}, "events": [scan]},
                {"provider": {"key": 19181}, "events": [
                    scan,  # the same scan reported by the destination carrier
                    {"time_iso": "2026-11-11T10:00:00", "description": "Entregado", "sub_status": None,
                     "address": {"country": "ES", "city": "Madrid"}},
                ]},
            ]},
        },
    })
    update = to_update(item)
    assert [e.description for e in update.events] == ["Handed to airline", "Entregado"]
    assert update.events[0].at == datetime(2026, 11, 3, 2, tzinfo=UTC)
    assert update.events[1].location == "Madrid, ES"
    assert update.estimated_delivery == date(2026, 11, 12)
    assert update.status == "delivered"
    assert update.delivered_at == datetime(2026, 11, 11, 9, tzinfo=UTC)  # no delivered scan: the milestone
