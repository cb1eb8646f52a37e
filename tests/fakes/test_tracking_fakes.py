"""The AfterShip and 17TRACK fakes answer as the providers document, refusals included.

Signatures are checked here with hashlib/hmac directly, never through the fakes' own code."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.fakes.aftership import FakeAfterShip
from tests.fakes.seventeentrack import FakeSeventeenTrack

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


class Receiver:
    """A webhook endpoint on 127.0.0.1 that keeps each raw body and its headers."""

    def __init__(self) -> None:
        self.received: list[tuple[bytes, dict[str, str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.received.append((raw, {k.lower(): v for k, v in self.headers.items()}))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver()
    yield hook
    hook.close()


@pytest.fixture
def aftership() -> Iterator[FakeAfterShip]:
    with FakeAfterShip(now=T0) as fake:
        yield fake


@pytest.fixture
def seventeen() -> Iterator[FakeSeventeenTrack]:
    with FakeSeventeenTrack(now=T0) as fake:
        yield fake


def as_client(fake: FakeAfterShip, key: str | None = None) -> httpx.Client:
    headers = {"as-api-key": key if key is not None else fake.api_key}
    return httpx.Client(base_url=fake.url, headers=headers, trust_env=False, timeout=5)


def st_post(fake: FakeSeventeenTrack, endpoint: str, body: Any, token: str | None = None) -> httpx.Response:
    headers = {"17token": token if token is not None else fake.token}
    return httpx.post(fake.url + endpoint, json=body, headers=headers, trust_env=False, timeout=5)


def codes(response: httpx.Response) -> list[int]:
    return [r["error"]["code"] for r in response.json()["data"]["rejected"]]


# ---- AfterShip ------------------------------------------------------------------------------------------------


def test_aftership_refuses_missing_wrong_and_legacy_keys(aftership: FakeAfterShip) -> None:
    body = {"tracking_number": "1Z12345E0205271688", "slug": "ups"}
    missing = httpx.post(aftership.url + "/trackings", json=body, trust_env=False)
    wrong = as_client(aftership, "not-the-key").post("/trackings", json=body)
    legacy = httpx.post(aftership.url + "/trackings", json=body, trust_env=False,
                        headers={"aftership-api-key": aftership.api_key})
    for response in (missing, wrong, legacy):
        assert response.status_code == 401
        assert response.json()["meta"] == {"code": 401, "message": "Invalid API key.", "type": "Unauthorized"}
    assert aftership.trackings == {}


def test_aftership_create_duplicate_get(aftership: FakeAfterShip) -> None:
    client = as_client(aftership)
    body = {"tracking_number": "1Z12345E0205271688", "slug": "ups", "order_id": "PS-1001",
            "destination_country_region": "DEU", "customers": [{"role": "buyer", "name": "Ana", "language": "de"}]}
    created = client.post("/trackings", json=body)
    assert created.status_code == 201
    assert created.json()["meta"]["code"] == 201
    assert created.headers["as-api-version"] == "2025-01"
    assert created.headers["X-RateLimit-Limit"] == "20"
    tracking = created.json()["data"]
    assert (tracking["tracking_number"], tracking["slug"], tracking["order_id"]) == ("1Z12345E0205271688", "ups",
                                                                                  "PS-1001")
    assert (tracking["tag"], tracking["subtag"], tracking["checkpoints"]) == ("Pending", "Pending_001", [])

    duplicate = client.post("/trackings", json=body)
    assert duplicate.status_code == 400
    assert duplicate.json()["meta"] == {"code": 4003, "message": "Tracking already exists.", "type": "BadRequest"}

    fetched = client.get(f"/trackings/{tracking['id']}")
    assert fetched.status_code == 200 and fetched.json()["data"]["id"] == tracking["id"]
    unknown = client.get("/trackings/0123456789abcdef0123456789abcdef")
    assert unknown.status_code == 404 and unknown.json()["meta"]["code"] == 4004


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"slug": "ups"}, 400, 4007),
    ({"tracking": {"tracking_number": "1Z12345E0205271688", "slug": "ups"}}, 400, 4007),  # the legacy v4 wrapper
    ({"tracking_number": "   ", "slug": "ups"}, 400, 4005),
    ({"tracking_number": "1Z12345E0205271688", "slug": "not-a-courier"}, 400, 4010),
    ({"tracking_number": "UNKNOWN-FORMAT-1"}, 400, 4012),
    ({"tracking_number": "1Z12345E0205271688", "slug": "ups", "destination_country_region": "DE"}, 400, 4008),
])
def test_aftership_rejects_bad_creates(aftership: FakeAfterShip, body: dict[str, Any], status: int, code: int) -> None:
    response = as_client(aftership).post("/trackings", json=body)
    assert (response.status_code, response.json()["meta"]["code"]) == (status, code)
    assert aftership.trackings == {}


def test_aftership_rejects_invalid_json_and_unknown_routes(aftership: FakeAfterShip) -> None:
    client = as_client(aftership)
    broken = client.post("/trackings", content=b"{not json", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.json()["meta"]["code"] == 4001
    assert client.get("/couriers/nope").status_code == 404
    old_version = httpx.get(aftership.base + "/tracking/2024-10/trackings", trust_env=False,
                            headers={"as-api-key": aftership.api_key})
    assert old_version.status_code == 404


def test_aftership_checkpoint_moves_the_tag(aftership: FakeAfterShip) -> None:
    seeded = aftership.add_tracking("RR123456789CN", "china-post", order_id="PS-7")
    aftership.add_checkpoint(seeded["id"], "InTransit", "InTransit_002", "Acceptance", "Shenzhen", "CHN",
                             datetime(2026, 11, 2, 8, tzinfo=UTC))
    aftership.add_checkpoint(("china-post", "RR123456789CN"), "Exception", "Exception_004", "Held at customs",
                             "Frankfurt", "DEU", datetime(2026, 11, 9, 14, tzinfo=UTC))
    data = as_client(aftership).get(f"/trackings/{seeded['id']}").json()["data"]
    assert (data["tag"], data["subtag"], data["subtag_message"]) == ("Exception", "Exception_004",
                                                                    "Delayed (Customs clearance)")
    assert [c["tag"] for c in data["checkpoints"]] == ["InTransit", "Exception"]
    assert data["checkpoints"][1]["country_region"] == "DEU" and data["return_to_sender"] is False
    aftership.add_checkpoint(seeded["id"], "Exception", "Exception_010", "Return to sender",
                             time=datetime(2026, 11, 12, tzinfo=UTC))
    assert aftership.get(seeded["id"])["return_to_sender"] is True
    with pytest.raises(ValueError):
        aftership.add_checkpoint(seeded["id"], "Delivered", "Exception_001", "mismatched pair")


def test_aftership_lists_and_filters(aftership: FakeAfterShip) -> None:
    first = aftership.add_tracking("RR123456789CN", "china-post", order_id="A")
    aftership.add_tracking("1Z12345E0205271688", "ups", order_id="B")
    aftership.add_checkpoint(first["id"], "Delivered", message="Delivered", time=T0)
    client = as_client(aftership)
    delivered = client.get("/trackings", params={"tag": "Delivered"}).json()["data"]
    assert [t["order_id"] for t in delivered["trackings"]] == ["A"]
    page = client.get("/trackings", params={"limit": "1"}).json()["data"]
    assert page["pagination"]["total"] == 2 and page["pagination"]["has_next_page"] is True
    rest = client.get("/trackings", params={"limit": "1", "cursor": page["pagination"]["next_cursor"]}).json()
    assert len(rest["data"]["trackings"]) == 1 and rest["data"]["pagination"]["has_next_page"] is False
    assert client.get("/trackings", params={"limit": "201"}).json()["meta"]["code"] == 4008
    assert client.get("/trackings", params={"created_at_min": "yesterday"}).status_code == 400


def test_aftership_rate_limit_and_failures(aftership: FakeAfterShip) -> None:
    client = as_client(aftership)
    aftership.rate_limit_next()
    limited = client.get("/trackings")
    assert limited.status_code == 429
    assert limited.json()["meta"]["code"] == 429 and limited.json()["meta"]["type"] == "TooManyRequests"
    assert limited.headers["X-RateLimit-Remaining"] == "0" and int(limited.headers["X-RateLimit-Reset"]) > 0
    assert client.get("/trackings").status_code == 200
    aftership.fail_next(1, 503)
    assert client.get("/trackings").status_code == 503
    aftership.delay_next(0.5)
    with pytest.raises(httpx.ReadTimeout):
        client.get("/trackings", timeout=0.1)


def test_aftership_enforces_per_endpoint_limit() -> None:
    with FakeAfterShip(enforce_rate_limits=True, clock=lambda: 1_000.0) as fake:  # all in one second
        seeded = fake.add_tracking("1Z12345E0205271688", "ups")
        client = as_client(fake)
        answers = [client.get(f"/trackings/{seeded['id']}").status_code for _ in range(8)]
    assert 429 in answers and answers[:5] == [200] * 5  # GET /trackings/:id allows 5 req/s


def test_aftership_webhook_signature(aftership: FakeAfterShip, receiver: Receiver) -> None:
    seeded = aftership.add_tracking("1Z12345E0205271688", "ups")
    aftership.add_checkpoint(seeded["id"], "OutForDelivery", message="On vehicle", time=T0)
    assert aftership.send_webhook(receiver.url, "whsec-right", seeded["id"]).status_code == 200
    raw, headers = receiver.received[0]
    expected = base64.b64encode(hmac.new(b"whsec-right", raw, hashlib.sha256).digest()).decode()
    forged = base64.b64encode(hmac.new(b"whsec-other", raw, hashlib.sha256).digest()).decode()
    assert hmac.compare_digest(headers["aftership-hmac-sha256"], expected)
    assert not hmac.compare_digest(headers["aftership-hmac-sha256"], forged)
    payload = json.loads(raw)
    assert payload["event"] == "tracking_update" and payload["is_tracking_first_tag"] is True
    assert payload["msg"]["tag"] == "OutForDelivery" and payload["ts"] == int(T0.timestamp())
    assert headers["as-webhook-version"] == "2025-01" and len(payload["event_id"]) == 36


# ---- 17TRACK -------------------------------------------------------------------------------------------------


def test_17track_refuses_missing_and_wrong_token(seventeen: FakeSeventeenTrack) -> None:
    missing = httpx.post(seventeen.url + "register", json=[{"number": "RR123456789CN"}], trust_env=False)
    wrong = st_post(seventeen, "register", [{"number": "RR123456789CN"}], token="nope")
    for response in (missing, wrong):
        assert response.status_code == 401
        assert response.json()["code"] == -18010002
        assert response.json()["data"]["errors"][0]["code"] == -18010002
    assert seventeen.registrations == {}


def test_17track_register_duplicate_and_per_number_rejections(seventeen: FakeSeventeenTrack) -> None:
    first = st_post(seventeen, "register", [{"number": "RR123456789CN"}, {"number": "1Z12345E0205271688",
                                                                          "carrier": 100002, "tag": "PS-9"}])
    assert first.json()["code"] == 0
    assert first.json()["data"]["accepted"] == [
        {"origin": 1, "number": "RR123456789CN", "carrier": 3011},
        {"origin": 2, "number": "1Z12345E0205271688", "carrier": 100002, "tag": "PS-9"}]
    again = st_post(seventeen, "register", [{"number": "RR123456789CN"}, {"number": "LP00012345678"},
                                            {"number": "X1"}, {"number": "AB123456789XX", "carrier": 999999},
                                            {"carrier": 3011}])
    assert again.json()["code"] == 0 and again.json()["data"]["accepted"] == []
    assert codes(again) == [-18019901, -18019903, -18010012, -18019910, -18010010]
    assert again.json()["data"]["rejected"][0]["error"]["message"] == \
        "Tracking number RR123456789CN is already registered."
    quota = st_post(seventeen, "getquota", []).json()["data"]
    assert (quota["quota_used"], quota["quota_remain"]) == (2, 98)


def test_17track_41_numbers_refuse_the_whole_call(seventeen: FakeSeventeenTrack) -> None:
    numbers = [{"number": f"RR{i:09d}CN"} for i in range(41)]
    refused = st_post(seventeen, "register", numbers)
    assert refused.status_code == 200 and refused.json()["code"] == -18010014
    assert refused.json()["data"]["errors"][0]["code"] == -18010014
    assert seventeen.registrations == {}
    assert len(st_post(seventeen, "register", numbers[:40]).json()["data"]["accepted"]) == 40
    assert st_post(seventeen, "gettrackinfo", {"number": "RR000000001CN"}).json()["code"] == -18010013


def test_17track_gettrackinfo_registered_and_unregistered(seventeen: FakeSeventeenTrack) -> None:
    seventeen.add_number("RR123456789CN", 3011, tag="PS-3")
    fresh = st_post(seventeen, "gettrackinfo", [{"number": "RR123456789CN", "carrier": 3011}]).json()
    assert fresh["data"]["accepted"][0]["track_info"]["latest_status"]["status"] == "NotFound"
    seventeen.add_event("RR123456789CN", "InTransit_PickedUp", "Posting", location="SHENZHEN",
                        time=datetime(2026, 11, 1, 10, tzinfo=UTC), country="CN")
    seventeen.add_event("RR123456789CN", "InTransit_CustomsRequiringInformation", "Customs need invoice",
                        location="FRANKFURT", time=datetime(2026, 11, 8, 10, tzinfo=UTC), country="DE")
    answer = st_post(seventeen, "gettrackinfo", [{"number": "RR123456789CN"}, {"number": "LP00012345678"}])
    info = answer.json()["data"]["accepted"][0]["track_info"]
    assert info["latest_status"] == {"status": "InTransit", "sub_status": "InTransit_CustomsRequiringInformation",
                                     "sub_status_descr": None}
    events = info["tracking"]["providers"][0]["events"]
    assert [e["description"] for e in events] == ["Customs need invoice", "Posting"]  # newest first
    assert events[1]["stage"] == "PickedUp" and events[0]["time_utc"] == "2026-11-08T10:00:00Z"
    assert info["latest_event"]["location"] == "FRANKFURT"
    assert info["tracking"]["providers"][0]["provider"]["key"] == 3011
    assert codes(answer) == [-18019902]
    with pytest.raises(ValueError):
        seventeen.add_event("RR123456789CN", "Exception_Misplaced", "not a documented sub-status")


def test_17track_stop_retrack_and_change_carrier(seventeen: FakeSeventeenTrack) -> None:
    seventeen.add_number("LP00012345678", 3011)
    item = [{"number": "LP00012345678", "carrier": 3011}]
    assert codes(st_post(seventeen, "retrack", item)) == [-18019904]
    assert st_post(seventeen, "stoptrack", item).json()["data"]["accepted"] == item
    assert codes(st_post(seventeen, "stoptrack", item)) == [-18019906]
    assert codes(st_post(seventeen, "changecarrier", [{"number": "LP00012345678", "carrier_new": 21051}])) == \
        [-18019806]
    assert st_post(seventeen, "retrack", item).json()["data"]["accepted"] == item
    st_post(seventeen, "stoptrack", item)
    assert codes(st_post(seventeen, "retrack", item)) == [-18019905]
    seventeen.add_number("LP00099999999", 3011)
    changed = st_post(seventeen, "changecarrier", [{"number": "LP00099999999", "carrier_old": 3011,
                                                    "carrier_new": 21051}])
    assert changed.json()["data"]["accepted"] == [{"number": "LP00099999999", "carrier_old": 3011,
                                                   "carrier_new": 21051}]
    assert codes(st_post(seventeen, "changecarrier", [{"number": "LP00099999999", "carrier_new": 21051}])) == \
        [-18019803]


def test_17track_quota_runs_out() -> None:
    with FakeSeventeenTrack(quota_total=1) as fake:
        answer = st_post(fake, "register", [{"number": "RR123456789CN"}, {"number": "RR987654321CN"}])
    assert len(answer.json()["data"]["accepted"]) == 1 and codes(answer) == [-18019908]


def test_17track_rate_limit_and_failures(seventeen: FakeSeventeenTrack) -> None:
    seventeen.rate_limit_next()
    limited = st_post(seventeen, "getquota", [])
    assert limited.status_code == 429
    assert st_post(seventeen, "getquota", []).status_code == 200
    seventeen.fail_next(1, 500)
    failed = st_post(seventeen, "getquota", [])
    assert failed.status_code == 500 and failed.json()["code"] == -18010003
    seventeen.delay_next(0.5)
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(seventeen.url + "getquota", json=[], headers={"17token": seventeen.token}, trust_env=False,
                   timeout=0.1)
    with FakeSeventeenTrack(enforce_rate_limit=True, clock=lambda: 1_000.0) as strict:  # all in one second
        answers = [st_post(strict, "getquota", []).status_code for _ in range(6)]
    assert answers[:3] == [200] * 3 and 429 in answers  # 3 requests per second


def test_17track_push_signature(seventeen: FakeSeventeenTrack, receiver: Receiver) -> None:
    seventeen.add_number("RR123456789CN", 3011, tag="PS-5")
    seventeen.add_event("RR123456789CN", "Exception_Returning", "Returned to sender", time=T0)
    assert seventeen.send_push(receiver.url, "RR123456789CN").status_code == 200
    seventeen.send_push(receiver.url, "RR123456789CN", event="TRACKING_STOPPED")
    for raw, headers in receiver.received:
        expected = hashlib.sha256(raw + b"/" + seventeen.token.encode()).hexdigest()
        forged = hashlib.sha256(raw + b"/other-key").hexdigest()
        assert headers["sign"] == expected and headers["sign"] != forged
    updated, stopped = (json.loads(raw) for raw, _ in receiver.received)
    assert updated["event"] == "TRACKING_UPDATED" and updated["data"]["tag"] == "PS-5"
    assert updated["data"]["track_info"]["latest_status"]["sub_status"] == "Exception_Returning"
    assert stopped == {"event": "TRACKING_STOPPED",
                       "data": {"number": "RR123456789CN", "carrier": 3011, "param": None, "tag": "PS-5"}}
