"""Mid-task understanding: reasons heard by meaning, a reason beats a "no", quick-reply choices, no loops, a
"yes" to nothing, and handoffs that keep the order and what the shopper already said."""

from __future__ import annotations

import httpx
import pytest

from assistant import i18n
from assistant.nlu.slots import extract
from assistant.runtime import Services
from tests.assistant.helpers import Shopper, scenario_order, token_for
from tests.conftest import STAFF_TOKEN

STAFF = {"Authorization": f"Bearer {STAFF_TOKEN}"}


def asked(body: dict) -> tuple[str, str] | None:
    ask = body.get("ask")
    return (ask["intent"], ask["step"]) if ask else None


async def at_reason_step(services: Services, client: httpx.AsyncClient, language: str | None = None) -> Shopper:
    """A signed-in shopper returning the socks of a two-item order (low_value): items, then the reason."""
    order = scenario_order(services, "low_value")
    shopper = Shopper(client, token_for(services, order), language=language)
    first = await shopper.say(f"return order {order.id}")
    assert asked(first) == ("return_request", "items"), first
    second = await shopper.say("1")
    assert asked(second) == ("return_request", "reason"), second
    return shopper


@pytest.mark.parametrize(("lang", "opening"), [
    ("en", "order {id}: i want to send the desk lamp back, it's nothing like the photos"),
    ("es", "pedido {id}: quiero devolver la lámpara, no se parece nada a la foto"),
])
async def test_a_reason_in_everyday_words_is_heard_in_the_first_message(
        chat_services: Services, chat_client: httpx.AsyncClient, lang: str, opening: str) -> None:
    assert not extract(opening, lang).reasons  # no lexicon phrase holds it: heard by meaning or not at all
    order = scenario_order(chat_services, "delivered_day_30")  # one desk lamp, day 30 of a 30-day window
    shopper = Shopper(chat_client, token_for(chat_services, order))
    body = await shopper.say(opening.format(id=order.id))
    assert asked(body) == ("return_request", "confirm"), body["reply"]  # straight to the summary
    assert i18n.t(lang, "ask_reason") not in body["reply"]
    assert i18n.t(lang, "reason.not_as_described") in body["reply"]


@pytest.mark.parametrize(("lang", "answer"), [("en", "it looks nothing like the picture on your site"),
                                              ("de", "sieht ganz anders aus als auf dem Foto")])
async def test_a_reason_answer_in_everyday_words_is_heard(chat_services: Services, chat_client: httpx.AsyncClient,
                                                          lang: str, answer: str) -> None:
    assert not extract(answer, lang).reasons
    shopper = await at_reason_step(chat_services, chat_client, language=lang)
    body = await shopper.say(answer)
    assert asked(body) == ("return_request", "confirm"), body["reply"]
    assert i18n.t(lang, "reason.not_as_described") in body["reply"]


@pytest.mark.parametrize(("lang", "answer"), [("es", "no funciona"), ("pt", "não funciona"), ("en", "wrong size"),
                                              ("en", "nope, they're two sizes too big")])
async def test_at_the_reason_step_a_reason_beats_a_no(chat_services: Services, chat_client: httpx.AsyncClient,
                                                       lang: str, answer: str) -> None:
    shopper = await at_reason_step(chat_services, chat_client, language=lang)
    body = await shopper.say(answer)
    assert i18n.t(lang, "action_cancelled") not in body["reply"]
    assert asked(body) == ("return_request", "confirm"), body["reply"]


async def test_reason_choices_are_localised_and_a_click_answers_the_step(
        chat_services: Services, chat_client: httpx.AsyncClient) -> None:
    shopper = await at_reason_step(chat_services, chat_client, language="es")
    order = scenario_order(chat_services, "low_value")
    first = await shopper.say(f"devolver el pedido {order.id}")  # restart: same step, asked in Spanish
    choices = {c["value"]: c["label"] for c in first["ask"]["choices"]}
    policy = chat_services.policy.returns
    assert set(choices) == {*policy.defect_reasons, *policy.other_reasons}
    assert choices["wrong_size"].lower() == i18n.t("es", "reason.wrong_size").lower() != \
        i18n.t("en", "reason.wrong_size").lower()
    # The label alone would not be understood as a reason ("Otro motivo" style labels); the value is taken.
    body = await shopper.say(choices["changed_mind"], choice={"step": "reason", "value": "changed_mind"})
    assert asked(body) == ("return_request", "confirm"), body["reply"]
    assert i18n.t("es", "reason.changed_mind") in body["reply"]
    labels = [c["label"] for c in body["ask"]["choices"]]
    assert labels == [i18n.t("es", "choice.yes"), i18n.t("es", "choice.no")]
    transcript = (await chat_client.get(f"/v1/sessions/{shopper.session_id}")).json()
    assert [m for m in transcript["messages"] if m["role"] == "assistant"][-1]["ask"]["step"] == "confirm"
    done = await shopper.say(labels[0], choice={"step": "confirm", "value": "yes"})
    assert any(a["type"] == "return_draft" and a.get("created") for a in done["actions"]), done
    assert done["ask"] is None


