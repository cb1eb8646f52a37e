"""A fake 17TRACK Tracking API v2.2 on 127.0.0.1, built from 17TRACK's public v2.2 docs and help-centre pages.

POST /track/v2.2/{register,gettrackinfo,changecarrier,stoptrack,retrack,getquota}; auth is the `17token` header.
Bodies are JSON arrays of at most 40 items; answers are {code: 0, data: {accepted: [...], rejected: [{number,
error: {code, message}}]}} with the documented -1801xxxx / -1801990x codes, and a whole-request failure is
{code: <error>, data: {errors: [{code, message}]}}. Tests seed with add_number / add_event, push webhooks with
send_push (header `sign` = sha256 hex of raw body + "/" + key) and inject fail_next / delay_next / rate_limit_next.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import httpx

from tests.fakes.http import Headers, loopback_server

PREFIX = "/track/v2.2/"
MAX_NUMBERS = 40
RATE_LIMIT_PER_SECOND = 3
STATUSES = ("NotFound", "InfoReceived", "InTransit", "Expired", "AvailableForPickup", "OutForDelivery",
            "DeliveryFailure", "Delivered", "Exception")
SUB_STATUSES = (
    "NotFound_Other", "NotFound_InvalidCode", "InfoReceived",
    "InTransit_PickedUp", "InTransit_Other", "InTransit_Departure", "InTransit_Arrival",
    "InTransit_CustomsProcessing", "InTransit_CustomsReleased", "InTransit_CustomsRequiringInformation",
    "Expired_Other", "AvailableForPickup_Other", "OutForDelivery_Other",
    "DeliveryFailure_Other", "DeliveryFailure_NoBody", "DeliveryFailure_Security", "DeliveryFailure_Rejected",
    "DeliveryFailure_InvalidAddress", "Delivered_Other",
    "Exception_Other", "Exception_Returning", "Exception_Returned", "Exception_NoBody", "Exception_Security",
    "Exception_Damage", "Exception_Rejected", "Exception_Delayed", "Exception_Lost", "Exception_Destroyed",
    "Exception_Cancel",
)
# Event sub_status -> milestone key_stage; other events carry stage null.
STAGES = {"InfoReceived": "InfoReceived", "InTransit_PickedUp": "PickedUp", "InTransit_Departure": "Departure",
          "InTransit_Arrival": "Arrival", "AvailableForPickup_Other": "AvailableForPickup",
          "OutForDelivery_Other": "OutForDelivery", "Delivered_Other": "Delivered",
          "Exception_Returning": "Returning", "Exception_Returned": "Returned"}
MILESTONES = ("InfoReceived", "PickedUp", "Departure", "Arrival", "AvailableForPickup", "OutForDelivery",
              "Delivered", "Returning", "Returned")
# A few real carrier keys (apicarrier.all.json); tests may add more through `carriers=`.
CARRIERS = {3011: "China Post", 21051: "USPS", 11031: "Royal Mail", 1151: "Australia Post",
            100001: "DHL Express", 100002: "UPS", 100003: "FedEx"}
UPU_ORIGIN = {"CN": 3011, "US": 21051, "GB": 11031, "AU": 1151}
MESSAGES = {
    -18010002: "Invalid security key.",
    -18010003: "Internal service error. Please try again later.",
    -18010010: "Please provide the data {0}.",
    -18010012: "The format of data {0} is invalid.",
    -18010013: "Invalid submitted data.",
    -18010014: "Tracking numbers exceed the 40 limit.",
    -18019801: "The tracking number is registered with multiple carriers. Please specify which tracking number you "
               "want to change the carrier code for by specifying the carrier_old parameter.",
    -18019802: "The parameter carrier_new {0} is incorrect.",
    -18019803: "The Carrier Code to be changed cannot be the same as the current one.",
    -18019804: "The Carrier Code to be changed must be specified to carrier_new or final_carrier_new.",
    -18019805: "The tracking number {0} for the specified carrier is not registered, or the existing carrier "
               "parameter carrier_old is incorrect.",
    -18019806: "Carrier cannot be changed for stopped numbers. Please retrack the number before changing the carrier.",
    -18019807: "The times for changing carrier exceed limit.",
    -18019809: "The registration information of the carrier with tracking number {0} already exists and cannot be "
               "changed to a duplicate registration information.",
    -18019901: "Tracking number {0} is already registered.",
    -18019902: "Tracking number {0} is not registered yet. Register first.",
    -18019903: "Carrier cannot be detected. Visit carrier info for carrier code and send as a parameter.",
    -18019904: "Only stopped numbers can be re-tracked.",
    -18019905: "Each tracking number can only be re-tracked once.",
    -18019906: "Only numbers being tracked can be stopped.",
    -18019907: "Tracking amount exceeds your daily limit.",
    -18019908: "Your quotas have run out.",
    -18019910: "Carrier Code {0} is incorrect.",
    429: "Access frequency exceeds limit.",
}
MISC_FIELDS = ("service_type", "weight_raw", "weight_kg", "pieces", "dimensions", "customer_number",
               "reference_number", "local_number", "local_provider")
ADDRESS = {"country": None, "state": None, "city": None, "street": None, "postal_code": None,
           "coordinates": {"longitude": None, "latitude": None}}
NUMBER_FORMAT = re.compile(r"^[A-Za-z0-9-]{5,50}$")

Reply = tuple[int, dict[str, Any] | None]


class Rejected(Exception):
    def __init__(self, code: int, arg: object = "") -> None:
        super().__init__(code)
        self.code, self.arg = code, arg


@dataclass
class Registration:
    number: str
    carrier: int
    registered_at: datetime
    tag: str | None = None
    param: str | None = None
    lang: str | None = None
    order_time: str | None = None
    status: str = "Tracking"  # 17TRACK's tracking_status: Tracking | Stopped
    retracked: bool = False
    carrier_changes: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)  # newest first, as the API lists them


def error(code: int, arg: object = "") -> dict[str, Any]:
    return {"code": code, "message": MESSAGES[code].format(arg)}


def request_error(code: int) -> dict[str, Any]:
    return {"code": code, "data": {"errors": [error(code)]}}


def utc_z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeSeventeenTrack:
    def __init__(self, token: str = "test-17token", now: datetime | None = None, quota_total: int = 100,
                 max_track_daily: int = 10_000, carriers: dict[int, str] | None = None,
                 enforce_rate_limit: bool = False, clock: Callable[[], float] = time.time) -> None:
        self.token = token
        self.clock = clock  # the rate-limit window reads it: tests freeze it instead of racing the wall clock
        self.fixed_now = now
        self.quota_total, self.quota_used, self.today_used = quota_total, 0, 0
        self.max_track_daily = max_track_daily
        self.carriers = {**CARRIERS, **(carriers or {})}
        self.enforce_rate_limit = enforce_rate_limit
        self.registrations: dict[tuple[str, int], Registration] = {}
        self.detections: dict[str, int] = {}
        self.calls: list[tuple[str, dict[str, str], bytes]] = []
        self.pushes: list[tuple[str, bytes, dict[str, str]]] = []
        self._failures: list[int] = []
        self._delays: list[float] = []
        self._window: list[float] = []
        self._lock = threading.Lock()
        self.server = loopback_server(self._http)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{PREFIX}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeSeventeenTrack:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ---- seeding and driving -------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.fixed_now or datetime.now(UTC)

    def add_number(self, number: str, carrier: int, *, tag: str | None = None, param: str | None = None,
                   registered_at: datetime | None = None) -> None:
        """Seed a registration (no quota used), as if /register had accepted it earlier."""
        if carrier not in self.carriers:
            raise ValueError(f"unknown carrier key {carrier}")
        with self._lock:
            self.registrations[(number, carrier)] = Registration(number, carrier, registered_at or self.now(),
                                                                 tag=tag, param=param)

    def set_detection(self, number: str, carrier: int) -> None:
        """What 17TRACK's auto-detection answers for `number` when /register omits the carrier."""
        self.detections[number] = carrier

    def add_event(self, number: str, sub_status: str, description: str, *, location: str | None = None,
                  time: datetime | None = None, carrier: int | None = None, country: str | None = None,
                  city: str | None = None) -> dict[str, Any]:
        """Add a carrier event; latest_status, latest_event and milestones follow the newest event."""
        if sub_status not in SUB_STATUSES:
            raise ValueError(f"{sub_status!r} is not a documented 17TRACK sub-status")
        if time is not None and time.tzinfo is None:
            raise ValueError("event time must be timezone-aware")
        moment = time or self.now()
        offset = moment.strftime("%z")
        event = {
            "time_iso": moment.isoformat(timespec="seconds"), "time_utc": utc_z(moment),
            "time_raw": {"date": moment.strftime("%Y-%m-%d"), "time": moment.strftime("%H:%M:%S"),
                         "timezone": f"{offset[:3]}:{offset[3:]}"},
            "description": description, "description_translation": None, "location": location,
            "stage": STAGES.get(sub_status), "sub_status": sub_status,
            "address": {**json.loads(json.dumps(ADDRESS)), "country": country, "city": city},
        }
        with self._lock:
            record = self._lookup(number, carrier)
            record.events.append(event)
            record.events.sort(key=lambda e: e["time_utc"], reverse=True)
            return self.track_info(record)

    def info(self, number: str, carrier: int | None = None) -> dict[str, Any]:
        with self._lock:
            return self.track_info(self._lookup(number, carrier))

    def send_push(self, url: str, number: str, *, event: str = "TRACKING_UPDATED", carrier: int | None = None,
                  key: str | None = None) -> httpx.Response:
        """POST a v2.2 webhook; header `sign` = sha256 hex of (raw body + "/" + security key)."""
        with self._lock:
            record = self._lookup(number, carrier)
            data: dict[str, Any] = {"number": record.number, "carrier": record.carrier, "param": record.param,
                                    "tag": record.tag}
            if event == "TRACKING_UPDATED":
                data["track_info"] = self.track_info(record)
        raw = json.dumps({"event": event, "data": data}).encode()
        sign = hashlib.sha256(raw + b"/" + (key or self.token).encode()).hexdigest()
        headers = {"Content-Type": "application/json", "sign": sign}
        self.pushes.append((url, raw, headers))
        with httpx.Client(trust_env=False, timeout=10) as client:
            return client.post(url, content=raw, headers=headers)

    def fail_next(self, n: int = 1, status: int = 500) -> None:
        self._failures += [status] * n

    def rate_limit_next(self, n: int = 1) -> None:
        self._failures += [429] * n

    def delay_next(self, seconds: float, n: int = 1) -> None:
        self._delays += [seconds] * n

    def called(self, endpoint: str) -> list[Any]:
        return [json.loads(body or b"null") for path, _, body in self.calls if path == PREFIX + endpoint]

    # ---- HTTP plumbing -------------------------------------------------------------------------------------
    def _http(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> tuple[int, Headers, bytes]:
        status, body = self.answer(method, target, headers, raw)
        return status, {"Content-Type": "application/json"}, json.dumps(body).encode() if body is not None else b""

    def answer(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> Reply:
        path = urlparse(target).path
        headers = {k.lower(): v for k, v in headers.items()}
        self.calls.append((path, headers, raw))
        if self._delays:
            time.sleep(self._delays.pop(0))  # outside the lock: a slow answer must not block others
        with self._lock:
            if self._failures:
                status = self._failures.pop(0)
                return status, request_error(429 if status == 429 else -18010003)
            if headers.get("17token") != self.token:
                return 401, request_error(-18010002)
            if self._over_limit():
                return 429, request_error(429)
            endpoint = path.removeprefix(PREFIX) if path.startswith(PREFIX) else ""
            handler = self._endpoints().get(endpoint)
            if method != "POST" or handler is None:
                return 404, None
            if endpoint == "getquota":
                return 200, {"code": 0, "data": self._quota()}
            return 200, self._batch(raw, handler)

    def _over_limit(self) -> bool:
        now = self.clock()
        self._window = [t for t in self._window if now - t < 1.0] + [now]
        return self.enforce_rate_limit and len(self._window) > RATE_LIMIT_PER_SECOND

    def _endpoints(self) -> dict[str, Any]:
        return {"register": self._register, "gettrackinfo": self._gettrackinfo, "stoptrack": self._stoptrack,
                "retrack": self._retrack, "changecarrier": self._changecarrier, "getquota": self._quota}

    def _batch(self, raw: bytes, handler: Any) -> dict[str, Any]:
        try:
            items = json.loads(raw or b"null")
        except ValueError:
            return request_error(-18010013)
        if not isinstance(items, list):
            return request_error(-18010013)
        if len(items) > MAX_NUMBERS:
            return request_error(-18010014)  # the whole call is refused; nothing is registered
        accepted, rejected = [], []
        for item in items:
            number = item.get("number") if isinstance(item, dict) else None
            try:
                if not isinstance(number, str) or not number:
                    raise Rejected(-18010010, "number")
                accepted.append(handler(item, number))
            except Rejected as failure:
                rejected.append({"number": number if isinstance(number, str) else "",
                                 "error": error(failure.code, failure.arg)})
        return {"code": 0, "data": {"accepted": accepted, "rejected": rejected}}

    # ---- endpoints -----------------------------------------------------------------------------------------
    def _register(self, item: dict[str, Any], number: str) -> dict[str, Any]:
        if not NUMBER_FORMAT.fullmatch(number):
            raise Rejected(-18010012, number)
        carrier = self._carrier_arg(item.get("carrier"))
        if carrier is None and item.get("auto_detection") is False:
            raise Rejected(-18019903)
        resolved = carrier if carrier is not None else self._detect(number)
        if (number, resolved) in self.registrations:
            raise Rejected(-18019901, number)
        cost = 2 if item.get("lang") else 1  # a translation language costs one more quota
        if self.quota_used + cost > self.quota_total:
            raise Rejected(-18019908)
        if self.today_used >= self.max_track_daily:
            raise Rejected(-18019907)
        self.quota_used += cost
        self.today_used += 1
        self.registrations[(number, resolved)] = Registration(
            number, resolved, self.now(), tag=item.get("tag"), param=item.get("param"), lang=item.get("lang"),
            order_time=item.get("order_time"))
        extra = {key: item[key] for key in ("tag", "email", "lang") if item.get(key) is not None}
        return {"origin": 2 if carrier is not None else 1, "number": number, "carrier": resolved, **extra}

    def _carrier_arg(self, value: Any) -> int | None:
        if value in (None, 0, "0", ""):
            return None  # 0 means "let 17TRACK detect it"
        if isinstance(value, bool) or not isinstance(value, int) or value not in self.carriers:
            raise Rejected(-18019910, value)
        return value

    def _detect(self, number: str) -> int:
        if number in self.detections:
            return self.detections[number]
        upu = re.fullmatch(r"[A-Z]{2}\d{9}([A-Z]{2})", number)
        if upu and upu.group(1) in UPU_ORIGIN:
            return UPU_ORIGIN[upu.group(1)]
        if re.fullmatch(r"1Z[0-9A-Z]{16}", number):
            return 100002
        raise Rejected(-18019903)

    def _gettrackinfo(self, item: dict[str, Any], number: str) -> dict[str, Any]:
        record = self._registered(number, item.get("carrier"))
        return {"number": number, "carrier": record.carrier, "param": record.param, "tag": record.tag,
                "track_info": self.track_info(record)}

    def _stoptrack(self, item: dict[str, Any], number: str) -> dict[str, Any]:
        record = self._registered(number, item.get("carrier"))
        if record.status == "Stopped":
            raise Rejected(-18019906)
        record.status = "Stopped"
        return {"number": number, "carrier": record.carrier}

    def _retrack(self, item: dict[str, Any], number: str) -> dict[str, Any]:
        record = self._registered(number, item.get("carrier"))
        if record.status != "Stopped":
            raise Rejected(-18019904)
        if record.retracked:
            raise Rejected(-18019905)
        record.status, record.retracked = "Tracking", True
        return {"number": number, "carrier": record.carrier}

    def _changecarrier(self, item: dict[str, Any], number: str) -> dict[str, Any]:
        new = item.get("carrier_new")
        if new in (None, 0):
            raise Rejected(-18019804)
        if isinstance(new, bool) or not isinstance(new, int) or new not in self.carriers:
            raise Rejected(-18019802, new)
        found = [r for (n, _), r in self.registrations.items() if n == number]
        if not found:
            raise Rejected(-18019902, number)
        old = item.get("carrier_old")
        if old is None and len(found) > 1:
            raise Rejected(-18019801)
        found = [r for r in found if old is None or r.carrier == old]
        if not found:
            raise Rejected(-18019805, number)
        record = found[0]
        if record.carrier == new:
            raise Rejected(-18019803)
        if record.status == "Stopped":
            raise Rejected(-18019806)
        if record.carrier_changes >= 5:
            raise Rejected(-18019807)
        if (number, new) in self.registrations:
            raise Rejected(-18019809, number)
        del self.registrations[(number, record.carrier)]
        carrier_old, record.carrier = record.carrier, new
        record.carrier_changes += 1
        record.events.clear()  # a new carrier means tracking starts over
        self.registrations[(number, new)] = record
        return {"number": number, "carrier_old": carrier_old, "carrier_new": new}

    def _quota(self, *_: Any) -> dict[str, Any]:
        return {"quota_total": self.quota_total, "quota_used": self.quota_used,
                "quota_remain": self.quota_total - self.quota_used, "today_used": self.today_used,
                "max_track_daily": self.max_track_daily, "free_email_quota": 0, "free_email_quotaused": 0}

    def _registered(self, number: str, carrier: Any) -> Registration:
        try:
            return self._lookup(number, carrier if isinstance(carrier, int) and carrier else None)
        except KeyError as missing:
            raise Rejected(-18019902, number) from missing

    def _lookup(self, number: str, carrier: int | None) -> Registration:
        for (registered, key), record in self.registrations.items():
            if registered == number and carrier in (None, key):
                return record
        raise KeyError(f"{number} ({carrier}) is not registered")

    # ---- track_info ----------------------------------------------------------------------------------------
    def track_info(self, record: Registration) -> dict[str, Any]:
        events = [dict(e) for e in record.events]
        latest = events[0] if events else None
        sub = latest["sub_status"] if latest else "NotFound_Other"
        status = sub.split("_", 1)[0]
        name = self.carriers[record.carrier]
        events_hash = int(hashlib.sha256(json.dumps(events, sort_keys=True).encode()).hexdigest()[:7], 16)
        return {
            "shipping_info": {"shipper_address": json.loads(json.dumps(ADDRESS)),
                              "recipient_address": json.loads(json.dumps(ADDRESS))},
            "latest_status": {"status": status, "sub_status": sub, "sub_status_descr": None},
            "latest_event": latest,
            "time_metrics": self._metrics(record, events),
            "milestone": [self._milestone(stage, events) for stage in MILESTONES],
            "misc_info": {**dict.fromkeys(MISC_FIELDS), "risk_factor": 0, "local_key": 0},
            "tracking": {"providers_hash": events_hash, "providers": [{
                "provider": {"key": record.carrier, "name": name, "alias": name, "tel": None, "homepage": None,
                             "country": None},
                "service_type": None, "latest_sync_status": "Success", "latest_sync_time": utc_z(self.now()),
                "events_hash": events_hash, "events": events}]},
        }

    @staticmethod
    def _milestone(stage: str, events: list[dict[str, Any]]) -> dict[str, Any]:
        hits = [e for e in events if e["stage"] == stage]
        first = hits[-1] if hits else None  # events are newest first; a milestone keeps its first time
        return {"key_stage": stage, "time_iso": first and first["time_iso"], "time_utc": first and first["time_utc"],
                "time_raw": first and first["time_raw"]}

    def _metrics(self, record: Registration, events: list[dict[str, Any]]) -> dict[str, Any]:
        def days(since: str | None, until: datetime) -> int:
            return max(0, (until - datetime.fromisoformat(since.replace("Z", "+00:00"))).days) if since else 0

        now = self.now()
        picked = [e for e in events if e["sub_status"].startswith("InTransit")]
        done = events and events[0]["sub_status"].startswith("Delivered")
        end = datetime.fromisoformat(events[0]["time_utc"].replace("Z", "+00:00")) if done else now
        start = picked[-1]["time_utc"] if picked else None
        return {"days_after_order": days(record.order_time, now), "days_of_transit": days(start, end),
                "days_of_transit_done": days(start, end) if done else 0,
                "days_after_last_update": days(events[0]["time_utc"], now) if events else 0,
                "estimated_delivery_date": {"source": None, "from": None, "to": None}}
