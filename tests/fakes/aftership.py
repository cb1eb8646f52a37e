"""A fake AfterShip Tracking API, version 2025-01, on 127.0.0.1, built from AfterShip's public docs.

Served under /tracking/2025-01/: POST /trackings, GET /trackings (filters + cursor), GET /trackings/:id.
Auth is the `as-api-key` header only (the legacy `aftership-api-key` header is refused since 2023-10).
Every answer is the {meta: {code, message, type}, data} envelope with the documented meta codes, carries
`as-api-version: 2025-01` and X-RateLimit-Limit/Remaining/Reset, and unknown routes answer 404 NotFound.
Tests drive it with add_tracking / add_checkpoint / send_webhook and inject failures with
fail_next / delay_next / rate_limit_next; every request is kept in `calls`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

from tests.fakes.http import Headers, loopback_server

API_VERSION = "2025-01"
PREFIX = f"/tracking/{API_VERSION}"
TAGS = ("Pending", "InfoReceived", "InTransit", "OutForDelivery", "AttemptFail", "Delivered",
        "AvailableForPickup", "Exception", "Expired")
# Subtag code -> subtag_message ("Delivery Sub-statuses" enum of the tracking docs).
SUBTAGS: dict[str, str] = {
    "Pending_001": "Pending",
    "InfoReceived_001": "Info Received",
    "InTransit_001": "In Transit", "InTransit_002": "Acceptance scan", "InTransit_003": "Arrival scan",
    "InTransit_004": "Arrived at the destination country", "InTransit_005": "Customs clearance completed",
    "InTransit_006": "Customs clearance started", "InTransit_007": "Departure Scan",
    "InTransit_008": "Problem resolved", "InTransit_009": "Forwarded to a different delivery address",
    "OutForDelivery_001": "Out for Delivery", "OutForDelivery_003": "Customer contacted",
    "OutForDelivery_004": "Delivery appointment scheduled",
    "AttemptFail_001": "Failed Attempt", "AttemptFail_002": "Addressee not available",
    "AttemptFail_003": "Business Closed",
    "Delivered_001": "Delivered", "Delivered_002": "Picked up by the customer", "Delivered_003": "Sign by customer",
    "Delivered_004": "Delivered and received cash on delivery",
    "AvailableForPickup_001": "Available for pickup",
    "Exception_001": "Exception", "Exception_002": "Customer moved", "Exception_003": "Customer refused delivery",
    "Exception_004": "Delayed (Customs clearance)", "Exception_005": "Delayed (External factors)",
    "Exception_006": "Held for payment", "Exception_007": "Incorrect Address", "Exception_008": "Pick up missed",
    "Exception_009": "Rejected by carrier", "Exception_010": "Returning to sender",
    "Exception_011": "Returned to sender", "Exception_012": "Shipment damage", "Exception_013": "Shipment lost",
    "Expired_001": "Expired",
}
RETURN_SUBTAGS = {"Exception_010", "Exception_011"}
COURIERS = {"ups": "UPS", "usps": "USPS", "fedex": "FedEx", "dhl": "DHL Express", "china-ems": "China EMS",
            "china-post": "China Post", "royal-mail": "Royal Mail", "correios": "Correios Brazil",
            "yunexpress": "YunExpress", "4px": "4PX", "cainiao": "Cainiao", "la-poste-colissimo": "La Poste"}
# Per-endpoint requests/second from the 2025-01 "Rate limit" page.
RATE_LIMITS = {"POST /trackings": 20, "GET /trackings": 6, "GET /trackings/:id": 5}
# meta.code -> (HTTP status, meta.type, message), from the tracking "Request Errors" table.
ERRORS: dict[int, tuple[int, str, str]] = {
    4001: (400, "BadRequest", "Invalid JSON data."),
    4003: (400, "BadRequest", "Tracking already exists."),
    4004: (404, "BadRequest", "Tracking does not exist."),
    4005: (400, "BadRequest", "The value of tracking_number is invalid."),
    4007: (400, "BadRequest", "tracking_number is required."),
    4008: (400, "BadRequest", "The value of {0} is invalid."),
    4010: (400, "BadRequest", "The value of slug is invalid."),
    4012: (400, "BadRequest", "Unable to import shipment as we don’t recognize the carrier from this tracking number."),
    4015: (400, "BadRequest", "The value of id is invalid."),
    401: (401, "Unauthorized", "Invalid API key."),
    404: (404, "NotFound", "The URI requested is invalid or the resource requested does not exist."),
    429: (429, "TooManyRequests",
          "You have exceeded the API call rate limit. The default limit is 10 requests per second."),
    500: (500, "InternalError", "Something went wrong on AfterShip's end."),
}
LIST_FILTERS = {"slug": "slug", "tag": "tag", "order_id": "order_id", "destination": "destination_country_region",
                "origin": "origin_country_region"}
ISO3 = re.compile(r"^[A-Z]{3}$")
TRACKING_ID = re.compile(r"^[0-9a-zA-Z_-]{1,32}$")
STRING_FIELDS = ("title", "order_id", "order_number", "order_id_path", "note", "language", "shipment_type",
                 "origin_state", "origin_city", "origin_postal_code", "destination_state", "destination_city",
                 "destination_postal_code", "tracking_account_number", "tracking_key", "tracking_ship_date")
TRACKING_FIELDS = (
    "id", "legacy_id", "created_at", "updated_at", "tracking_number", "slug", "active", "custom_fields",
    "transit_time", "origin_country_region", "origin_state", "origin_city", "origin_postal_code",
    "origin_raw_location", "destination_country_region", "destination_state", "destination_city",
    "destination_postal_code", "destination_raw_location", "courier_destination_country_region",
    "courier_estimated_delivery_date", "note", "order_id", "order_id_path", "order_date", "shipment_package_count",
    "shipment_pickup_date", "shipment_delivery_date", "shipment_type", "shipment_weight", "signed_by", "source",
    "tag", "subtag", "subtag_message", "title", "tracked_count", "last_mile_tracking_supported", "language",
    "unique_token", "checkpoints", "subscribed_smses", "subscribed_emails", "return_to_sender",
    "order_promised_delivery_date", "delivery_type", "pickup_location", "pickup_note", "courier_tracking_link",
    "first_attempted_at", "courier_redirect_link", "tracking_account_number", "tracking_key", "tracking_ship_date",
    "on_time_status", "on_time_difference", "order_tags", "aftership_estimated_delivery_date",
    "custom_estimated_delivery_date", "order_number", "first_estimated_delivery", "latest_estimated_delivery",
    "shipment_tags", "courier_connection_id", "carbon_emissions", "location_id", "shipping_method",
    "failed_delivery_attempts", "signature_requirement", "delivery_location_type", "aftership_tracking_url",
    "aftership_tracking_order_url", "first_mile", "last_mile", "customers",
)

Reply = tuple[int, dict[str, str], dict[str, Any]]


class ApiError(Exception):
    def __init__(self, code: int, field: str = "") -> None:
        super().__init__(code)
        self.code, self.field = code, field


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def envelope(code: int, field: str = "", data: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    status, kind, message = ERRORS.get(code, (code, "InternalError", ERRORS[500][2]))
    return status, {"meta": {"code": code, "message": message.format(field), "type": kind}, "data": data or {}}


class FakeAfterShip:
    def __init__(self, api_key: str = "test-aftership-key", now: datetime | None = None,
                 enforce_rate_limits: bool = False, clock: Callable[[], float] = time.time) -> None:
        self.api_key = api_key
        self.clock = clock  # rate-limit windows read it: tests freeze it instead of racing the wall clock
        self.fixed_now = now
        self.enforce_rate_limits = enforce_rate_limits
        self.trackings: dict[str, dict[str, Any]] = {}
        self.calls: list[Call] = []
        self.webhooks: list[tuple[str, bytes, dict[str, str]]] = []
        self._failures: list[int] = []
        self._delays: list[float] = []
        self._windows: dict[str, list[float]] = {}
        self._tags_sent: dict[str, set[str]] = {}
        self._lock = threading.Lock()
        self.server = loopback_server(self._http)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.url = f"{self.base}{PREFIX}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeAfterShip:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ---- seeding and driving -------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.fixed_now or datetime.now(UTC)

    def add_tracking(self, tracking_number: str, slug: str, *, order_id: str | None = None,
                     title: str | None = None, tracking_id: str | None = None, **fields: Any) -> dict[str, Any]:
        """Seed a tracking as if created through the API; returns a copy of the tracking object."""
        if slug not in COURIERS:
            raise ValueError(f"unknown slug {slug!r}; add it to aftership.COURIERS")
        body = {"tracking_number": tracking_number, "slug": slug, "order_id": order_id, "title": title,
                "id": tracking_id, **fields}
        with self._lock:
            return json.loads(json.dumps(self._create({k: v for k, v in body.items() if v is not None})))

    def add_checkpoint(self, tracking: str | tuple[str, str], tag: str, subtag: str | None = None,
                       message: str = "", location: str | None = None, country: str | None = None,
                       time: datetime | None = None, city: str | None = None) -> dict[str, Any]:
        """Append a carrier checkpoint; the tracking's tag/subtag follow its newest checkpoint."""
        subtag = subtag or f"{tag}_001"
        if tag not in TAGS or subtag not in SUBTAGS or not subtag.startswith(f"{tag}_"):
            raise ValueError(f"{tag}/{subtag} is not a documented AfterShip tag/subtag pair")
        if time is not None and time.tzinfo is None:
            raise ValueError("checkpoint time must be timezone-aware")
        with self._lock:
            record = self._find(tracking)
            moment = time or self.now()
            record["checkpoints"].append({
                "created_at": iso(self.now()), "slug": record["slug"], "checkpoint_time": moment.isoformat(),
                "location": location, "city": city, "state": None, "zip": None, "coordinate": None,
                "country_region": country, "country_region_name": None, "message": message, "tag": tag,
                "subtag": subtag, "subtag_message": SUBTAGS[subtag], "raw_tag": None, "events": [], "source": None,
            })
            self._refresh(record)
            return json.loads(json.dumps(record))

    def get(self, tracking: str | tuple[str, str]) -> dict[str, Any]:
        with self._lock:
            return json.loads(json.dumps(self._find(tracking)))

    def send_webhook(self, url: str, secret: str, tracking: str | tuple[str, str] | dict[str, Any],
                     event: str = "tracking_update") -> httpx.Response:
        """POST a Tracking webhook the way AfterShip does: raw JSON body signed with base64 HMAC-SHA256."""
        msg = tracking if isinstance(tracking, dict) else self.get(tracking)
        first = msg.get("tag") not in self._tags_sent.setdefault(str(msg.get("id")), set())
        self._tags_sent[str(msg.get("id"))].add(str(msg.get("tag")))
        payload = {"event": event, "event_id": str(uuid.uuid4()), "is_tracking_first_tag": first, "msg": msg,
                   "ts": int(self.now().timestamp())}
        raw = json.dumps(payload).encode()
        digest = hmac.new(secret.encode(), raw, hashlib.sha256).digest()
        headers = {"Content-Type": "application/json", "aftership-hmac-sha256": base64.b64encode(digest).decode(),
                   "as-webhook-version": API_VERSION}
        self.webhooks.append((url, raw, headers))
        with httpx.Client(trust_env=False, timeout=10) as client:
            return client.post(url, content=raw, headers=headers)

    def fail_next(self, n: int = 1, status: int = 500) -> None:
        self._failures += [status] * n

    def rate_limit_next(self, n: int = 1) -> None:
        self._failures += [429] * n

    def delay_next(self, seconds: float, n: int = 1) -> None:
        self._delays += [seconds] * n

    def called(self, method: str, path_suffix: str = "") -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path.endswith(path_suffix)]

    # ---- HTTP plumbing -------------------------------------------------------------------------------------
    def _http(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> tuple[int, Headers, bytes]:
        status, reply_headers, body = self.answer(method, target, headers, raw)
        return status, {**reply_headers, "Content-Type": "application/json"}, json.dumps(body).encode()

    def answer(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> Reply:
        parsed = urlparse(target)
        headers = {k.lower(): v for k, v in headers.items()}
        self.calls.append(Call(method, parsed.path, parse_qs(parsed.query), headers, raw))
        if self._delays:
            time.sleep(self._delays.pop(0))  # outside the lock: a slow answer must not block others
        with self._lock:
            route = self._route(method, parsed.path)
            limits, over = self._limit_headers(route)
            if (self._failures and self._failures[0] == 429) or (self.enforce_rate_limits and over):
                limits["X-RateLimit-Remaining"] = "0"
            status, body = self._dispatch(method, parsed.path, route, parse_qs(parsed.query), headers, raw, over)
            return status, {"as-api-version": API_VERSION, **limits}, body

    def _dispatch(self, method: str, path: str, route: str, query: dict[str, list[str]], headers: dict[str, str],
                  raw: bytes, over: bool) -> tuple[int, dict[str, Any]]:
        if self._failures:
            return envelope(self._failures.pop(0))
        if headers.get("as-api-key") != self.api_key:
            return envelope(401)
        if self.enforce_rate_limits and over:
            return envelope(429)
        try:
            if route == "POST /trackings":
                return 201, {"meta": {"code": 201, "message": "The request was successful and a resource was "
                                      "created.", "type": "Created"}, "data": self._create(self._json(raw))}
            if route == "GET /trackings":
                return self._ok(self._list(query))
            if route == "GET /trackings/:id":
                return self._ok(self._by_id(path.rsplit("/", 1)[-1]))
        except ApiError as error:
            return envelope(error.code, error.field)
        return envelope(404)

    @staticmethod
    def _ok(data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return 200, {"meta": {"code": 200, "message": "The request was processed successfully.", "type": "OK"},
                     "data": data}

    @staticmethod
    def _route(method: str, path: str) -> str:
        if path.rstrip("/") == f"{PREFIX}/trackings" and method in ("GET", "POST"):
            return f"{method} /trackings"
        if re.fullmatch(rf"{PREFIX}/trackings/[^/]+", path) and method == "GET":
            return "GET /trackings/:id"
        return ""

    def _limit_headers(self, route: str) -> tuple[dict[str, str], bool]:
        """Counts requests per endpoint in a 1-second window, as the per-endpoint limits of 2024-07+ do."""
        if not route:
            return {}, False
        now = self.clock()
        window = [t for t in self._windows.get(route, []) if now - t < 1.0] + [now]
        self._windows[route] = window
        limit = RATE_LIMITS[route]
        headers = {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(max(0, limit - len(window))),
                   "X-RateLimit-Reset": str(int(now) + 1)}
        return headers, len(window) > limit

    # ---- resources -----------------------------------------------------------------------------------------
    @staticmethod
    def _json(raw: bytes) -> dict[str, Any]:
        try:
            body = json.loads(raw or b"null")
        except ValueError as error:
            raise ApiError(4001) from error
        if not isinstance(body, dict):
            raise ApiError(4001)
        return body

    def _create(self, body: dict[str, Any]) -> dict[str, Any]:
        number = body.get("tracking_number")
        if number is None:
            raise ApiError(4007)  # also what a v4-style {"tracking": {...}} body gets
        if not isinstance(number, str) or not number.strip() or re.search(r"\s", number):
            raise ApiError(4005)
        slug = body.get("slug") or self._detect(number)
        if not isinstance(slug, str) or slug not in COURIERS:
            raise ApiError(4010)
        self._validate(body)
        if any(t["tracking_number"] == number and t["slug"] == slug for t in self.trackings.values()):
            raise ApiError(4003)
        tracking_id = body.get("id") or uuid.uuid4().hex
        if tracking_id in self.trackings:
            raise ApiError(4003)
        record: dict[str, Any] = dict.fromkeys(TRACKING_FIELDS)
        record.update({k: v for k, v in body.items() if k in TRACKING_FIELDS})
        record.update({
            "id": tracking_id, "legacy_id": uuid.uuid4().hex[:24], "created_at": iso(self.now()),
            "updated_at": iso(self.now()), "tracking_number": number, "slug": slug, "active": True,
            "checkpoints": [], "tag": "Pending", "subtag": "Pending_001", "subtag_message": SUBTAGS["Pending_001"],
            "title": body.get("title") or number, "source": "api", "tracked_count": 0, "return_to_sender": False,
            "shipment_tags": body.get("shipment_tags") or [], "order_tags": [],
            "customers": body.get("customers") or [],
        })
        self.trackings[tracking_id] = record
        return record

    @staticmethod
    def _detect(number: str) -> str:
        if re.fullmatch(r"1Z[0-9A-Z]{16}", number):
            return "ups"
        if re.fullmatch(r"[A-Z]{2}\d{9}CN", number):
            return "china-post"
        raise ApiError(4012)

    @staticmethod
    def _validate(body: dict[str, Any]) -> None:
        if "id" in body and not (isinstance(body["id"], str) and TRACKING_ID.fullmatch(body["id"])):
            raise ApiError(4015)
        for field in ("origin_country_region", "destination_country_region"):
            if body.get(field) is not None and not (isinstance(body[field], str) and ISO3.fullmatch(body[field])):
                raise ApiError(4008, field)  # ISO 3166-1 alpha-3 only
        for field in STRING_FIELDS:
            if body.get(field) is not None and not isinstance(body[field], str):
                raise ApiError(4008, field)
        customers = body.get("customers")
        if customers is not None and not (isinstance(customers, list) and all(isinstance(c, dict) for c in customers)):
            raise ApiError(4008, "customers")
        custom = body.get("custom_fields")
        if custom is not None and not (isinstance(custom, dict) and all(isinstance(v, str) for v in custom.values())):
            raise ApiError(4008, "custom_fields")

    def _by_id(self, tracking_id: str) -> dict[str, Any]:
        if tracking_id not in self.trackings:
            raise ApiError(4004)
        return self.trackings[tracking_id]

    def _find(self, ref: str | tuple[str, str]) -> dict[str, Any]:
        if isinstance(ref, tuple):
            slug, number = ref
            found = [t for t in self.trackings.values() if t["slug"] == slug and t["tracking_number"] == number]
            if not found:
                raise KeyError(f"no tracking {slug}/{number}")
            return found[0]
        return self.trackings[ref]

    def _list(self, query: dict[str, list[str]]) -> dict[str, Any]:
        arg = {key: values[-1] for key, values in query.items()}
        limit = self._int(arg.get("limit", "100"), "limit", 1, 200)
        for field in ("created_at_min", "created_at_max", "updated_at_min", "updated_at_max"):
            if field in arg:
                self._moment(arg[field], field)  # 2025-01 answers 400 instead of silently defaulting
        numbers = [n for n in arg.get("tracking_numbers", "").split(",") if n]
        if len(numbers) > 50:
            raise ApiError(4008, "tracking_numbers")
        rows = sorted(self.trackings.values(), key=lambda t: t["created_at"], reverse=True)
        rows = [t for t in rows if self._matches(t, arg, numbers)]
        start = self._cursor(arg["cursor"]) if "cursor" in arg else 0
        page = rows[start:start + limit]
        more = start + limit < len(rows)
        cursor = base64.urlsafe_b64encode(str(start + limit).encode()).decode() if more else None
        return {"pagination": {"total": len(rows), "next_cursor": cursor, "has_next_page": more}, "trackings": page}

    def _matches(self, tracking: dict[str, Any], arg: dict[str, str], numbers: list[str]) -> bool:
        checks = [not numbers or tracking["tracking_number"] in numbers,
                  self._in_window(tracking["created_at"], arg.get("created_at_min"), arg.get("created_at_max"))]
        checks += [str(tracking[field]) in arg[key].split(",") for key, field in LIST_FILTERS.items() if key in arg]
        keyword = arg.get("keyword")
        if keyword:
            checks.append(any(keyword in str(tracking.get(k) or "") for k in ("tracking_number", "title", "order_id")))
        return all(checks)

    def _in_window(self, stamp: str, low: str | None, high: str | None) -> bool:
        moment = datetime.fromisoformat(stamp)
        return (low is None or moment >= self._moment(low, "created_at_min")) and \
            (high is None or moment <= self._moment(high, "created_at_max"))

    @staticmethod
    def _moment(value: str, field: str) -> datetime:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as error:
            raise ApiError(4008, field) from error
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    @classmethod
    def _cursor(cls, cursor: str) -> int:
        try:
            return cls._int(base64.urlsafe_b64decode(cursor.encode()).decode(), "cursor", 0, 10**9)
        except (ValueError, UnicodeDecodeError) as error:
            raise ApiError(4008, "cursor") from error

    @staticmethod
    def _int(value: str, field: str, low: int, high: int) -> int:
        if not value.isdigit() or not low <= int(value) <= high:
            raise ApiError(4008, field)
        return int(value)

    def _refresh(self, record: dict[str, Any]) -> None:
        """Tag, subtag and dates follow the newest checkpoint, as AfterShip recomputes them on each update."""
        points = sorted(record["checkpoints"], key=lambda c: datetime.fromisoformat(c["checkpoint_time"]))
        record["checkpoints"] = points
        latest = points[-1]
        record.update({"tag": latest["tag"], "subtag": latest["subtag"], "subtag_message": latest["subtag_message"],
                       "updated_at": iso(self.now()), "tracked_count": record["tracked_count"] + 1,
                       "return_to_sender": any(c["subtag"] in RETURN_SUBTAGS for c in points)})
        picked = [c for c in points if c["tag"] == "InTransit"]
        record["shipment_pickup_date"] = picked[0]["checkpoint_time"] if picked else None
        record["shipment_delivery_date"] = latest["checkpoint_time"] if latest["tag"] == "Delivered" else None
        record["failed_delivery_attempts"] = sum(c["tag"] == "AttemptFail" for c in points)
