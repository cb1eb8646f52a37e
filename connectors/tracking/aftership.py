"""AfterShip Tracking API, version 2025-01 (https://www.aftership.com/docs/tracking/2025-01).

Every answer is an envelope {meta: {code, message, type}, data}. Trackings are found by number (GET /trackings
?tracking_numbers=..&slug=..), which returns whole tracking objects with their checkpoints: one call per fetch.
Webhooks carry the tracking in `msg` and are signed with base64(HMAC-SHA256(webhook secret, raw body)) in the
`aftership-hmac-sha256` header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connectors.tracking import _http as web
from connectors.tracking import normalise as n
from connectors.tracking.carriers import CarrierMap, default_carriers
from connectors.tracking.models import CarrierEvent, InvalidSignature, TrackerError, TrackingUpdate

PROVIDER = "aftership"
DEFAULT_BASE_URL = "https://api.aftership.com/tracking/2025-01"
TRACKING_ALREADY_EXISTS = 4003  # meta code on POST /trackings: a success for an idempotent register()
SIGNATURE_HEADER = "aftership-hmac-sha256"


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Checkpoint(_Model):
    checkpoint_time: str | None = None  # carrier's local time, with or without an offset
    created_at: str | None = None  # when AfterShip recorded it (UTC)
    location: str | None = None
    city: str | None = None
    country_region: str | None = None  # ISO 3166 alpha-3
    country_region_name: str | None = None
    message: str | None = None
    tag: str | None = None
    subtag: str | None = None


class LatestEstimate(_Model):
    moment: str | None = Field(default=None, alias="datetime")
    moment_max: str | None = Field(default=None, alias="datetime_max")


class DateEstimate(_Model):
    estimated_delivery_date: str | None = None
    estimated_delivery_date_max: str | None = None


class Tracking(_Model):
    id: str | None = None
    tracking_number: str
    slug: str | None = None
    tag: str | None = None
    subtag: str | None = None
    subtag_message: str | None = None
    updated_at: str | None = None
    checkpoints: list[Checkpoint] | None = None
    shipment_delivery_date: str | None = None
    latest_estimated_delivery: LatestEstimate | None = None  # newest estimate, whatever its source
    courier_estimated_delivery_date: DateEstimate | None = None
    aftership_estimated_delivery_date: DateEstimate | None = None
    custom_estimated_delivery_date: DateEstimate | None = None


class Meta(_Model):
    code: int
    message: str | None = None


class Envelope(_Model):
    meta: Meta
    data: Any = None


class TrackingList(_Model):
    trackings: list[Tracking] | None = None


class WebhookEvent(_Model):
    event: str | None = None  # tracking_update, edd_revise, tracking_pending_time: all carry the tracking
    msg: Tracking | None = None


class AfterShipTracker:
    """Settings: api_key (as-api-key), webhook_secret (Settings > Notifications; needed for parse_webhook),
    base_url, timeout (seconds, writes; fetch() takes its own), carriers (a CarrierMap; carriers.yaml by default)."""

    name = PROVIDER

    def __init__(self, api_key: str, webhook_secret: str | None = None, *, base_url: str = DEFAULT_BASE_URL,
                 timeout: float = web.DEFAULT_TIMEOUT, carriers: CarrierMap | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        if not api_key:
            raise ValueError("AfterShip needs an API key")
        self._secret = webhook_secret
        self._carriers = carriers or default_carriers()
        headers = {"as-api-key": api_key, "Accept": "application/json"}
        self._client = web.make_client(base_url, headers, timeout, transport)

    def register(self, tracking_number: str, carrier: str | None, order_id: str) -> None:
        body = {"tracking_number": tracking_number, "order_id": order_id}
        slug = self._carriers.aftership_slug(carrier)
        if slug:  # without a slug AfterShip detects the courier from the number
            body["slug"] = slug
        self._request("POST", "trackings", json=body, accept=TRACKING_ALREADY_EXISTS)

    def fetch(self, tracking_number: str, carrier: str | None, timeout: float) -> TrackingUpdate | None:
        params = {"tracking_numbers": tracking_number}
        slug = self._carriers.aftership_slug(carrier)
        if slug:
            params["slug"] = slug
        envelope = self._request("GET", "trackings", params=params, timeout=timeout)
        listing = _listing(envelope.data or {})
        found = _pick(listing.trackings or [], tracking_number, slug)
        return to_update(found) if found else None

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[TrackingUpdate]:
        secret = web.require_secret(PROVIDER, self._secret)
        digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
        if not web.same_signature(base64.b64encode(digest).decode(), web.header(headers, SIGNATURE_HEADER)):
            raise InvalidSignature(f"{PROVIDER}: webhook signature does not match")
        try:
            event = WebhookEvent.model_validate_json(body)
        except ValidationError as exc:
            raise TrackerError(f"{PROVIDER}: signed webhook is not a tracking event", retryable=False) from exc
        return [to_update(event.msg)] if event.msg else []

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> AfterShipTracker:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def _request(self, method: str, path: str, *, timeout: float | None = None, accept: int | None = None,
                 **kwargs: Any) -> Envelope:
        response = web.send(self._client, PROVIDER, method, path, timeout=timeout, **kwargs)
        envelope = _envelope(response)
        if response.is_success:
            if envelope is None:  # a proxy's page or a cut body: worth another try
                raise TrackerError(f"{PROVIDER}: HTTP {response.status_code} without an envelope", retryable=True)
            return envelope
        if envelope is not None and accept is not None and envelope.meta.code == accept:
            return envelope
        message = envelope.meta.message if envelope and envelope.meta.message else response.reason_phrase
        code = f" (meta {envelope.meta.code})" if envelope else ""
        raise web.status_error(PROVIDER, response, f"{message}{code}", retry_after=_rate_limit_wait(response))


def _envelope(response: httpx.Response) -> Envelope | None:
    try:
        return Envelope.model_validate_json(response.content)
    except ValidationError:
        return None


def _listing(data: Any) -> TrackingList:
    try:
        return TrackingList.model_validate(data)
    except ValidationError as exc:
        raise TrackerError(f"{PROVIDER}: unexpected answer: {exc.error_count()} problem(s)", retryable=False) from exc


def _rate_limit_wait(response: httpx.Response, now: float | None = None) -> float | None:
    """Seconds until the rate-limit window resets: Retry-After if sent, else X-RateLimit-Reset (a Unix time)."""
    explicit = web.retry_after_header(response.headers, now)
    if explicit is not None:
        return explicit
    reset = response.headers.get("x-ratelimit-reset")
    try:
        moment = float(reset) if reset else None
    except ValueError:
        moment = None
    if moment is None:
        return None
    if moment > 1e11:  # milliseconds, as some gateways send
        moment /= 1000
    return max(0.0, moment - (time.time() if now is None else now))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _pick(trackings: list[Tracking], number: str, slug: str | None) -> Tracking | None:
    """The number's tracking; with several couriers on one number, the given slug, else the newest."""
    same = [t for t in trackings if t.tracking_number.strip().upper() == number.strip().upper()]
    if slug:
        same = [t for t in same if t.slug == slug] or same
    return max(same, key=lambda t: n.parse_moment(t.updated_at) or _EPOCH, default=None)


