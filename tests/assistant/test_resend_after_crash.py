"""A message stored just before the server died is answered when the widget resends it (same client_id): once,
and the same answer on every later resend. A message a person holds stays unanswered by the bot."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from assistant.runtime import Services
from assistant.storage import schema as t
from tests.assistant.helpers import Shopper, scenario_order, token_for

pytestmark = pytest.mark.both_databases


def assistant_messages(services: Services, session_id: str) -> int:
    with services.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(t.messages).where(t.messages.c.session_id == session_id)
                               .where(t.messages.c.role == "assistant")) or 0)


async def test_a_message_stored_before_a_crash_is_answered_on_resend(chat_services: Services,
                                                                     chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(chat_services, "in_transit")
    shopper = Shopper(chat_client, token_for(chat_services, order))
    await shopper.say("hello")
    session_id = shopper.session_id or ""
    before = assistant_messages(chat_services, session_id)
    # What a crash between "persist inbound" and "persist reply" leaves behind: the message, no answer.
    chat_services.conversations.add_message(session_id, "shopper", f"Where is my order {order.id}?",
                                            meta={"client_id": "c-42", "redactions": []})
    resent = await shopper.say(f"Where is my order {order.id}?", client_id="c-42")
    assert resent["reply"] and order.shipments[0].tracking_number in resent["reply"]
    assert assistant_messages(chat_services, session_id) == before + 1
    again = await shopper.say(f"Where is my order {order.id}?", client_id="c-42")
    assert again["reply"] == resent["reply"] and assistant_messages(chat_services, session_id) == before + 1
    with chat_services.engine.connect() as conn:
        shopper_rows = conn.scalar(select(func.count()).select_from(t.messages)
                                   .where(t.messages.c.session_id == session_id).where(t.messages.c.role == "shopper"))
    assert shopper_rows == 2  # the resend reused the stored message: nothing stored twice


async def test_a_message_held_for_a_person_stays_quiet_on_resend(chat_services: Services,
                                                                 chat_client: httpx.AsyncClient) -> None:
    shopper = Shopper(chat_client)
    await shopper.say("I want to talk to a person")
    held = await shopper.say("are you there?", client_id="c-7")
    assert held["reply"] == "" and held["intent"] == "human_agent"
    again = await shopper.say("are you there?", client_id="c-7")
    assert again["reply"] == "" and assistant_messages(chat_services, shopper.session_id or "") == 1
