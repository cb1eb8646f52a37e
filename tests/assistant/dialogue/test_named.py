"""The order and the item a shopper names by what it is: "return the lamp" picks the one order holding a lamp
(in any language, by meaning when the catalogue's English name is not in the message); "ja, stornieren" answers
"shall I cancel the order?" with a yes."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from assistant import i18n
from assistant.identity import issue_token
from assistant.nlu.slots import match_items
from assistant.runtime import Services
from connectors.models import Order
from tests.assistant.helpers import Shopper, scenario_order, token_for

# A product of the demo catalogue, a return request naming it in another language without its English words, and
# the product alone as the answer to "which order?".
NAMED = {
    "Desk lamp LED": ("de", "Ich möchte die Schreibtischlampe zurückgeben", "die Schreibtischlampe"),
    "Wireless earbuds": ("es", "quiero devolver los auriculares", "los auriculares"),
    "Travel backpack": ("ru", "Хочу вернуть рюкзак", "рюкзак"),
    "Phone case": ("pt", "quero devolver a capinha do celular", "a capinha do celular"),
    "Running sneakers size 41": ("ja", "スニーカーを返品したい", None),
}


def asked(body: dict) -> tuple[str, str] | None:
    ask = body.get("ask")
    return (ask["intent"], ask["step"]) if ask else None


def delivered_by_customer(services: Services) -> dict[str, list[Order]]:
    with services.engine.connect() as conn:
        ids = conn.execute(text("SELECT id FROM orders WHERE status = 'delivered' ORDER BY id")).scalars().all()
    out: dict[str, list[Order]] = {}
    for oid in ids:
        order = services.store.get_order(oid)
        assert order is not None
        out.setdefault(order.customer_id, []).append(order)
    return out


def one_holder(services: Services, name: str) -> tuple[Order, list[Order]]:
    """A delivered order holding a product none of its customer's other delivered orders holds, and those."""
    for orders in delivered_by_customer(services).values():
        holders = [o for o in orders if any(i.name == name for i in o.items)]
        if len(orders) >= 2 and len(holders) == 1:
            return holders[0], orders
    raise AssertionError(f"the demo store has no customer with {name} in one of several delivered orders")


async def test_an_order_is_picked_by_the_product_named(chat_services: Services,
                                                       chat_client: httpx.AsyncClient) -> None:
    order, orders = one_holder(chat_services, "Desk lamp LED")
    shopper = Shopper(chat_client, issue_token(order.customer_id, chat_services.settings.widget_secret))
    body = await shopper.say("I want to return the lamp")
    assert asked(body) != ("return_request", "order"), body["reply"]  # not "which of your orders?"
    assert order.id in body["reply"] and not any(o.id in body["reply"] for o in orders if o is not order)


@pytest.mark.parametrize("name", sorted(NAMED))
async def test_an_order_is_picked_by_a_product_named_in_another_language(
        chat_services: Services, chat_client: httpx.AsyncClient, name: str) -> None:
    lang, message, _ = NAMED[name]
    order, orders = one_holder(chat_services, name)
    assert not match_items(message, [i.name for o in orders for i in o.items])  # words alone can't tell
    shopper = Shopper(chat_client, issue_token(order.customer_id, chat_services.settings.widget_secret),
                      language=lang)
    body = await shopper.say(message)
    assert asked(body) != ("return_request", "order"), body["reply"]
    assert order.id in body["reply"] and not any(o.id in body["reply"] for o in orders if o is not order)


@pytest.mark.parametrize("name", sorted(n for n, (_, _, answer) in NAMED.items() if answer))
async def test_a_product_named_answers_which_order(chat_services: Services, chat_client: httpx.AsyncClient,
                                                   name: str) -> None:
    lang, _, answer = NAMED[name]
    order, orders = one_holder(chat_services, name)
    shopper = Shopper(chat_client, issue_token(order.customer_id, chat_services.settings.widget_secret),
                      language=lang)
    first = await shopper.say({"de": "Ich möchte etwas zurückgeben", "es": "quiero devolver mi pedido",
                               "ru": "Хочу вернуть заказ", "pt": "quero devolver meu pedido"}[lang])
    assert asked(first) == ("return_request", "order"), first["reply"]
    body = await shopper.say(str(answer))  # just the product, in the shopper's words
    assert asked(body) != ("return_request", "order"), body["reply"]
    assert order.id in body["reply"] and not any(o.id in body["reply"] for o in orders if o is not order)


