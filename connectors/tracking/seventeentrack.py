"""17TRACK Tracking API v2.2 (https://api.17track.net/en/doc?version=v2.2).

POST endpoints take JSON arrays (up to 40 numbers) and answer {code, data: {accepted: [...], rejected: [{number,
error: {code, message}}]}}; a whole-request failure is {code: <error>, data: {errors: [...]}}. Pushes (webhooks)
carry {event, data} with header `sign` = hex SHA-256 of (raw body + "/" + the account's security key).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from types import TracebackType

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connectors.models import ShipmentStatus
from connectors.tracking import _http as web
from connectors.tracking import normalise as n
from connectors.tracking.carriers import CarrierMap, default_carriers
from connectors.tracking.models import CarrierEvent, InvalidSignature, TrackerError, TrackingUpdate

PROVIDER = "17track"
DEFAULT_BASE_URL = "https://api.17track.net/track/v2.2/"
ALREADY_REGISTERED = -18019901
NOT_REGISTERED = -18019902
NO_TRACKING_INFO_YET = -18019909  # registered, but the carrier has published nothing so far
INTERNAL_ERROR = -18010003  # "internal service error, please retry later"
RATE_LIMIT_WAIT = 1.0  # 17TRACK limits calls per second and sends no reset header on 429
SIGNATURE_HEADER = "sign"


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Address(_Model):
    country: str | None = None  # ISO 3166 alpha-2
    city: str | None = None


class Event(_Model):
    time_iso: str | None = None  # carrier's local time with its offset
    time_utc: str | None = None
    description: str | None = None  # the carrier's own words (not 17TRACK's translation)
    location: str | None = None
    sub_status: str | None = None
    address: Address | None = None


class ProviderEvents(_Model):
    events: list[Event] | None = None


class Tracking(_Model):
    providers: list[ProviderEvents] | None = None  # origin and destination carriers, each with its scans


class LatestStatus(_Model):
    status: str | None = None
    sub_status: str | None = None


class Estimate(_Model):
    start: str | None = Field(default=None, alias="from")
    end: str | None = Field(default=None, alias="to")


class TimeMetrics(_Model):
    estimated_delivery_date: Estimate | None = None


class Milestone(_Model):
    key_stage: str | None = None
    time_utc: str | None = None
    time_iso: str | None = None


class TrackInfo(_Model):
    latest_status: LatestStatus | None = None
    latest_event: Event | None = None
    time_metrics: TimeMetrics | None = None
    milestone: list[Milestone] | None = None
    tracking: Tracking | None = None


class Item(_Model):
    number: str
    carrier: int | None = None
    tag: str | None = None
    track_info: TrackInfo | None = None


class Problem(_Model):
    code: int
    message: str | None = None


class Rejection(_Model):
    number: str | None = None
    error: Problem | None = None


class Data(_Model):
    accepted: list[Item] | None = None
    rejected: list[Rejection] | None = None
    errors: list[Problem] | None = None


class Answer(_Model):
    code: int
    data: Data | None = None


class Push(_Model):
    event: str | None = None  # TRACKING_UPDATED | TRACKING_STOPPED
    data: Item | None = None


class SeventeenTrackTracker:
    """Settings: api_key (the `17token` security key, which also signs pushes), base_url, timeout (seconds, writes;
    fetch() takes its own), carriers (a CarrierMap; carriers.yaml by default)."""

    name = PROVIDER

    def __init__(self, api_key: str, *, base_url: str = DEFAULT_BASE_URL, timeout: float = web.DEFAULT_TIMEOUT,
                 carriers: CarrierMap | None = None, transport: httpx.BaseTransport | None = None) -> None:
        if not api_key:
            raise ValueError("17TRACK needs an API key (17token)")
        self._key = api_key
        self._carriers = carriers or default_carriers()
        headers = {"17token": api_key, "Accept": "application/json"}
        self._client = web.make_client(base_url, headers, timeout, transport)

    def register(self, tracking_number: str, carrier: str | None, order_id: str) -> None:
        item: dict[str, str | int] = {"number": tracking_number, "tag": order_id}
        code = self._carriers.seventeentrack_code(carrier)
        if code:  # without a carrier 17TRACK detects it from the number
            item["carrier"] = code
        data = self._post("register", [item])
        if _accepted(data, tracking_number):
            return
        problem = _rejection(data, tracking_number)
        if problem.code != ALREADY_REGISTERED:
            raise TrackerError(f"{PROVIDER}: register rejected: {problem.message} ({problem.code})", retryable=False)

    def fetch(self, tracking_number: str, carrier: str | None, timeout: float) -> TrackingUpdate | None:
        item: dict[str, str | int] = {"number": tracking_number}
        code = self._carriers.seventeentrack_code(carrier)
        if code:
            item["carrier"] = code
        data = self._post("gettrackinfo", [item], timeout=timeout)
        found = _accepted(data, tracking_number)
        if found:
            return to_update(found)
        problem = _rejection(data, tracking_number)
        if problem.code in (NOT_REGISTERED, NO_TRACKING_INFO_YET):
            return None
        raise TrackerError(f"{PROVIDER}: gettrackinfo rejected: {problem.message} ({problem.code})", retryable=False)

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[TrackingUpdate]:
        expected = web.sha256_hex(body + b"/" + self._key.encode())
        given = web.header(headers, SIGNATURE_HEADER)
        if not web.same_signature(expected, given.lower() if given else None):
            raise InvalidSignature(f"{PROVIDER}: push signature does not match")
        try:
            push = Push.model_validate_json(body)
        except ValidationError as exc:
            raise TrackerError(f"{PROVIDER}: signed push is not a tracking event", retryable=False) from exc
        if push.event != "TRACKING_UPDATED" or push.data is None:
            return []  # TRACKING_STOPPED: 17TRACK stopped following the number; its last state already came
        return [to_update(push.data)]

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> SeventeenTrackTracker:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def _post(self, endpoint: str, items: list[dict[str, str | int]], *, timeout: float | None = None) -> Data:
        response = web.send(self._client, PROVIDER, "POST", endpoint, json=items, timeout=timeout)
        answer = _answer(response)
        problem = _request_problem(answer)
        if not response.is_success:
            message = problem.message if problem and problem.message else response.reason_phrase
            wait = web.retry_after_header(response.headers)
            wait = RATE_LIMIT_WAIT if wait is None else wait
            raise web.status_error(PROVIDER, response, message or "", retry_after=wait)
        if answer is None:  # 200 with a body we cannot read: a proxy page or a cut connection
            raise TrackerError(f"{PROVIDER}: HTTP {response.status_code} with an unreadable body", retryable=True)
        if answer.code != 0:
            text = problem.message if problem and problem.message else "request refused"
            raise TrackerError(f"{PROVIDER}: {text} ({answer.code})", retryable=answer.code == INTERNAL_ERROR)
        return answer.data or Data()


def _answer(response: httpx.Response) -> Answer | None:
    try:
        return Answer.model_validate_json(response.content)
    except ValidationError:
        return None


def _request_problem(answer: Answer | None) -> Problem | None:
    if answer is None or answer.data is None or not answer.data.errors:
        return None
    return answer.data.errors[0]


def _same(a: str | None, b: str) -> bool:
    return (a or "").strip().upper() == b.strip().upper()


def _accepted(data: Data, number: str) -> Item | None:
    return next((item for item in data.accepted or [] if _same(item.number, number)), None)


def _rejection(data: Data, number: str) -> Problem:
    for rejected in data.rejected or []:
        if _same(rejected.number, number) and rejected.error:
            return rejected.error
    raise TrackerError(f"{PROVIDER}: the answer neither accepts nor rejects {number}", retryable=False)


def to_update(item: Item) -> TrackingUpdate:
    info = item.track_info or TrackInfo()
    providers = info.tracking.providers if info.tracking else None
    scans = [scan for provider in providers or [] for scan in provider.events or []]
    if not scans and info.latest_event:  # some answers carry only the newest scan
        scans = [info.latest_event]
    events = n.oldest_first(_events(scans))
    latest = info.latest_status or LatestStatus()
    status = n.seventeen_status(latest.status, latest.sub_status)
    words = info.latest_event.description if info.latest_event else None
    if not words and events:
        words = events[-1].description
    return TrackingUpdate(
        provider=PROVIDER, tracking_number=item.number, carrier=str(item.carrier) if item.carrier else None,
        status=status, detail=latest.sub_status, duties_due=n.seventeen_duties_due(latest.sub_status, words),
        events=events, delivered_at=n.delivered_at(events, status) or _milestone_delivery(info, status),
        estimated_delivery=_estimate(info),
    )


def _events(scans: Iterable[Event]) -> Iterable[CarrierEvent]:
    for scan in scans:
        at = n.parse_moment(scan.time_utc) or n.parse_moment(scan.time_iso)
        if at is None:  # a scan without a time cannot be placed in the history
            continue
        address = scan.address or Address()
        yield CarrierEvent(
            at=at, status=n.seventeen_status(None, scan.sub_status),
            location=n.place(address.city, address.country, scan.location), description=scan.description or None,
            detail=scan.sub_status,
        )


def _milestone_delivery(info: TrackInfo, status: ShipmentStatus) -> datetime | None:
    if status != "delivered":
        return None
    stage = next((m for m in info.milestone or [] if m.key_stage == "Delivered"), None)
    return (n.parse_moment(stage.time_utc) or n.parse_moment(stage.time_iso)) if stage else None


def _estimate(info: TrackInfo) -> date | None:
    """17TRACK gives a from/to window; the last day is what the shopper may be told without over-promising."""
    window = info.time_metrics.estimated_delivery_date if info.time_metrics else None
    return n.parse_day(window.end or window.start) if window else None
