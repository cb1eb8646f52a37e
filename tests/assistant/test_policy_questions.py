"""Help-centre questions through /v1/chat: asked about the rules, the shopper gets the rules (with a citation), not
a request for their order number; asked to act, they still get the action."""

from __future__ import annotations

import httpx
import pytest

from assistant import i18n
from assistant.runtime import Services
from assistant.state import DialogueState
from assistant.tools.context import ToolContext
from assistant.tools.kb import search_kb, sure_answer
from tests.assistant.helpers import Shopper


def cited(body: dict) -> list[str]:
    return [c["doc_id"] for c in body["citations"]]


@pytest.mark.parametrize(("lang", "question", "card"), [
    ("en", "What is your exchange policy?", "faq-exchanges"),
    ("es", "¿Cuál es su política de cancelación de pedidos?", "faq-cancel-order"),
    ("vi", "Quy định đổi hàng của shop thế nào?", "faq-exchanges"),
    ("pt", "Qual é a política de troca de vocês?", "faq-exchanges"),
    ("en", "Before I buy: until when could I still change the delivery address?", "faq-change-address"),
])
async def test_asking_about_the_rules_of_something_we_can_do_gets_the_rules_and_an_offer(
        chat_client: httpx.AsyncClient, lang: str, question: str, card: str) -> None:
    body = await Shopper(chat_client, language=lang).say(question)
    assert body["intent"] == "policy_question", body
    assert f"{card}-{lang}" in cited(body)
    assert i18n.t(lang, "policy_offer_action") in body["reply"] and not body["verified"]


@pytest.mark.parametrize(("lang", "ask", "intent"), [
    ("en", "I want to exchange my sneakers for a bigger size", "exchange_request"),
    ("es", "Quiero cancelar mi pedido", "cancel_order"),
    ("en", "My order usually arrives within a week but it's been three weeks now, where is it?", "order_status"),
    ("zh", "质量一般，我想退货", "return_request"),  # 一般 is "so-so" here, not "in general"
])
async def test_asking_to_act_is_still_an_action(chat_client: httpx.AsyncClient, lang: str, ask: str,
                                                intent: str) -> None:
    body = await Shopper(chat_client, language=lang).say(ask)
    assert body["intent"] == intent and not body["citations"], body


@pytest.mark.parametrize(("lang", "question", "card"), [
    ("nl", "Zijn retourzendingen gratis of moet ik retourkosten betalen?", "faq-return-fee"),
    ("en", "What's your policy on cheap items: do I have to send them back to get a refund?",
     "faq-refund-without-return"),
])
async def test_a_question_the_help_centre_clearly_answers_is_answered_even_when_the_intent_is_unclear(
        chat_client: httpx.AsyncClient, lang: str, question: str, card: str) -> None:
    body = await Shopper(chat_client, language=lang).say(question)
    assert f"{card}-{lang}" in cited(body), body
    assert i18n.t(lang, "clarify") not in body["reply"]


async def test_an_unclear_message_the_help_centre_does_not_answer_still_asks_what_is_meant(
        chat_client: httpx.AsyncClient) -> None:
    body = await Shopper(chat_client, language="en").say("hmm the blue one maybe, not sure yet")
    assert not body["citations"] and body["handoff"] is None, body


def test_routing_and_answering_share_one_kb_search_per_turn(chat_services: Services) -> None:
    ctx = ToolContext(chat_services, "ses_test", DialogueState(), "en")
    question = "Which payment methods do you accept?"
    vector = chat_services.kb.embed_query(question)
    sure = sure_answer(ctx, question, vector)
    hits = search_kb(ctx, question, k=1, query_vector=vector)
    assert sure is not None and hits[0] is sure and len(ctx.kb_hits) == 1
    assert search_kb(ctx, question, k=3, query_vector=vector)[0].card == sure.card and len(ctx.kb_hits) == 2
