"""Pure translation from each provider's vocabulary to Portside's: statuses, duties, times, places.

Sources: AfterShip Tracking 2025-01 "Delivery Statuses" and "Delivery Sub-statuses" pages (tag + subtag, e.g.
Exception_006 "Held for payment"); 17TRACK API v2.2 "main status / sub-status" tables (9 + 30 values).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime

from connectors.models import ShipmentStatus
from connectors.tracking.models import CarrierEvent

# --- AfterShip ------------------------------------------------------------------------------------------------

AFTERSHIP_TAGS: dict[str, ShipmentStatus] = {
    "Pending": "label_created",
    "InfoReceived": "label_created",
    "InTransit": "in_transit",
    "OutForDelivery": "out_for_delivery",
    "AvailableForPickup": "out_for_delivery",  # at the pickup point: the last step before the shopper has it
    "AttemptFail": "delivery_failed",
    "Delivered": "delivered",
    # Expired = no news for 30 days. Portside does not call a parcel lost on silence alone (only the carrier can);
    # the age of the newest event tells staff how stale it is.
    "Expired": "in_transit",
    "Exception": "in_transit",  # refined by AFTERSHIP_EXCEPTIONS; an unknown Exception_0xx stays "moving"
}

AFTERSHIP_EXCEPTIONS: dict[str, ShipmentStatus] = {
    "Exception_001": "in_transit",  # generic exception, no reason given
    "Exception_002": "delivery_failed",  # customer moved: an address problem
    "Exception_003": "delivery_failed",  # customer refused delivery
    "Exception_004": "customs_hold",  # delayed (customs clearance)
    "Exception_005": "in_transit",  # delayed (external factors)
    "Exception_006": "customs_hold",  # held for payment (duties/taxes due before release)
    "Exception_007": "delivery_failed",  # incorrect address
    "Exception_008": "delivery_failed",  # pick-up missed: not collected at the pickup point
    "Exception_009": "delivery_failed",  # rejected by carrier: won't move as shipped, someone must act
    "Exception_010": "returned_to_sender",  # returning to sender
    "Exception_011": "returned_to_sender",  # returned to sender
    "Exception_012": "delivery_failed",  # shipment damaged
    "Exception_013": "lost",  # shipment lost
    "Exception_016": "in_transit",  # delayed (processing issue), added 2026-03
    "Exception_017": "in_transit",  # delayed (extreme weather), added 2026-03
    "Exception_018": "customs_hold",  # incorrect / missing documents for regulators, added 2026-03
}

AFTERSHIP_HELD_FOR_PAYMENT = "Exception_006"
AFTERSHIP_CUSTOMS_SUBTAGS = frozenset({"Exception_004", "Exception_006", "Exception_018"})


def aftership_status(tag: str | None, subtag: str | None) -> ShipmentStatus:
    if tag == "Exception" and subtag in AFTERSHIP_EXCEPTIONS:
        return AFTERSHIP_EXCEPTIONS[subtag]
    return AFTERSHIP_TAGS.get(tag or "", "label_created" if not tag else "in_transit")


def aftership_duties_due(subtag: str | None, message: str | None) -> bool:
    """Held for payment is always duties in a cross-border shop; other customs holds only when the carrier says so."""
    if subtag == AFTERSHIP_HELD_FOR_PAYMENT:
        return True
    return subtag in AFTERSHIP_CUSTOMS_SUBTAGS and mentions_duties(message)


# --- 17TRACK --------------------------------------------------------------------------------------------------

SEVENTEEN_STATUSES: dict[str, ShipmentStatus] = {
    "NotFound": "label_created",  # registered, the carrier has nothing yet
    "InfoReceived": "label_created",
    "InTransit": "in_transit",
    "Expired": "in_transit",  # long silence; see AFTERSHIP_TAGS["Expired"]
    "AvailableForPickup": "out_for_delivery",
    "OutForDelivery": "out_for_delivery",
    "DeliveryFailure": "delivery_failed",  # every DeliveryFailure_* sub-status
    "Delivered": "delivered",
    "Exception": "in_transit",  # refined below; Exception_Other/_Delayed keep moving
}

SEVENTEEN_SUB_STATUSES: dict[str, ShipmentStatus] = {
    "InTransit_CustomsProcessing": "customs_hold",
    "InTransit_CustomsRequiringInformation": "customs_hold",
    "InTransit_CustomsReleased": "in_transit",
    "Exception_Returning": "returned_to_sender",
    "Exception_Returned": "returned_to_sender",
    "Exception_Lost": "lost",
    "Exception_Destroyed": "lost",
    "Exception_Security": "customs_hold",  # held for security, customs clearance or fees
    "Exception_NoBody": "delivery_failed",  # recipient not found / parcel unclaimed
    "Exception_Rejected": "delivery_failed",  # refused by the recipient
    "Exception_Damage": "delivery_failed",
    "Exception_Cancel": "delivery_failed",  # shipment cancelled: it won't arrive as shipped, someone must act
}

# Sub-statuses where "duties/taxes/payment" in the carrier's words means the shopper owes import charges.
SEVENTEEN_DUTIES_SUB_STATUSES = frozenset({
    "InTransit_CustomsProcessing", "InTransit_CustomsRequiringInformation", "Exception_Security",
    "DeliveryFailure_Security",  # documented as "security, customs clearance, or fees"
})


def seventeen_status(status: str | None, sub_status: str | None) -> ShipmentStatus:
    if sub_status in SEVENTEEN_SUB_STATUSES:
        return SEVENTEEN_SUB_STATUSES[sub_status]
    main = status or (sub_status or "").split("_", 1)[0]  # events carry only the sub-status
    return SEVENTEEN_STATUSES.get(main, "label_created" if not main else "in_transit")


def seventeen_duties_due(sub_status: str | None, description: str | None) -> bool:
    return sub_status in SEVENTEEN_DUTIES_SUB_STATUSES and mentions_duties(description)


# --- duties in the carrier's own words ----------------------------------------------------------------------------

# Only consulted once the provider already says "customs", so a short list is enough. Accents are folded first
# (é -> e, ö -> o). Short or ambiguous stems must start a word ("tax" but not "syntax"); long ones may sit inside a
# compound (German "Einfuhrumsatzsteuer", "Nachzahlung"); CJK terms are matched as written.
# en duty/tax/VAT/GST/pay · es impuesto/arancel/pago · pt imposto/tributo/taxa/pagamento · fr droits/taxe/paiement
# it dazi/tasse · de Steuer/Einfuhrabgabe/Zahlung · tr vergi/ödeme · zh/ja 税 付款 支払 · ko 관세 세금 납부
_WORD_STARTS = (
    "duty", "duties", "tax", "vat", "gst", "pay", "pago", "pagament", "droits", "dazi", "tass", "vergi", "odeme",
)
_INSIDE_WORDS = ("impuest", "arancel", "imposto", "tribut", "paiement", "steuer", "einfuhrabgabe", "zahlung")
_DUTY_WORDS = re.compile(r"\b(?:" + "|".join(_WORD_STARTS) + ")|" + "|".join(_INSIDE_WORDS))
_DUTY_CJK = ("税", "付款", "支払", "관세", "세금", "납부")


def fold(text: str) -> str:
    """Lower-case without accents: 'Impôts dûs' -> 'impots dus'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def mentions_duties(text: str | None) -> bool:
    if not text:
        return False
    return bool(_DUTY_WORDS.search(fold(text))) or any(term in text for term in _DUTY_CJK)


