"""The provider -> Portside tables, written out here on purpose so a change to a table shows up as a test diff."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from connectors.models import SHIPMENT_STATUSES
from connectors.tracking import normalise as n
from connectors.tracking.models import CarrierEvent

AFTERSHIP_TAGS = [
    ("Pending", "label_created"),
    ("InfoReceived", "label_created"),
    ("InTransit", "in_transit"),
    ("OutForDelivery", "out_for_delivery"),
    ("AvailableForPickup", "out_for_delivery"),
    ("AttemptFail", "delivery_failed"),
    ("Delivered", "delivered"),
    ("Expired", "in_transit"),
    ("Exception", "in_transit"),
]

AFTERSHIP_EXCEPTIONS = [
    ("Exception_001", "in_transit"),
    ("Exception_002", "delivery_failed"),
    ("Exception_003", "delivery_failed"),
    ("Exception_004", "customs_hold"),
    ("Exception_005", "in_transit"),
    ("Exception_006", "customs_hold"),
    ("Exception_007", "delivery_failed"),
    ("Exception_008", "delivery_failed"),
    ("Exception_009", "delivery_failed"),
    ("Exception_010", "returned_to_sender"),
    ("Exception_011", "returned_to_sender"),
    ("Exception_012", "delivery_failed"),
    ("Exception_013", "lost"),
    ("Exception_016", "in_transit"),
    ("Exception_017", "in_transit"),
    ("Exception_018", "customs_hold"),
]

# 17TRACK v2.2: 9 main statuses, 30 sub-statuses.
SEVENTEEN_SUB_STATUSES = [
    ("NotFound", "NotFound_Other", "label_created"),
    ("NotFound", "NotFound_InvalidCode", "label_created"),
    ("InfoReceived", "InfoReceived", "label_created"),
    ("InTransit", "InTransit_PickedUp", "in_transit"),
    ("InTransit", "InTransit_Other", "in_transit"),
    ("InTransit", "InTransit_Departure", "in_transit"),
    ("InTransit", "InTransit_Arrival", "in_transit"),
    ("InTransit", "InTransit_CustomsProcessing", "customs_hold"),
    ("InTransit", "InTransit_CustomsReleased", "in_transit"),
    ("InTransit", "InTransit_CustomsRequiringInformation", "customs_hold"),
    ("Expired", "Expired_Other", "in_transit"),
    ("AvailableForPickup", "AvailableForPickup_Other", "out_for_delivery"),
    ("OutForDelivery", "OutForDelivery_Other", "out_for_delivery"),
    ("DeliveryFailure", "DeliveryFailure_Other", "delivery_failed"),
    ("DeliveryFailure", "DeliveryFailure_NoBody", "delivery_failed"),
    ("DeliveryFailure", "DeliveryFailure_Security", "delivery_failed"),
    ("DeliveryFailure", "DeliveryFailure_Rejected", "delivery_failed"),
    ("DeliveryFailure", "DeliveryFailure_InvalidAddress", "delivery_failed"),
    ("Delivered", "Delivered_Other", "delivered"),
    ("Exception", "Exception_Other", "in_transit"),
    ("Exception", "Exception_Returning", "returned_to_sender"),
    ("Exception", "Exception_Returned", "returned_to_sender"),
    ("Exception", "Exception_NoBody", "delivery_failed"),
    ("Exception", "Exception_Security", "customs_hold"),
    ("Exception", "Exception_Damage", "delivery_failed"),
    ("Exception", "Exception_Rejected", "delivery_failed"),
    ("Exception", "Exception_Delayed", "in_transit"),
    ("Exception", "Exception_Lost", "lost"),
    ("Exception", "Exception_Destroyed", "lost"),
    ("Exception", "Exception_Cancel", "delivery_failed"),
]


@pytest.mark.parametrize(("tag", "expected"), AFTERSHIP_TAGS)
def test_aftership_tags(tag: str, expected: str) -> None:
    assert n.aftership_status(tag, None) == expected
    assert n.aftership_status(tag, f"{tag}_001") == expected or tag == "Exception"


@pytest.mark.parametrize(("subtag", "expected"), AFTERSHIP_EXCEPTIONS)
def test_aftership_exception_subtags(subtag: str, expected: str) -> None:
    assert n.aftership_status("Exception", subtag) == expected


def test_aftership_tables_are_covered_by_these_tests() -> None:
    assert dict(AFTERSHIP_TAGS) == n.AFTERSHIP_TAGS
    assert dict(AFTERSHIP_EXCEPTIONS) == n.AFTERSHIP_EXCEPTIONS
    assert set(n.AFTERSHIP_TAGS.values()) | set(n.AFTERSHIP_EXCEPTIONS.values()) <= set(SHIPMENT_STATUSES)


def test_aftership_unknowns() -> None:
    assert n.aftership_status("Exception", "Exception_099") == "in_transit"  # a new reason: still moving
    assert n.aftership_status("SomethingNew", None) == "in_transit"
    assert n.aftership_status(None, None) == "label_created"


@pytest.mark.parametrize(("status", "sub_status", "expected"), SEVENTEEN_SUB_STATUSES)
def test_seventeentrack_statuses(status: str, sub_status: str, expected: str) -> None:
    assert n.seventeen_status(status, sub_status) == expected
    assert n.seventeen_status(None, sub_status) == expected  # events carry only the sub-status


def test_seventeentrack_tables_are_covered_by_these_tests() -> None:
    assert len(SEVENTEEN_SUB_STATUSES) == 30
    assert {main for main, _, _ in SEVENTEEN_SUB_STATUSES} == set(n.SEVENTEEN_STATUSES)
    assert set(n.SEVENTEEN_SUB_STATUSES) <= {sub for _, sub, _ in SEVENTEEN_SUB_STATUSES}
    assert n.seventeen_status("NotFound", None) == "label_created"
    assert n.seventeen_status(None, None) == "label_created"
    assert n.seventeen_status("Exception", "Exception_SomethingNew") == "in_transit"


@pytest.mark.parametrize(("subtag", "message", "due"), [
    ("Exception_006", "Held for payment", True),  # always duties
    ("Exception_006", None, True),
    ("Exception_004", "Import duties and taxes must be paid", True),
    ("Exception_004", "Clearance delay: documents under review", False),
    ("Exception_018", "Impuestos pendientes de pago", True),
    ("Exception_005", "Tax office closed, weather delay", False),  # not a customs subtag
    ("InTransit_002", "Duties paid in advance (DDP)", False),
])
def test_aftership_duties(subtag: str, message: str | None, due: bool) -> None:
    assert n.aftership_duties_due(subtag, message) is due


@pytest.mark.parametrize(("sub_status", "description", "due"), [
    ("InTransit_CustomsRequiringInformation", "Awaiting payment of import duties", True),
    ("InTransit_CustomsRequiringInformation", "Please provide the recipient's ID number", False),
    ("InTransit_CustomsProcessing", "Objeto aguardando pagamento", True),
    ("Exception_Security", "Gümrük vergisi ödemesi bekleniyor", True),
    ("DeliveryFailure_Security", "关税未缴，无法派送", True),
    ("InTransit_CustomsReleased", "Duties paid, released", False),  # released: nothing due any more
    ("InTransit_Arrival", "Tax-free zone", False),
])
def test_seventeentrack_duties(sub_status: str, description: str, due: bool) -> None:
    assert n.seventeen_duties_due(sub_status, description) is due


@pytest.mark.parametrize(("text", "due"), [
    ("Awaiting payment of import duties", True),
    ("VAT to be paid by the receiver", True),
    ("Pendiente de pago de impuestos y aranceles", True),
    ("Aguardando pagamento", True),
    ("Taxa de importação", True),
    ("Droits et taxes à payer", True),
    ("In attesa del pagamento dei dazi", True),
    ("Einfuhrumsatzsteuer fällig", True),
    ("Gümrük vergisi ödemesi bekleniyor", True),
    ("关税待缴", True),
    ("関税のお支払い", True),
    ("관세 납부 대기", True),
    ("Customs clearance in progress", False),
    ("Zollabfertigung", False),
    ("Dutch customs", False),
    ("Syntax check", False),
    ("", False),
    (None, False),
])
def test_duties_keywords(text: str | None, due: bool) -> None:
    assert n.mentions_duties(text) is due


@pytest.mark.parametrize(("raw", "expected"), [
    ("2026-11-02T09:30:00Z", datetime(2026, 11, 2, 9, 30, tzinfo=UTC)),
    ("2026-11-02T09:30:00+08:00", datetime(2026, 11, 2, 1, 30, tzinfo=UTC)),
    ("2026-11-02T09:30:00", datetime(2026, 11, 2, 9, 30, tzinfo=UTC)),  # no offset: read as UTC
    ("2026-11-02 09:30:00.123456+00:00", datetime(2026, 11, 2, 9, 30, 0, 123456, tzinfo=UTC)),
    ("not a time", None),
    ("", None),
    (None, None),
])
def test_parse_moment(raw: str | None, expected: datetime | None) -> None:
    parsed = n.parse_moment(raw)
    assert parsed == expected
    assert parsed is None or parsed.tzinfo is not None


@pytest.mark.parametrize(("raw", "expected"), [
    ("2026-11-11", date(2026, 11, 11)),
    ("2026-11-11T23:00:00-05:00", date(2026, 11, 11)),  # the recipient's day, not UTC's
    ("soon", None),
    (None, None),
])
def test_parse_day(raw: str | None, expected: date | None) -> None:
    assert n.parse_day(raw) == expected


@pytest.mark.parametrize(("city", "country", "raw", "expected"), [
    ("Madrid", "ESP", "MADRID HUB 3", "Madrid, ESP"),
    ("Madrid", None, None, "Madrid"),
    (None, "BR", "CURITIBA - PR", "CURITIBA - PR, BR"),
    (None, "ES", "Madrid, ES", "Madrid, ES"),
    (None, "ES", "Los Angeles", "Los Angeles, ES"),
    (None, "BR", "  ", "BR"),
    (None, None, None, None),
])
def test_place(city: str | None, country: str | None, raw: str | None, expected: str | None) -> None:
    assert n.place(city, country, raw) == expected


def test_events_sorted_oldest_first_without_repeats_and_delivery_time() -> None:
    t0 = datetime(2026, 11, 2, tzinfo=UTC)
    late = CarrierEvent(at=t0 + timedelta(days=2), status="delivered", description="Delivered")
    early = CarrierEvent(at=t0, status="in_transit", description="Posted")
    same_moment_elsewhere = CarrierEvent(at=t0.astimezone(timezone(timedelta(hours=8))), status="in_transit",
                                         description="Posted")
    events = n.oldest_first([late, early, same_moment_elsewhere])
    assert [e.description for e in events] == ["Posted", "Delivered"]
    assert n.delivered_at(events, "delivered") == t0 + timedelta(days=2)
    assert n.delivered_at(events, "returned_to_sender") is None
