"""The deployment the README describes, for real: three `portside serve` processes on one PostgreSQL, one Chroma
server and one Redis, every one running the Slack outbox against a fake Slack on 127.0.0.1."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from websockets.sync.client import connect

from assistant.identity import issue_token
from assistant.slack.delivery import POST
from assistant.storage import schema as t
from tests import services
from tests.adversarial.server import STAFF_TOKEN, LiveServer
from tests.adversarial.test_probes import SECRET, Chat, order
from tests.conftest import NOW
from tests.fakes.slack import FakeSlack

STAFF = {"Authorization": f"Bearer {STAFF_TOKEN}"}
SESSION_LIMIT = 20


class Cluster:
    def __init__(self, workers: list[LiveServer], slack: FakeSlack) -> None:
        self.workers, self.slack = workers, slack
        self._next = itertools.cycle(range(len(workers)))

    def next(self) -> LiveServer:
        return self.workers[next(self._next)]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, postgres_server: str, redis_url: str,
            chroma_server_url: str, intent_cache_dir: Path, intent_classifier: object) -> Iterator[Cluster]:
    env = {"PORTSIDE_DATABASE_URL": services.create_database(postgres_server, "scale"), "PORTSIDE_REDIS_URL": redis_url,
           "PORTSIDE_CHROMA_URL": chroma_server_url, "PORTSIDE_KB_COLLECTION": f"scale{uuid.uuid4().hex[:8]}",
           "PORTSIDE_RATE_LIMIT_SESSION": f"{SESSION_LIMIT}/minute"}
    with FakeSlack() as slack:
        workers = [LiveServer(tmp_path_factory.mktemp(f"worker{i}"), slack.url, NOW.isoformat(), intent_cache_dir,
                              env=env) for i in range(3)]
        try:
            workers[0].start()  # creates the schema, the demo store and the KB; the others find them
            for worker in workers[1:]:
                worker.launch()
            for worker in workers[1:]:
                worker.wait_ready()
            yield Cluster(workers, slack)
        finally:
            for worker in workers:
                worker.stop()


def _frames_until(ws: Any, kind: str, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        frame = json.loads(ws.recv(timeout=max(0.01, deadline - time.monotonic())))
        if frame["type"] == kind and (kind != "event" or frame["event"]["type"] == "staff_message"):
            return frame  # type: ignore[no-any-return]


def test_a_staff_reply_through_worker_2_reaches_a_websocket_on_worker_1_within_a_second(cluster: Cluster) -> None:
    one, two = cluster.workers[0], cluster.workers[1]
    with connect(one.url.replace("http", "ws") + "/v1/chat/ws") as ws:
        ws.send(json.dumps({"type": "message", "message": "I want to talk to a human", "client_id": "w1"}))
        reply = _frames_until(ws, "reply", 60)
        handoff_id = reply["handoff"]["id"]
        time.sleep(0.5)  # the socket is idle, waiting for events
        with two.client() as staff:
            start = time.monotonic()
            r = staff.post(f"/v1/handoffs/{handoff_id}/reply", json={"staff": "ana", "text": "Hi, Ana here"},
                           headers=STAFF)
            assert r.status_code == 200, r.text
        event = _frames_until(ws, "event", 1.0)
        elapsed = time.monotonic() - start
    assert event["event"]["data"]["text"] == "Hi, Ana here"
    assert elapsed < 1.0


def test_200_handoffs_across_workers_are_posted_to_slack_exactly_once(cluster: Cluster) -> None:
    before = len(cluster.slack.called("chat.postMessage"))

    def handoff(n: int) -> str:
        with cluster.workers[n % 3].client() as http:
            r = http.post("/v1/chat", json={"message": "I want to talk to a human"})
            assert r.status_code == 200, r.text
            return str(r.json()["handoff"]["id"])

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(handoff, range(200)))
    assert len(set(ids)) == 200

    def posted() -> Counter[str]:
        seen: Counter[str] = Counter()
        for call in cluster.slack.called("chat.postMessage")[before:]:
            text = json.dumps(call.get("blocks"), ensure_ascii=False)
            for hid in ids:
                if hid in text:
                    seen[hid] += 1
        return seen

    deadline = time.monotonic() + 90
    while len(posted()) < 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(2)  # anything delivered twice would have arrived by now
    counts = posted()
    assert len(counts) == 200, f"{200 - len(counts)} handoffs never reached Slack"
    assert max(counts.values()) == 1, [h for h, n in counts.items() if n > 1]
    with cluster.workers[0].db().connect() as conn:
        rows = conn.execute(select(t.outbox.c.done_at, t.outbox.c.lease_until)
                            .where(t.outbox.c.topic == POST)).all()
    assert len(rows) >= 200 and all(done is not None and lease is None for done, lease in rows)


def test_concurrent_approve_and_reject_of_one_rma_on_two_workers_one_wins(cluster: Cluster) -> None:
    one, three = cluster.workers[0], cluster.workers[2]
    target = order(one, "high_value")  # above the auto-approve limit: waits for staff
    chat = Chat(one, issue_token(target.customer_id, SECRET))
    chat.say(f"I want to return order {target.id}, it arrived broken")
    body = chat.say("yes")
    rma = next(a for a in body["actions"] if a["type"] == "return_draft")["rma_id"]

    def decide(args: tuple[LiveServer, str]) -> httpx.Response:
        worker, verb = args
        with worker.client() as http:
            return http.post(f"/v1/returns/{rma}/{verb}", json={"staff": verb}, headers=STAFF)

    with ThreadPoolExecutor(2) as pool:
        approve, reject = pool.map(decide, [(one, "approve"), (three, "reject")])
    assert sorted([approve.status_code, reject.status_code]) == [200, 409], (approve.text, reject.text)
    loser = approve if approve.status_code == 409 else reject
    winner = reject if loser is approve else approve
    assert loser.json()["error"]["current"]["status"] == winner.json()["status"]


def test_a_session_rate_limit_holds_across_workers(cluster: Cluster) -> None:
    session_id = None
    codes = []
    for worker in itertools.islice(itertools.cycle(cluster.workers), SESSION_LIMIT + 1):
        with worker.client() as http:
            body: dict[str, Any] = {"message": "hello"}
            if session_id:
                body["session_id"] = session_id
            r = http.post("/v1/chat", json=body)
            codes.append(r.status_code)
            session_id = session_id or r.json().get("session_id")
    assert codes[:SESSION_LIMIT] == [200] * SESSION_LIMIT
    assert codes[-1] == 429  # each worker alone saw only a third of these


def test_killing_a_worker_mid_turn_loses_nothing_and_the_retry_is_answered_once(cluster: Cluster) -> None:
    one, three = cluster.workers[0], cluster.workers[2]
    chat = Chat(one)
    chat.say("hello")

    def send() -> None:
        try:
            with httpx.Client(base_url=three.url, timeout=5) as http:
                http.post("/v1/chat", json={"message": "where is my parcel?", "session_id": chat.session_id,
                                            "client_id": "kill-1"})
        except httpx.HTTPError:
            pass  # the worker died under the request

    engine = one.db()

    def stored() -> bool:
        with engine.connect() as conn:
            metas = conn.scalars(select(t.messages.c.meta).where(t.messages.c.session_id == chat.session_id)).all()
        return any(m.get("client_id") == "kill-1" for m in metas)

    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(send)
        deadline = time.monotonic() + 10
        while not stored() and time.monotonic() < deadline:
            time.sleep(0.005)
        three.kill()  # the message is persisted; the turn is running or has just ended
        pending.result()
    first = chat.say("where is my parcel?", client_id="kill-1")  # the widget retries on another worker
    second = chat.say("where is my parcel?", client_id="kill-1")
    assert first["reply"] == second["reply"]
    with engine.connect() as conn:
        rows = conn.execute(select(t.messages.c.role, t.messages.c.meta).where(
            t.messages.c.session_id == chat.session_id).order_by(t.messages.c.id)).all()
    asked = [i for i, r in enumerate(rows) if r.role == "shopper" and r.meta.get("client_id") == "kill-1"]
    assert len(asked) == 1  # stored once, whichever worker stored it
    answers = [r for r in rows[asked[0] + 1:] if r.role == "assistant"]
    assert len(answers) == 1  # and answered once
    engine.dispose()
