"""Escalation: every trigger gives exactly one handoff with a complete packet; staff take over and hand back."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from assistant.runtime import Services
from assistant.storage import schema as t
from tests.assistant.helpers import Shopper, scenario_order, token_for
from tests.conftest import STAFF_TOKEN

pytestmark = pytest.mark.both_databases

STAFF = {"Authorization": f"Bearer {STAFF_TOKEN}"}
PACKET_KEYS = {"reason", "priority", "language", "summary", "shopper_words", "verification", "customer", "order",
               "return_draft", "earlier_conversations", "transcript", "suggested_reply"}


def handoff_count(services: Services) -> int:
    with services.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(t.handoffs)) or 0)


async def packet(client: httpx.AsyncClient, handoff_id: str) -> dict:
    r = await client.get(f"/v1/handoffs/{handoff_id}", headers=STAFF)
    assert r.status_code == 200
    return r.json()["packet"]


@pytest.mark.parametrize(("lang", "text"), [
    ("es", "Quiero hablar con una persona, por favor"), ("pt", "Quero falar com um atendente humano"),
    ("de", "Ich möchte mit einem Mitarbeiter sprechen"), ("ar", "أريد التحدث مع موظف خدمة العملاء"),
    ("zh", "我要找人工客服"), ("id", "Saya mau bicara dengan CS manusia"),
])
async def test_asking_for_a_person_in_any_language(chat_services: Services, chat_client: httpx.AsyncClient,
                                                   lang: str, text: str) -> None:
    order = scenario_order(chat_services, "in_transit")
    shopper = Shopper(chat_client, token_for(chat_services, order))
    body = await shopper.say(text)
    assert body["language"] == lang and body["handoff"]["reason"] == "customer_request"
    assert body["reply"] and body["handoff"]["expected"] in body["reply"]
    p = await packet(chat_client, body["handoff"]["id"])
    assert set(p) >= PACKET_KEYS and p["language"] == lang and p["shopper_words"] == text
    assert p["verification"]["verified"] and p["customer"]["id"] == order.customer_id
    assert p["summary"].startswith("The shopper asked to talk to a person.") and p["suggested_reply"]
    assert p["transcript"][0]["text"] == text
    assert handoff_count(chat_services) == 1


@pytest.mark.parametrize(("text", "reason", "priority"), [
    ("This is the worst service ever, you are useless and a scam", "sentiment", "high"),
    ("I will sue you and file a chargeback with my bank", "legal", "urgent"),
])
async def test_anger_and_legal_threats(chat_client: httpx.AsyncClient, text: str, reason: str,
                                       priority: str) -> None:
    body = await Shopper(chat_client).say(text)
    assert body["handoff"]["reason"] == reason and body["handoff"]["priority"] == priority


async def test_two_unclear_messages_in_a_row(chat_services: Services, chat_client: httpx.AsyncClient) -> None:
    shopper = Shopper(chat_client)
    first = await shopper.say("blorf quux zzzt")
    assert first["handoff"] is None
    second = await shopper.say("wibble wobble flarp")
    assert second["handoff"] is not None and second["handoff"]["reason"] == "low_confidence"
    assert handoff_count(chat_services) == 1


@pytest.mark.parametrize(("scenario", "reason"), [("lost_parcel", "lost_parcel"),
                                                  ("delivery_failed", "delivery_failed"),
                                                  ("returned_to_sender", "returned_to_sender")])
async def test_parcel_problems(chat_services: Services, chat_client: httpx.AsyncClient, scenario: str,
                               reason: str) -> None:
    order = scenario_order(chat_services, scenario)
    body = await Shopper(chat_client, token_for(chat_services, order)).say(f"Where is my order {order.id}?")
    assert body["handoff"]["reason"] == reason
    p = await packet(chat_client, body["handoff"]["id"])
    assert p["order"]["id"] == order.id and order.id in p["summary"]
    assert order.id in p["suggested_reply"]


async def test_one_handoff_per_conversation_and_the_bot_goes_quiet(chat_services: Services,
                                                                   chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(chat_services, "lost_parcel")
    shopper = Shopper(chat_client, token_for(chat_services, order))
    first = await shopper.say(f"Where is my order {order.id}?")
    handoff_id = first["handoff"]["id"]
    held = await shopper.say("I want to talk to a human now!")
    assert held["reply"] == "" and held["handoff"]["id"] == handoff_id
    assert handoff_count(chat_services) == 1
    events = chat_services.events.since(shopper.session_id or "")
    assert any(e.kind == "shopper_message" and e.payload["handoff_id"] == handoff_id for e in events)


async def test_staff_claim_reply_resolve(chat_services: Services, chat_client: httpx.AsyncClient) -> None:
    shopper = Shopper(chat_client)
    body = await shopper.say("Quiero hablar con un humano")
    hid = body["handoff"]["id"]
    listed = (await chat_client.get("/v1/handoffs?state=open", headers=STAFF)).json()["handoffs"]
    assert [h["id"] for h in listed] == [hid] and "packet" not in listed[0]
    claimed = await chat_client.post(f"/v1/handoffs/{hid}/claim", json={"staff": "ana"}, headers=STAFF)
    assert claimed.json()["state"] == "claimed" and claimed.json()["claimed_by"] == "ana"
    other = await chat_client.post(f"/v1/handoffs/{hid}/claim", json={"staff": "bob"}, headers=STAFF)
    assert other.status_code == 409
    sent = await chat_client.post(f"/v1/handoffs/{hid}/reply", json={"staff": "ana", "text": "Hola, soy Ana"},
                                  headers=STAFF)
    assert sent.status_code == 200
    transcript = (await chat_client.get(f"/v1/sessions/{shopper.session_id}")).json()["messages"]
    assert transcript[-1]["role"] == "staff" and transcript[-1]["text"] == "Hola, soy Ana"
    assert any(e.kind == "staff_message" for e in chat_services.events.since(shopper.session_id or ""))
    resolved = await chat_client.post(f"/v1/handoffs/{hid}/resolve", json={"staff": "ana"}, headers=STAFF)
    assert resolved.json()["state"] == "resolved" and resolved.json()["resolved_at"]
    back = await shopper.say("¿Cuánto tarda el envío a Colombia?")
    assert back["reply"] and back["handoff"] is None  # the bot answers again
    assert (await chat_client.post(f"/v1/handoffs/{hid}/reply", json={"text": "x"}, headers=STAFF)).status_code == 409


async def test_staff_api_needs_the_token_and_validates(chat_client: httpx.AsyncClient) -> None:
    assert (await chat_client.get("/v1/handoffs")).status_code == 401
    assert (await chat_client.get("/v1/handoffs", headers={"Authorization": "Bearer nope"})).status_code == 401
    assert (await chat_client.get("/v1/handoffs?state=weird", headers=STAFF)).status_code == 422
    assert (await chat_client.get("/v1/handoffs/hf_missing", headers=STAFF)).status_code == 404
    assert (await chat_client.post("/v1/handoffs/hf_missing/claim", json={}, headers=STAFF)).status_code == 404
    r = await chat_client.post("/v1/handoffs/hf_missing/reply", json={"text": ""}, headers=STAFF)
    assert r.status_code == 422


async def test_earlier_conversations_are_in_the_packet(chat_services: Services,
                                                       chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(chat_services, "in_transit")
    token = token_for(chat_services, order)
    await Shopper(chat_client, token).say("Where is my order?")
    body = await Shopper(chat_client, token).say("I want to speak to a human")
    p = await packet(chat_client, body["handoff"]["id"])
    assert len(p["earlier_conversations"]) == 1 and "order_status" in p["earlier_conversations"][0]["summary"]
