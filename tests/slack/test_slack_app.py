"""Real slack-bolt app mounted in the real FastAPI app, against a fake Slack Web API on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from assistant.api.app import create_app
from assistant.clock import FixedClock
from assistant.runtime import Services
from tests.assistant.helpers import Shopper, scenario_order, token_for
from tests.fakes.slack import FakeSlack, wire

pytestmark = pytest.mark.both_databases

SECRET = "slack-signing-secret"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def app_services(chat_services: Services, slack: FakeSlack) -> Services:
    return wire(chat_services, slack, SECRET)


@pytest.fixture
def client(app_services: Services) -> httpx.AsyncClient:
    app = create_app(services=app_services)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def signed(body: str, *, secret: str = SECRET, ts: int | None = None, retry: int | None = None) -> dict[str, str]:
    stamp = str(ts if ts is not None else int(time.time()))
    sig = "v0=" + hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": sig}
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    return headers


async def post_event(client: httpx.AsyncClient, event: dict[str, Any], retry: int | None = None) -> httpx.Response:
    body = json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event": event,
                       "event_id": f"Ev{event.get('ts')}", "event_time": int(time.time())})
    return await client.post("/slack/events", content=body, headers={
        **signed(body, retry=retry), "Content-Type": "application/json"})


async def click(client: httpx.AsyncClient, slack: FakeSlack, action_id: str, handoff_id: str) -> httpx.Response:
    payload = {"type": "block_actions", "user": {"id": "U1", "name": "ana"}, "team": {"id": "T1"},
               "api_app_id": "A1", "token": "x", "trigger_id": "t", "container": {"type": "message"},
               "channel": {"id": "C123"}, "response_url": slack.url + "response_url",
               "actions": [{"action_id": action_id, "value": handoff_id, "type": "button", "block_id": "b",
                            "action_ts": str(time.time())}]}
    body = urlencode({"payload": json.dumps(payload)})
    return await client.post("/slack/events", content=body, headers={
        **signed(body), "Content-Type": "application/x-www-form-urlencoded"})


def blocks_text(blocks: Any) -> str:
    return json.dumps(blocks, ensure_ascii=False)


async def test_handoff_thread_reply_approve_resolve(app_services: Services, client: httpx.AsyncClient,
                                                   slack: FakeSlack) -> None:
    order = scenario_order(app_services, "high_value")
    shopper = Shopper(client, token_for(app_services, order))
    await shopper.say(f"The drone from order {order.id} arrived broken, I want to return it")
    body = await shopper.say("yes")
    handoff_id = body["handoff"]["id"]
    rma = next(a for a in body["actions"] if a["type"] == "return_draft")["rma_id"]
    assert app_services.outbox.run_once() >= 1
    posts = slack.called("chat.postMessage")
    assert len(posts) == 1 and posts[0]["channel"] == "C123"
    text = blocks_text(posts[0]["blocks"])
    for part in ("refund_approval", order.id, "Approve return", "Reject return", "Claim", "Resolve",
                 "Send suggested reply", rma, "Verified", "token", "Suggested reply (en)"):
        assert part in text, part
    thread_ts = "1700000001.000000"

    # A staff reply in the thread reaches the shopper's session; a Slack retry does not relay it twice.
    reply = {"type": "message", "channel": "C123", "user": "U1", "text": "Hi, I'm Ana, checking now",
             "ts": "1700000050.000100", "thread_ts": thread_ts}
    assert (await post_event(client, reply)).status_code == 200
    assert (await post_event(client, reply, retry=1)).status_code == 200
    transcript = (await client.get(f"/v1/sessions/{shopper.session_id}")).json()["messages"]
    staff = [m for m in transcript if m["role"] == "staff"]
    assert [m["text"] for m in staff] == ["Hi, I'm Ana, checking now"] and staff[0]["author"] == "ana"
    # Our own bot's messages in the thread are never echoed back.
    await post_event(client, {**reply, "bot_id": "BBOT", "ts": "1700000051.0", "text": "echo"})
    transcript = (await client.get(f"/v1/sessions/{shopper.session_id}")).json()["messages"]
    assert not any(m["text"] == "echo" for m in transcript)

    # The shopper's new message goes into the same thread.
    await shopper.say("Thanks, waiting")
    app_services.outbox.run_once()
    threaded = [c for c in slack.called("chat.postMessage") if c.get("thread_ts") == thread_ts]
    assert len(threaded) == 1 and "Thanks, waiting" in threaded[0]["text"]

    # Approve return → draft approved, message updated in place, shopper told with a label link.
    r = await click(client, slack, "approve_return", handoff_id)
    assert r.status_code == 200
    assert app_services.returns.get(rma)["status"] == "approved"  # type: ignore[index]
    app_services.outbox.run_once()
    updates = slack.called("chat.update")
    assert updates and updates[-1]["ts"] == thread_ts and "approved" in blocks_text(updates[-1]["blocks"])
    transcript = (await client.get(f"/v1/sessions/{shopper.session_id}")).json()["messages"]
    assert "label.pdf" in transcript[-1]["text"]

    # Resolve → handoff closed, buttons gone.
    await click(client, slack, "resolve", handoff_id)
    assert app_services.handoffs.get(handoff_id)["state"] == "resolved"  # type: ignore[index]
    app_services.outbox.run_once()
    last = slack.called("chat.update")[-1]
    assert "Resolved" in blocks_text(last["blocks"]) and '"actions"' not in blocks_text(last["blocks"])


async def test_claim_and_send_suggested_reply(app_services: Services, client: httpx.AsyncClient,
                                              slack: FakeSlack) -> None:
    body = await Shopper(client).say("Quiero hablar con una persona")
    handoff_id = body["handoff"]["id"]
    app_services.outbox.run_once()
    await click(client, slack, "claim", handoff_id)
    row = app_services.handoffs.get(handoff_id)
    assert row is not None and row["state"] == "claimed" and row["claimed_by"] == "ana"
    await click(client, slack, "send_suggested", handoff_id)
    transcript = app_services.conversations.transcript(row["session_id"])
    assert transcript[-1].role == "staff" and transcript[-1].text == row["packet"]["suggested_reply"]
    assert transcript[-1].language == "es"
    app_services.outbox.run_once()
    assert "Claimed by ana" in blocks_text(slack.called("chat.update")[-1]["blocks"])


async def test_slack_down_then_delivered_exactly_once(app_services: Services, client: httpx.AsyncClient,
                                                      slack: FakeSlack) -> None:
    slack.fail("chat.postMessage", times=3, status=500)
    body = await Shopper(client).say("I want to talk to a human")
    handoff_id = body["handoff"]["id"]
    assert app_services.outbox.run_once() == 0
    pending = app_services.outbox.pending()
    assert len(pending) == 1 and pending[0]["attempts"] == 1 and pending[0]["last_error"]
    later = app_services.outbox.clock.now() + timedelta(hours=1)
    assert app_services.outbox.run_once(later) == 0  # still down
    assert app_services.outbox.run_once(later + timedelta(hours=1)) == 0
    assert app_services.outbox.run_once(later + timedelta(hours=2)) == 1  # recovered
    assert app_services.outbox.run_once(later + timedelta(hours=3)) == 0
    ok_posts = [c for c in slack.called("chat.postMessage") if handoff_id in blocks_text(c.get("blocks"))]
    assert len(ok_posts) == 4  # three failures, one success, and nothing after
    assert app_services.outbox.pending() == []


async def test_rate_limited_waits_for_retry_after(app_services: Services, client: httpx.AsyncClient,
                                                  slack: FakeSlack) -> None:
    slack.fail("chat.postMessage", times=1, status=429, retry_after=30)
    await Shopper(client).say("I want to talk to a human")
    now = app_services.outbox.clock.now()
    assert app_services.outbox.run_once(now) == 0
    assert app_services.outbox.run_once(now + timedelta(seconds=10)) == 0  # too early: not even tried
    assert len(slack.called("chat.postMessage")) == 1
    assert app_services.outbox.run_once(now + timedelta(seconds=31)) == 1


async def test_a_future_business_clock_does_not_hold_back_slack_posts(app_services: Services,
                                                                     client: httpx.AsyncClient,
                                                                     slack: FakeSlack) -> None:
    """PORTSIDE_NOW a month ahead: the handoff is still posted on the outbox's next tick (one clock for delivery)."""
    app_services.settings.__dict__["clock"] = FixedClock(app_services.clock.now() + timedelta(days=30))
    await Shopper(client).say("I want to talk to a human")
    assert app_services.outbox.run_once() == 1
    assert len(slack.called("chat.postMessage")) == 1


