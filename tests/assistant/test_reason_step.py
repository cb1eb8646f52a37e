"""The reason step of a return, through /v1/chat: a reason that holds a "no" ("no funciona", "wrong size") is the
answer to the question, not a "no, forget it" that drops the return."""

from __future__ import annotations

import httpx
import pytest

from assistant import i18n
from assistant.runtime import Services
from tests.assistant.helpers import Shopper, scenario_order, token_for


@pytest.mark.parametrize(
    ("lang", "ask", "reason", "code"),
    [("en", "I want to return order {id}", "wrong size", "wrong_size"),
     ("es", "Quiero devolver el pedido {id}", "no funciona", "defective"),
     ("pt", "Quero devolver o pedido {id}", "não funciona", "defective")],
)
async def test_a_reason_with_a_no_in_it_answers_the_reason_step(chat_services: Services,
                                                                chat_client: httpx.AsyncClient, lang: str, ask: str,
                                                                reason: str, code: str) -> None:
    order = scenario_order(chat_services, "delivered_day_30")  # one item, on the last day of the return window
    shopper = Shopper(chat_client, token_for(chat_services, order), language=lang)
    asked = await shopper.say(ask.format(id=order.id))
    assert asked["intent"] == "return_request" and not any(a["type"] == "confirm" for a in asked["actions"]), asked
    answered = await shopper.say(reason)
    assert answered["intent"] == "return_request", answered
    assert i18n.t(lang, "action_cancelled") not in answered["reply"]
    assert {"type": "confirm", "intent": "return_request"} in answered["actions"], answered["reply"]
    assert i18n.reason(lang, code) in answered["reply"]  # the summary names the reason heard