# --- times, dates, places -------------------------------------------------------------------------------------


def parse_moment(value: str | None) -> datetime | None:
    """An ISO-8601 time as an aware datetime. Carriers sometimes give local time without an offset; that is read as
    UTC: wrong by the carrier's UTC offset at most, which still keeps one carrier's scans in order."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_day(value: str | None) -> date | None:
    """The calendar date of an estimate: providers give 'YYYY-MM-DD' or a local date-time; the date part is the
    recipient's day, so it is taken as written rather than converted to UTC."""
    if not value or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def place(city: str | None, country: str | None, raw: str | None) -> str | None:
    """'City, Country' when the provider split the city out, else the carrier's own location text (with the country
    added when the text lacks it)."""
    country = (country or "").strip()
    text = (city or "").strip() or (raw or "").strip()
    if text and country and not re.search(rf"\b{re.escape(country)}\b", text, re.IGNORECASE):
        return f"{text}, {country}"
    return text or country or None


def oldest_first(events: Iterable[CarrierEvent]) -> list[CarrierEvent]:
    """Sorted by time, exact repeats dropped (17TRACK can list one scan under two providers)."""
    unique = {(e.at, e.status, e.location, e.description, e.detail): e for e in events}
    return sorted(unique.values(), key=lambda e: e.at)


def delivered_at(events: list[CarrierEvent], status: ShipmentStatus) -> datetime | None:
    """The newest delivery scan, only while the parcel counts as delivered."""
    if status != "delivered":
        return None
    scans = [e.at for e in events if e.status == "delivered"]
    return max(scans) if scans else None