async def test_creating_the_app_twice_on_one_services_posts_a_handoff_once(app_services: Services,
                                                                           slack: FakeSlack) -> None:
    create_app(services=app_services)
    again = create_app(services=app_services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=again), base_url="http://test") as client:
        await Shopper(client).say("I want to talk to a human")
    assert len(app_services.handoff_hooks) == 1
    while app_services.outbox.run_once():
        pass
    assert len(slack.called("chat.postMessage")) == 1


async def test_signatures(client: httpx.AsyncClient) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc"})
    ok = await client.post("/slack/events", content=body, headers={**signed(body), "Content-Type": "application/json"})
    assert ok.status_code == 200 and "abc" in ok.text
    bad = await client.post("/slack/events", content=body, headers={**signed(body, secret="wrong"),
                                                                    "Content-Type": "application/json"})
    assert bad.status_code == 401
    old = await client.post("/slack/events", content=body, headers={**signed(body, ts=int(time.time()) - 3600),
                                                                    "Content-Type": "application/json"})
    assert old.status_code == 401
    unsigned = await client.post("/slack/events", content=body, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 401


async def slash(client: httpx.AsyncClient, text: str) -> httpx.Response:
    body = urlencode({"command": "/portside", "text": text, "user_id": "U1", "channel_id": "C123",
                      "team_id": "T1", "response_url": "http://127.0.0.1:9/none", "trigger_id": "t", "token": "x"})
    return await client.post("/slack/events", content=body, headers={
        **signed(body), "Content-Type": "application/x-www-form-urlencoded"})


async def test_slash_commands(app_services: Services, client: httpx.AsyncClient) -> None:
    order = scenario_order(app_services, "in_transit")
    customer = app_services.store.get_customer(order.customer_id)
    assert customer is not None
    r = await slash(client, f"order {order.id}")
    assert r.status_code == 200 and r.json()["response_type"] == "ephemeral" and order.id in r.json()["text"]
    tracking = order.shipments[0].tracking_number
    assert tracking in (await slash(client, f"track {tracking}")).json()["text"]
    assert order.id in (await slash(client, f"customer {customer.email}")).json()["text"]
    assert "faq" in (await slash(client, "kb how long do returns take")).json()["text"]
    await Shopper(client).say("I want to talk to a human")
    assert "customer_request" in (await slash(client, "handoffs")).json()["text"]
    stats = (await slash(client, "stats today")).json()["text"]
    assert "Conversations: 1" in stats and "customer_request 1" in stats and "containment: 0%" in stats
    assert "Usage" in (await slash(client, "dance")).json()["text"]
    assert "No order" in (await slash(client, "order XX-000000")).json()["text"]


async def test_app_mention_answers_in_thread(app_services: Services, client: httpx.AsyncClient,
                                             slack: FakeSlack) -> None:
    order = scenario_order(app_services, "in_transit")
    r = await post_event(client, {"type": "app_mention", "channel": "C123", "user": "U1",
                                  "text": f"<@UBOT> order {order.id}", "ts": "1700000099.000200"})
    assert r.status_code == 200
    said = slack.wait_for("chat.postMessage")
    assert said and said[-1]["thread_ts"] == "1700000099.000200" and order.id in said[-1]["text"]
