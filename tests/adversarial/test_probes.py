"""The probes that found the holes, run against a real `portside serve` process on 127.0.0.1 (see the security
issue): guest verification brute force, one item returned twice, approve/reject races, a crash mid-turn, Slack
injection, redaction, unauthenticated bad input, body caps and forged forwarding headers."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import select, text
from websockets.sync.client import connect

from assistant.identity import issue_token
from assistant.storage import schema as t
from connectors.demo import SCENARIOS
from connectors.models import Order
from connectors.sql.store import SqlStore
from tests.adversarial.server import SLACK_SECRET, STAFF_TOKEN, LiveServer
from tests.fakes.slack import FakeSlack

STAFF = {"Authorization": f"Bearer {STAFF_TOKEN}"}
SECRET = "portside-demo-secret"  # the server runs with the default widget secret


def order(live: LiveServer, scenario: str) -> Order:
    index = [s.name for s in SCENARIOS].index(scenario)
    engine = live.db()
    with engine.connect() as conn:
        oid = conn.execute(text("SELECT id FROM orders WHERE id LIKE :p"), {"p": f"%-{100234 + index}"}).scalar_one()
    found = SqlStore(engine).get_order(oid)
    assert found is not None
    return found


class Chat:
    def __init__(self, live: LiveServer, token: str | None = None, **client: Any) -> None:
        self.http = live.client(**client)
        self.token = token
        self.session_id: str | None = None

    def say(self, message: str, **extra: Any) -> dict[str, Any]:
        body = {"message": message, "session_id": self.session_id, "customer_token": self.token, **extra}
        r = self.http.post("/v1/chat", json={k: v for k, v in body.items() if v is not None})
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        self.session_id = data["session_id"]
        return data


def wrong(code: str, n: int) -> str:
    digits = "".join(c for c in code if c.isdigit())
    return str((int(digits) + n + 1) % 10 ** len(digits)).zfill(len(digits))


# ------------------------------------------------------------------------------------------------ high


def test_one_message_cannot_scan_postal_codes_and_new_chats_do_not_reset_the_count(live: LiveServer) -> None:
    target = order(live, "out_for_delivery")
    postal = target.shipping_address.postal_code or ""
    scan = " ".join(wrong(postal, n) for n in range(40)) + f" {postal}"
    assert Chat(live).say(f"Where is {target.id}? {scan}")["verified"] is False
    for n in range(3):
        assert Chat(live).say(f"{target.id} {wrong(postal, 100 + n)}")["verified"] is False
    assert Chat(live).say(f"{target.id} {postal}")["verified"] is False  # locked across chats


def test_two_chats_confirming_the_same_return_make_one_rma(live: LiveServer) -> None:
    target = order(live, "delivered_day_30")  # one desk lamp
    token = issue_token(target.customer_id, SECRET)
    chats = [Chat(live, token) for _ in range(4)]
    for chat in chats:
        chat.say(f"I want to return order {target.id}, it arrived broken")
    barrier = threading.Barrier(len(chats))

    def yes(chat: Chat) -> dict[str, Any]:
        barrier.wait()
        return chat.say("yes")

    with ThreadPoolExecutor(len(chats)) as pool:
        replies = list(pool.map(yes, chats))
    created = [a for r in replies for a in r["actions"] if a["type"] == "return_draft" and a.get("created")]
    assert len(created) == 1
    with live.db().connect() as conn:
        rows = conn.execute(select(t.returns.c.rma_id).where(t.returns.c.order_id == target.id)).all()
    assert len(rows) == 1


def test_approve_and_reject_at_once_one_wins(live: LiveServer) -> None:
    target = order(live, "high_value")
    chat = Chat(live, issue_token(target.customer_id, SECRET))
    chat.say(f"I want to return order {target.id}, it arrived broken")
    rma = next(a for a in chat.say("yes")["actions"] if a["type"] == "return_draft")["rma_id"]
    barrier = threading.Barrier(2)

    def decide(verb: str) -> httpx.Response:
        with live.client() as http:
            barrier.wait()
            return http.post(f"/v1/returns/{rma}/{verb}", json={"staff": verb}, headers=STAFF)

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(decide, ["approve", "reject"]))
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    loser = next(a for a in answers if a.status_code == 409)
    assert loser.json()["error"]["current"]["status"] in {"approved", "rejected"}


# ------------------------------------------------------------------------------------------------ medium


def test_a_message_sent_as_the_server_dies_is_answered_once_after_restart(live: LiveServer) -> None:
    target = order(live, "in_transit")
    chat = Chat(live, issue_token(target.customer_id, SECRET))
    chat.say("hello")
    sent = threading.Thread(target=lambda: _quietly(chat, f"where is my order {target.id}?"))
    sent.start()
    time.sleep(0.05)  # the request is in flight: stored, maybe answered, maybe not
    live.kill()
    sent.join()
    live.start()
    first = chat.say(f"where is my order {target.id}?", client_id="crash-1")
    second = chat.say(f"where is my order {target.id}?", client_id="crash-1")
    assert first["reply"] and second["reply"] == first["reply"]
    with live.db().connect() as conn:
        rows = conn.execute(select(t.messages.c.id, t.messages.c.role, t.messages.c.meta)
                            .where(t.messages.c.session_id == chat.session_id).order_by(t.messages.c.id)).all()
    asked = [i for i, r in enumerate(rows) if r.role == "shopper" and r.meta.get("client_id") == "crash-1"]
    assert len(asked) == 1
    answers = [r for r in rows[asked[0] + 1:] if r.role == "assistant"]
    assert len(answers) == 1


def _quietly(chat: Chat, message: str) -> None:
    try:
        chat.http.post("/v1/chat", json={"message": message, "session_id": chat.session_id,
                                         "customer_token": chat.token, "client_id": "crash-1"}, timeout=30)
    except httpx.HTTPError:
        pass  # the server died under it: that is the point


def test_shopper_text_reaches_slack_escaped(live: LiveServer, live_slack: FakeSlack) -> None:
    chat = Chat(live)
    chat.say("I need a person <!channel> <!here> <https://evil.example|Verify here>")
    chat.say("hello? <!channel>")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not any("evil.example" in json.dumps(a) for _, a in live_slack.calls):
        time.sleep(0.2)
    sent = json.dumps([a for m, a in live_slack.calls if m.startswith("chat.")])
    assert "evil.example" in sent and "&lt;!channel&gt;" in sent
    for raw in ("<!channel>", "<!here>", "<https://evil.example"):
        assert raw not in sent


def test_secrets_are_redacted_in_every_stored_field(live: LiveServer) -> None:
    chat = Chat(live)
    chat.say("my card is 4111.1111.1111.1111 and my password is hunter2!")
    rated = chat.http.post(f"/v1/sessions/{chat.session_id}/csat",
                           json={"score": 1, "comment": "card 4111\u00a01111\u00a01111\u00a01111, senha: abc12345"})
    assert rated.status_code == 200
    with live.db().connect() as conn:
        stored = json.dumps([list(map(str, r)) for r in conn.execute(
            select(t.messages.c.text, t.messages.c.meta).where(t.messages.c.session_id == chat.session_id))])
        stored += str(conn.scalar(select(t.sessions.c.csat_comment).where(t.sessions.c.id == chat.session_id)))
    for secret in ("4111.1111", "hunter2", "1111\u00a01111", "1111\\u00a01111", "abc12345"):
        assert secret not in stored


def test_unauthenticated_bad_input_is_a_4xx(live: LiveServer) -> None:
    with live.client() as http:
        assert http.get("/v1/returns/RMA-X/label.pdf", params={"sig": "é" * 32, "exp": "1"}).status_code == 404
        bad_token = http.post("/v1/chat", json={"message": "hi", "customer_token": "é" * 8 + "." + "ü" * 64})
        assert bad_token.status_code == 401
        session = http.post("/v1/chat", json={"message": "hi"}).json()["session_id"]
        assert http.get(f"/v1/sessions/{session}/events", headers={"Last-Event-ID": "abc"}).status_code == 400
        body = "{not json"
        stamp = str(int(time.time()))
        sig = "v0=" + hmac.new(SLACK_SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
        slack = http.post("/slack/events", content=body, headers={
            "Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": sig})
        assert slack.status_code == 400
        huge = http.post("/v1/chat", content=b'{"message": "' + b"a" * 10_000_000 + b'"}',
                         headers={"Content-Type": "application/json"})
        assert huge.status_code == 413
    with connect(live.url.replace("http", "ws") + "/v1/chat/ws") as ws:
        ws.send(json.dumps({"type": "message", "message": "hi", "customer_token": "é." + "ü" * 64}))
        frames = [json.loads(ws.recv(timeout=30)) for _ in range(2)]
        assert frames[-1] == {**frames[-1], "type": "error", "code": "invalid_token"}
        ws.send(json.dumps({"type": "message", "message": "hello"}))  # still open, still answering
        kinds = {json.loads(ws.recv(timeout=30))["type"] for _ in range(3)}
        assert "session" in kinds


# ------------------------------------------------------------------------------------------------ low


def test_forwarded_headers_from_an_untrusted_peer_are_ignored(live: LiveServer) -> None:
    chat = Chat(live, headers={"X-Forwarded-For": "203.0.113.77", "X-Real-IP": "203.0.113.77"})
    chat.say("Where is order ZZ-123456? postal code 01000")
    with live.db().connect() as conn:
        client = conn.scalar(select(t.sessions.c.client).where(t.sessions.c.id == chat.session_id))
        keys = set(conn.scalars(select(t.verify_failures.c.key)))
    assert client == "127.0.0.1"
    assert "client:127.0.0.1" in keys and "client:203.0.113.77" not in keys


def test_access_log_hides_session_ids_and_label_signatures(live: LiveServer) -> None:
    chat = Chat(live)
    chat.say("hi")
    with live.client() as http:
        http.get(f"/v1/sessions/{chat.session_id}")
        http.get("/v1/returns/RMA-X/label.pdf", params={"sig": "feedface" * 4, "exp": "1"})
    time.sleep(0.5)
    log = live.log.read_text(errors="replace")
    assert "/v1/sessions/" in log and str(chat.session_id) not in log and "feedface" not in log