async def test_a_stale_or_unknown_choice_is_read_from_its_words(chat_services: Services,
                                                              chat_client: httpx.AsyncClient) -> None:
    shopper = await at_reason_step(chat_services, chat_client)
    stale = await shopper.say("it arrived broken", choice={"step": "confirm", "value": "yes"})
    assert asked(stale) == ("return_request", "confirm")  # the words answered the reason step; nothing committed
    assert not any(a["type"] == "return_draft" and a.get("created") for a in stale["actions"])
    bad = await chat_client.post("/v1/chat", json={"session_id": shopper.session_id, "message": "x",
                                                   "choice": {"step": "nowhere", "value": "x"}})
    assert bad.status_code == 422 and "choice" in bad.text


async def test_the_same_question_is_never_asked_a_third_time(chat_services: Services,
                                                             chat_client: httpx.AsyncClient) -> None:
    shopper = await at_reason_step(chat_services, chat_client)
    first = await shopper.say("yes, I confirm")  # a yes to a question that wanted a reason
    assert asked(first) == ("return_request", "reason")
    assert i18n.t("en", "ask_again_buttons") in first["reply"] and first["ask"]["choices"]
    second = await shopper.say("yes")
    assert i18n.t("en", "ask_reason") not in second["reply"]  # not a third time
    assert i18n.t("en", "loop_offer_human") in second["reply"]
    assert asked(second) == ("human_agent", "confirm")
    accepted = await shopper.say("yes")
    handoff = accepted["handoff"]
    assert handoff and handoff["reason"] == "task_stuck"
    r = await chat_client.get(f"/v1/handoffs/{handoff['id']}", headers=STAFF)
    packet = r.json()["packet"]
    order = scenario_order(chat_services, "low_value")
    assert packet["order"]["id"] == order.id
    assert packet["task"]["intent"] == "return_request" and packet["task"]["skus"] == [order.items[0].sku]


async def test_asking_for_a_person_mid_task_keeps_the_task(chat_services: Services,
                                                         chat_client: httpx.AsyncClient) -> None:
    shopper = await at_reason_step(chat_services, chat_client)
    body = await shopper.say("can I talk to a real person please")
    assert body["handoff"], body
    r = await chat_client.get(f"/v1/handoffs/{body['handoff']['id']}", headers=STAFF)
    packet = r.json()["packet"]
    assert packet["task"]["step"] == "reason" and packet["order"]["id"] == scenario_order(chat_services,
                                                                                          "low_value").id


@pytest.mark.parametrize(("hello", "yes"), [("hello", "yes"), ("hello", "ok"), ("hola", "sí"), ("你好", "好的")])
async def test_a_yes_with_nothing_to_confirm(chat_services: Services, chat_client: httpx.AsyncClient,
                                             hello: str, yes: str) -> None:
    shopper = Shopper(chat_client)
    greeted = await shopper.say(hello)  # "你好" holds "好" (ok), yet it is a hello
    assert greeted["reply"] != i18n.t(greeted["language"], "nothing_to_confirm")
    body = await shopper.say(yes)
    assert i18n.t(body["language"], "nothing_to_confirm") == body["reply"]
    assert body["ask"] is None and not body["handoff"] and not body["actions"]
    # More than a yes: a thank-you.
    thanks = await shopper.say({"hola": "ok gracias", "你好": "好的，谢谢"}.get(hello, "ok thanks"))
    assert thanks["reply"] != i18n.t(thanks["language"], "nothing_to_confirm")


async def test_a_person_about_an_order_gets_the_order(chat_services: Services,
                                                      chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(chat_services, "in_transit")
    shopper = Shopper(chat_client, token_for(chat_services, order))
    body = await shopper.say(f"I need to talk to a person about my order {order.id}")
    r = await chat_client.get(f"/v1/handoffs/{body['handoff']['id']}", headers=STAFF)
    assert r.json()["packet"]["order"]["id"] == order.id
    guest = Shopper(chat_client)
    body = await guest.say(f"I need to talk to a person about my order {order.id}")
    packet = (await chat_client.get(f"/v1/handoffs/{body['handoff']['id']}", headers=STAFF)).json()["packet"]
    assert packet["order"] is None and packet["named_orders"] == [order.id]  # a guest's number, not proved theirs
    assert order.id in packet["summary"]
