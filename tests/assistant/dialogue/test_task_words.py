"""A message whose own words name its task ("devolver", "annuler", "الغي") is that task: an unsure classifier is
not asked to clarify, and a help-centre guess nearby does not turn the request into a policy answer. A question
that ranks the help centre first ("how much does a return cost?") is still answered from it."""

from __future__ import annotations

import httpx
import pytest

from assistant import i18n
from assistant.runtime import Services
from tests.assistant.helpers import Shopper, scenario_order, token_for


@pytest.mark.parametrize(("lang", "message", "intent"), [
    ("fr", "Bonsoir, je souhaiterais annuler ma commande s'il vous plaît, je l'ai trouvée moins chère ailleurs.",
     "cancel_order"),
    ("es", "quiero devolver mi pedido", "return_request"),
])
async def test_an_unsure_message_naming_its_task_is_not_asked_to_clarify(
        chat_services: Services, chat_client: httpx.AsyncClient, lang: str, message: str, intent: str) -> None:
    order = scenario_order(chat_services, "processing" if intent == "cancel_order" else "delivered_day_30")
    shopper = Shopper(chat_client, token_for(chat_services, order), language=lang)
    body = await shopper.say(message)
    assert body["intent"] == intent, body["reply"]
    assert i18n.t(lang, "clarify") not in body["reply"]


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "please cancel my order, I haven't paid yet and I don't need it any more"),
    ("ar", "لو سمحت الغي طلبي، ما عدت أحتاجه"),
])
async def test_a_worded_request_is_not_turned_into_a_policy_answer(chat_services: Services,
                                                                  chat_client: httpx.AsyncClient, lang: str,
                                                                  message: str) -> None:
    order = scenario_order(chat_services, "processing")
    shopper = Shopper(chat_client, token_for(chat_services, order), language=lang)
    body = await shopper.say(message)
    assert body["intent"] == "cancel_order" and not body["citations"], body["reply"]
    assert order.id in body["reply"]


async def test_a_question_about_returns_is_still_answered_from_the_help_centre(
        chat_services: Services, chat_client: httpx.AsyncClient) -> None:
    body = await Shopper(chat_client).say("how much does it cost to send a return back?")
    assert body["intent"] == "policy_question" and body["citations"], body["reply"]