@pytest.mark.parametrize("message", ["I want to return my order", "I want to return something",
                                     "quiero devolver mi pedido", "Ich möchte etwas zurückgeben"])
async def test_no_product_named_still_asks_which_order(chat_services: Services, chat_client: httpx.AsyncClient,
                                                       message: str) -> None:
    order, _ = one_holder(chat_services, "Desk lamp LED")
    shopper = Shopper(chat_client, issue_token(order.customer_id, chat_services.settings.widget_secret))
    body = await shopper.say(message)
    assert asked(body) == ("return_request", "order"), (message, body["reply"])


@pytest.mark.parametrize(("lang", "yes", "no"), [("de", "ja, stornieren", "nein, nicht stornieren"),
                                                  ("pt", "sim, pode cancelar", "não, não cancele"),
                                                  ("en", "cancel it", "no, don't cancel")])
async def test_a_cancel_word_answers_shall_i_cancel_with_yes(chat_services: Services, chat_client: httpx.AsyncClient,
                                                             lang: str, yes: str, no: str) -> None:
    order = scenario_order(chat_services, "processing")
    keep = Shopper(chat_client, token_for(chat_services, order), language=lang)
    asked_first = await keep.say(f"cancel order {order.id}")
    assert asked(asked_first) == ("cancel_order", "confirm"), asked_first["reply"]
    assert i18n.t(lang, "confirm_prompt_cancel") in asked_first["reply"]
    kept = await keep.say(no)
    assert i18n.t(lang, "action_cancelled") in kept["reply"]
    assert chat_services.store.get_order(order.id).status == "processing"  # type: ignore[union-attr]
    cancel = Shopper(chat_client, token_for(chat_services, order), language=lang)
    await cancel.say(f"cancel order {order.id}")
    done = await cancel.say(yes)
    assert i18n.t(lang, "action_cancelled") not in done["reply"], done["reply"]
    assert chat_services.store.get_order(order.id).status == "cancelled"  # type: ignore[union-attr]


@pytest.mark.parametrize(("lang", "both"), [("en", "both of them"), ("ar", "الاثنين"), ("ko", "둘 다요")])
async def test_both_items_answer_which_items(chat_services: Services, chat_client: httpx.AsyncClient,
                                             lang: str, both: str) -> None:
    order = scenario_order(chat_services, "low_value")  # two items
    assert len(order.items) == 2
    shopper = Shopper(chat_client, token_for(chat_services, order), language=lang)
    first = await shopper.say(f"return order {order.id}")
    assert asked(first) == ("return_request", "items"), first["reply"]
    body = await shopper.say(both)
    assert asked(body) == ("return_request", "reason"), body["reply"]
    body = await shopper.say(i18n.t(lang, "reason.changed_mind"), choice={"step": "reason", "value": "changed_mind"})
    assert all(i.name in body["reply"] for i in order.items), body["reply"]  # the summary holds both


async def test_no_order_that_can_still_be_cancelled_is_said(chat_services: Services,
                                                            chat_client: httpx.AsyncClient) -> None:
    with chat_services.engine.connect() as conn:
        customer = conn.execute(text(
            "SELECT customer_id FROM orders GROUP BY customer_id HAVING COUNT(*) >= 2 AND "
            "SUM(CASE WHEN status IN ('pending_payment', 'processing') THEN 1 ELSE 0 END) = 0 LIMIT 1")).scalar_one()
    shopper = Shopper(chat_client, issue_token(customer, chat_services.settings.widget_secret))
    body = await shopper.say("please cancel my order")
    assert i18n.t("en", "none_before_shipping") in body["reply"], body["reply"]
    assert body["ask"] is None  # no list of orders that can't be cancelled anyway


async def test_a_product_of_another_order_than_the_one_discussed_picks_that_order(
        chat_services: Services, chat_client: httpx.AsyncClient) -> None:
    lamp_order, orders = one_holder(chat_services, "Desk lamp LED")
    discussed = next(o for o in orders if o is not lamp_order)
    shopper = Shopper(chat_client, issue_token(lamp_order.customer_id, chat_services.settings.widget_secret))
    status = await shopper.say(f"where is order {discussed.id}?")
    assert discussed.id in status["reply"]
    body = await shopper.say("I want to return the lamp")
    assert lamp_order.id in body["reply"] and discussed.id not in body["reply"], body["reply"]
