"""Greetings, thanks and goodbyes through /v1/chat."""

from __future__ import annotations

import httpx
import pytest

from assistant import i18n
from assistant.runtime import Services
from tests.assistant.helpers import Shopper


@pytest.mark.parametrize(("lang", "question", "bye"), [
    ("en", "Do you accept PayPal?", "ok thanks, bye"),
    ("es", "¿Aceptan PayPal?", "Perfecto, muchas gracias, adiós"),
    ("pt", "Vocês aceitam Pix?", "tchau"),
    ("fr", "Acceptez-vous PayPal ?", "merci, au revoir"),
    ("de", "Akzeptieren Sie PayPal?", "Danke, tschüss"),
    ("ja", "PayPalは使えますか？", "さようなら"),
    ("zh", "可以用PayPal付款吗？", "再见"),
    ("ko", "반품 기간은 며칠인가요?", "안녕히 계세요"),
])
async def test_goodbye_after_being_helped_ends_the_chat(chat_client: httpx.AsyncClient, lang: str, question: str,
                                                        bye: str) -> None:
    shopper = Shopper(chat_client, language=lang)
    await shopper.say(question)
    body = await shopper.say(bye)
    assert body["intent"] == "greeting" and body["handoff"] is None
    assert body["reply"] == i18n.t(lang, "goodbye")
    assert i18n.t(lang, "thanks") not in body["reply"]
    assert {"type": "csat_prompt"} in body["actions"]  # the widget asks for a rating
    messages = (await chat_client.get(f"/v1/sessions/{shopper.session_id}")).json()["messages"]
    assert messages[-1]["csat_prompt"] is True  # and again after a reload


async def test_goodbye_without_a_conversation_asks_for_no_rating(chat_client: httpx.AsyncClient) -> None:
    body = await Shopper(chat_client).say("bye")
    assert body["reply"] == i18n.t("en", "goodbye") and body["actions"] == []


async def test_thanks_is_still_youre_welcome(chat_client: httpx.AsyncClient) -> None:
    shopper = Shopper(chat_client)
    await shopper.say("Do you accept PayPal?")
    body = await shopper.say("great, thanks!")
    assert body["reply"] == i18n.t("en", "thanks") and body["actions"] == []


async def test_goodbye_drops_a_half_asked_question(chat_services: Services, chat_client: httpx.AsyncClient) -> None:
    shopper = Shopper(chat_client)
    await shopper.say("Where is my order?")  # asks for the order number and email
    assert chat_services.conversations.get_session(shopper.session_id or "").state.pending  # type: ignore[union-attr]
    body = await shopper.say("再见")  # the classifier is unsure of it; the farewell is not
    assert body["reply"] == i18n.t(body["language"], "goodbye") and body["intent"] == "greeting"
    assert chat_services.conversations.get_session(shopper.session_id or "").state.pending is None  # type: ignore[union-attr]


async def test_goodbye_at_a_confirmation_commits_nothing_and_asks_again(chat_services: Services,
                                                                       chat_client: httpx.AsyncClient) -> None:
    from sqlalchemy import func, select

    from assistant.storage import schema as t
    from tests.assistant.helpers import scenario_order, token_for

    def returns() -> int:
        with chat_services.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(t.returns)) or 0)

    order = scenario_order(chat_services, "delivered_recent")
    shopper = Shopper(chat_client, token_for(chat_services, order))
    chat_services.returns  # noqa: B018 - creates the returns tables
    before = returns()
    summary = await shopper.say(f"I want to return order {order.id}, item 1, it arrived broken")
    assert i18n.t("en", "confirm_prompt") in summary["reply"]
    body = await shopper.say("ok thanks bye")  # "ok" is no clear yes to a refund
    assert body["reply"].startswith(i18n.t("en", "confirm_before_leaving"))
    assert i18n.t("en", "confirm_prompt") in body["reply"] and returns() == before
    done = await shopper.say("yes")
    assert any(a["type"] == "return_draft" and a["status"] for a in done["actions"]) and returns() == before + 1
