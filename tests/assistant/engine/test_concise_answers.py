"""Policy answers quote the sentence that answers a narrow question and the whole card for a broad one, cited and
linked either way."""

from __future__ import annotations

import httpx

from knowledge.base import KnowledgeBase
from tests.assistant.helpers import Shopper

CASH_URL = "https://shop.portside-demo.example/help/payments#cash"


def cited(body: dict) -> list[str]:
    return [c["doc_id"] for c in body["citations"]]


async def test_a_narrow_question_gets_the_sentence_that_answers_it_with_the_card_cited_and_linked(
        chat_client: httpx.AsyncClient) -> None:
    body = await Shopper(chat_client, language="en").say("Can I pay with OXXO?")
    reply = body["reply"]
    assert "OXXO (Mexico): pay in cash at any OXXO store within 72 hours" in reply, reply
    for other in ("Pix (Brazil)", "Boleto Bancário (Brazil)", "Indonesia, Vietnam", "Saudi Arabia"):
        assert other not in reply, reply  # other countries' methods are on the card, not in the answer
    assert "faq-cash-payments-en" in cited(body)
    assert CASH_URL in reply  # the whole card, one click away


async def test_a_broad_question_gets_the_whole_card(chat_client: httpx.AsyncClient, demo_kb: KnowledgeBase) -> None:
    body = await Shopper(chat_client, language="en").say("What payment methods do you accept?")
    card = demo_kb.card("faq-payment-methods", "en")
    assert card is not None and "faq-payment-methods-en" in cited(body)
    assert card.text in body["reply"] and card.url in body["reply"]


async def test_a_narrow_question_in_russian_gets_the_russian_sentence(chat_client: httpx.AsyncClient) -> None:
    body = await Shopper(chat_client, language="ru").say("Гарантия покрывает повреждения водой?")
    reply = body["reply"]
    assert "не на случайные повреждения или повреждения водой" in reply, reply
    assert "12 месяцев" not in reply and "Чтобы подать заявку" not in reply, reply  # the card's other sentences
    assert "faq-warranty-ru" in cited(body) and "https://shop.portside-demo.example/help/warranty" in reply