def to_update(tracking: Tracking) -> TrackingUpdate:
    events = n.oldest_first(filter(None, map(_event, tracking.checkpoints or [])))
    status = n.aftership_status(tracking.tag, tracking.subtag)
    latest_words = events[-1].description if events else tracking.subtag_message
    delivered = n.delivered_at(events, status)
    if delivered is None and status == "delivered" and tracking.shipment_delivery_date:
        delivered = n.parse_moment(tracking.shipment_delivery_date)
    return TrackingUpdate(
        provider=PROVIDER, tracking_number=tracking.tracking_number, carrier=tracking.slug, status=status,
        detail=tracking.subtag, duties_due=n.aftership_duties_due(tracking.subtag, latest_words), events=events,
        delivered_at=delivered, estimated_delivery=_estimate(tracking),
    )


def _event(checkpoint: Checkpoint) -> CarrierEvent | None:
    at = n.parse_moment(checkpoint.checkpoint_time) or n.parse_moment(checkpoint.created_at)
    if at is None:
        return None
    country = checkpoint.country_region_name or checkpoint.country_region
    return CarrierEvent(
        at=at, status=n.aftership_status(checkpoint.tag, checkpoint.subtag),
        location=n.place(checkpoint.city, country, checkpoint.location), description=checkpoint.message or None,
        detail=checkpoint.subtag,
    )


def _estimate(tracking: Tracking) -> date | None:
    """The newest estimate first (AfterShip's own pick among carrier, AI and custom), then each source; for a
    range, its last day (what the shopper may be told without over-promising)."""
    latest = tracking.latest_estimated_delivery
    candidates = [latest.moment or latest.moment_max] if latest else []
    for estimate in (tracking.courier_estimated_delivery_date, tracking.aftership_estimated_delivery_date,
                     tracking.custom_estimated_delivery_date):
        if estimate:
            candidates.append(estimate.estimated_delivery_date or estimate.estimated_delivery_date_max)
    return next((day for day in map(n.parse_day, candidates) if day), None)
