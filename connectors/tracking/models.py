"""What a parcel tracker tells us, in Portside's words: one update per tracking number, whichever provider."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from connectors.models import ShipmentStatus


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CarrierEvent(_Model):
    """One scan, with the carrier's own words (the reply explains them in the shopper's language)."""

    at: AwareDatetime
    status: ShipmentStatus
    location: str | None = None
    description: str | None = None
    detail: str | None = None  # the provider's sub-status, e.g. "Exception_004" or "InTransit_CustomsProcessing"


class TrackingUpdate(_Model):
    provider: str  # "aftership" | "17track"
    tracking_number: str
    carrier: str | None = None  # the provider's carrier name or code as it reported it
    status: ShipmentStatus
    detail: str | None = None  # the provider's sub-status behind `status`
    duties_due: bool = False  # held by customs until import duties are paid
    events: list[CarrierEvent] = Field(default_factory=list)  # oldest first
    delivered_at: AwareDatetime | None = None
    estimated_delivery: date | None = None


class TrackerError(Exception):
    """The tracker could not answer. `retryable`: a later try may work (timeout, 5xx, 429 with `retry_after`)."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class InvalidSignature(Exception):
    """A webhook whose signature does not match the configured secret."""


class Tracker(Protocol):
    """A parcel-tracking provider. Implementations live in connectors/tracking/<provider>.py and register with
    connectors.tracking.registry."""

    name: str

    def register(self, tracking_number: str, carrier: str | None, order_id: str) -> None:
        """Start tracking a parcel. Idempotent: a number the provider already tracks is a success."""
        ...

    def fetch(self, tracking_number: str, carrier: str | None, timeout: float) -> TrackingUpdate | None:
        """The parcel's current state, or None when the provider doesn't know the number (yet)."""
        ...

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[TrackingUpdate]:
        """Verify the signature (raises InvalidSignature) and return the updates the webhook carries."""
        ...
