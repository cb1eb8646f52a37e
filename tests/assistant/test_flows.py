"""Actions by policy through /v1/chat: returns, exchanges, cancellations, address changes — in several languages,
nothing written before an explicit yes, no duplicates on a repeated yes."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from assistant.runtime import Services
from assistant.storage import schema as t
from tests.assistant.helpers import Shopper, scenario_order, token_for
from tests.conftest import STAFF_TOKEN

STAFF = {"Authorization": f"Bearer {STAFF_TOKEN}"}


def count(services: Services, table: t.Table) -> int:  # type: ignore[name-defined]
    with services.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def action(body: dict, kind: str) -> dict:
    return next(a for a in body["actions"] if a["type"] == kind)


RETURN_REQUESTS = [
    ("en", "I want to return order {id}, it arrived broken", "yes"),
    ("es", "Quiero devolver el pedido {id}, llegó roto", "sí"),
    ("pt", "Quero devolver o pedido {id}, chegou quebrado", "sim"),
    ("de", "Ich möchte die Bestellung {id} zurückgeben, sie kam kaputt an", "ja"),
    ("fr", "Je veux retourner la commande {id}, elle est arrivée cassée", "oui"),
    ("id", "Saya mau retur pesanan {id}, barangnya rusak", "iya"),
    ("ar", "أريد إرجاع الطلب {id}، وصل مكسور", "نعم"),
]


@pytest.mark.parametrize(("lang", "ask", "yes"), RETURN_REQUESTS)
async def test_return_with_confirmation_in_many_languages(chat_services: Services, chat_client: httpx.AsyncClient,
                                                          lang: str, ask: str, yes: str) -> None:
    order = scenario_order(chat_services, "delivered_day_31")  # one item (a backpack), delivered 31 days ago
    shopper = Shopper(chat_client, token_for(chat_services, order))
    summary = await shopper.say(ask.format(id=order.id))
    assert summary["language"] == lang and summary["intent"] == "return_request", summary
    assert order.id in summary["reply"] and "**" in summary["reply"]
    assert count(chat_services, t.returns) == 0  # nothing written before the yes
    assert {"type": "confirm", "intent": "return_request"} in summary["actions"]  # widgets show the buttons
    done = await shopper.say(yes)
    draft = action(done, "return_draft")
    assert draft["eligible"] and draft["status"] == "approved" and draft["rma_id"].startswith("RMA-")
    assert draft["items"] == [{"sku": "BAG-1", "quantity": 1}] and draft["reason_code"] == "eligible"
    assert draft["return_required"] and draft["refund_amount"] == order.items[0].unit_price  # damaged: no fee
    assert draft["rma_id"] in done["reply"] and "label.pdf" in done["reply"]
    assert count(chat_services, t.returns) == 1
    again = await shopper.say(yes)  # a repeated yes writes nothing new
    assert count(chat_services, t.returns) == 1 and not any(a["type"] == "return_draft" and a.get("created")
                                                             for a in again["actions"])
    label = await chat_client.get(draft["label_url"])
    assert label.status_code == 200 and label.content.startswith(b"%PDF") and label.headers["content-type"] == \
        "application/pdf"
    assert (await chat_client.get(draft["label_url"].split("?")[0] + "?sig=forged")).status_code == 404


async def test_same_session_order_and_items_give_the_same_rma(chat_services: Services,
                                                              chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(chat_services, "delivered_recent")
    shopper = Shopper(chat_client, token_for(chat_services, order))
    sku = order.items[0].sku
    await shopper.say(f"I want to return order {order.id}, item 1, it arrived damaged")
    first = action(await shopper.say("yes"), "return_draft")
    await shopper.say(f"I want to return order {order.id}, item 1, it arrived damaged")
    second = action(await shopper.say("yes"), "return_draft")
    assert first["rma_id"] == second["rma_id"] and first["items"][0]["sku"] == sku
    assert count(chat_services, t.returns) == 1


async def test_no_means_nothing_is_written(chat_services: Services, chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(chat_services, "delivered_day_30")
    shopper = Shopper(chat_client, token_for(chat_services, order))
    await shopper.say(f"Quiero devolver el pedido {order.id}, cambié de opinión")
    body = await shopper.say("no")
    assert count(chat_services, t.returns) == 0 and not body["actions"]


async def test_day_30_is_in_and_changed_mind_in_a_hub_country_is_free(chat_services: Services,
                                                                      chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(chat_services, "delivered_day_30")
    shopper = Shopper(chat_client, token_for(chat_services, order))
    summary = await shopper.say(f"I want to return order {order.id}, I changed my mind")
    assert "yes" in summary["reply"]
    draft = action(await shopper.say("yes"), "return_draft")
    country = order.shipping_address.country
    fee_usd = 0 if country in chat_services.policy.returns.hubs else \
        chat_services.policy.returns.return_fee_usd.for_country(country)
    expected = round(order.items[0].unit_price - fee_usd / chat_services.policy.fx_to_usd[order.currency], 2)
    assert draft["eligible"] and draft["refund_amount"] == pytest.approx(expected)


@pytest.mark.parametrize(("scenario", "message", "code"), [
    ("delivered_day_31", "I want to return order {id}, I changed my mind", "outside_window"),
    ("delivered_long_ago", "I want to return order {id}, item 1, it's too small", "outside_window"),
    ("electronics_day_20", "I want to return order {id}, I don't need it anymore", "outside_window"),
])
async def test_ineligible_returns_explain_cite_and_offer_a_person(chat_services: Services,
                                                                  chat_client: httpx.AsyncClient, scenario: str,
                                                                  message: str, code: str) -> None:
    order = scenario_order(chat_services, scenario)
    shopper = Shopper(chat_client, token_for(chat_services, order))
    body = await shopper.say(message.format(id=order.id))
    draft = action(body, "return_draft")
    assert not draft["eligible"] and draft["reason_code"] == code and draft["rma_id"] is None
    # The citation is the card the policy names for the reason, not a search's best guess.
    assert [c["doc_id"] for c in body["citations"]] == [f"{chat_services.policy.sources[code]}-en"]
    assert "person" in body["reply"]
    assert count(chat_services, t.returns) == 0
    insist = await shopper.say("yes")  # accepting the person = insisting on an exception
    assert insist["handoff"] is not None and insist["handoff"]["reason"] == "policy_exception"


async def test_final_sale_needs_a_defect(chat_services: Services, chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(chat_services, "final_sale")
    shopper = Shopper(chat_client, token_for(chat_services, order))
    ask = await shopper.say(f"I want to return order {order.id}")
    assert "1." in ask["reply"] and "2." in ask["reply"]  # two items: which one?
    await shopper.say("item 1")
    refused = await shopper.say("I changed my mind")
    assert action(refused, "return_draft")["reason_code"] == "final_sale"
    assert [c["doc_id"] for c in refused["citations"]] == ["faq-final-sale-en"]
    await shopper.say("no")
    await shopper.say(f"I want to return order {order.id}, item 1, it is defective, doesn't work")
    done = action(await shopper.say("yes"), "return_draft")
    assert done["eligible"] and done["status"] == "approved"


async def test_low_value_items_are_refunded_without_return(chat_services: Services,
                                                           chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(chat_services, "low_value")
    shopper = Shopper(chat_client, token_for(chat_services, order))
    await shopper.say(f"Quiero devolver el pedido {order.id}, el artículo 1, llegó roto")
    draft = action(await shopper.say("sí"), "return_draft")
    assert draft["eligible"] and draft["return_required"] is False and "label_url" not in draft


async def test_refund_above_limit_waits_for_staff_and_approval_gives_a_label(chat_services: Services,
                                                                            chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(chat_services, "high_value")
    shopper = Shopper(chat_client, token_for(chat_services, order))
    await shopper.say(f"The drone from order {order.id} arrived broken, I want to return it")
    body = await shopper.say("yes")
    draft = action(body, "return_draft")
    assert draft["status"] == "awaiting_approval" and "label_url" not in draft
    assert body["handoff"]["reason"] == "refund_approval"
    packet = (await chat_client.get(f"/v1/handoffs/{body['handoff']['id']}", headers=STAFF)).json()["packet"]
    assert packet["return_draft"]["rma_id"] == draft["rma_id"]
    r = await chat_client.post(f"/v1/returns/{draft['rma_id']}/approve", json={"staff": "ana"}, headers=STAFF)
    assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["label_url"]
    again = await chat_client.post(f"/v1/returns/{draft['rma_id']}/reject", json={"staff": "ana"}, headers=STAFF)
    assert again.status_code == 409
    assert (await chat_client.post("/v1/returns/RMA-nope/approve", json={}, headers=STAFF)).status_code == 404
    assert (await chat_client.post(f"/v1/returns/{draft['rma_id']}/approve", json={})).status_code == 401


async def test_cash_paid_order_refunds_as_store_credit(chat_services: Services, chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(chat_services, "delivered_cash")
    shopper = Shopper(chat_client, token_for(chat_services, order))
    assert order.payment_method in chat_services.policy.returns.cash_payment_methods  # the scenario pays in cash
    summary = await shopper.say(f"I want to return order {order.id}, it's defective")
    assert "store credit" in summary["reply"] and "bank transfer" in summary["reply"]
    draft = action(await shopper.say("yes"), "return_draft")
    row = chat_services.returns.get(draft["rma_id"])
    assert row is not None
    assert row["refund_method"] == "store_credit"


async def test_exchange_for_another_size(chat_services: Services, chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(chat_services, "delivered_cash")  # running sneakers size 41
    shopper = Shopper(chat_client, token_for(chat_services, order))
    ask = await shopper.say(f"I'd like to exchange the sneakers from order {order.id} for another size")
    assert "40" in ask["reply"] and "42" in ask["reply"]
    summary = await shopper.say("42 please")
    assert "42" in summary["reply"] and count(chat_services, t.returns) == 0
    done = await shopper.say("yes")
    ex = action(done, "exchange_draft")
    assert ex["target_sku"] == "SNK-42" and ex["rma_id"] and ex["status"] == "approved"
    await shopper.say(f"I'd like to exchange the sneakers from order {order.id} for size 40")
    refused = await shopper.say("yes")
    assert count(chat_services, t.returns) == 1  # once per order
    del refused


async def test_cancel_only_before_shipping(chat_services: Services, chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(chat_services, "processing")
    shopper = Shopper(chat_client, token_for(chat_services, order))
    summary = await shopper.say(f"Quero cancelar o pedido {order.id}")
    assert summary["language"] == "pt" and order.id in summary["reply"]
    assert chat_services.store.get_order(order.id).status == "processing"  # type: ignore[union-attr]
    done = await shopper.say("sim")
    assert action(done, "cancel_order") == {"type": "cancel_order", "order_id": order.id, "done": True}
    assert chat_services.store.get_order(order.id).status == "cancelled"  # type: ignore[union-attr]
    shipped = scenario_order(chat_services, "in_transit")
    other = Shopper(chat_client, token_for(chat_services, shipped))
    refused = await other.say(f"Cancel order {shipped.id} please")
    assert action(refused, "cancel_order")["done"] is False
    assert chat_services.store.get_order(shipped.id).status == "shipped"  # type: ignore[union-attr]


async def test_change_address_before_shipping(chat_services: Services, chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(chat_services, "pending_cash_payment")
    shopper = Shopper(chat_client, token_for(chat_services, order))
    ask = await shopper.say(f"I need to change the delivery address of order {order.id}")
    assert "street" in ask["reply"]
    summary = await shopper.say("Calle Falsa 123, Springfield, 54321")
    assert "Calle Falsa 123" in summary["reply"]
    done = await shopper.say("yes")
    assert action(done, "change_address")["done"] is True
    stored = chat_services.store.get_order(order.id)
    assert stored is not None and stored.shipping_address.line1 == "Calle Falsa 123"
    assert stored.shipping_address.postal_code == "54321" and stored.shipping_address.city == "Springfield"


async def test_cash_refund_by_bank_transfer_goes_to_a_person(chat_services: Services,
                                                            chat_client: httpx.AsyncClient) -> None:
    from sqlalchemy import text

    with chat_services.engine.connect() as conn:
        oid = conn.execute(text("SELECT id FROM orders WHERE status='delivered' AND payment_method IN "
                                "('cod','boleto','oxxo') ORDER BY id")).scalars().first()
    order = chat_services.store.get_order(oid)
    assert order is not None
    shopper = Shopper(chat_client, token_for(chat_services, order))
    summary = await shopper.say(f"I want to return order {order.id}, item 1, it arrived broken")
    assert "bank transfer" in summary["reply"]
    body = await shopper.say("I'd prefer a bank transfer to my bank account please")
    draft = action(body, "return_draft")
    assert draft["status"] == "awaiting_approval" and draft["refund_method"] == "bank_transfer"
    assert body["handoff"]["reason"] == "bank_transfer_refund"


@pytest.mark.parametrize(("lang", "ask"), [
    ("en", "I'd like to send back order {id}, I changed my mind"),
    ("es", "Quiero devolver el pedido {id}, ya no lo quiero"),  # the classifier alone says cancel_order
    ("tr", "Siparişim {id} iade etmek istiyorum, fikrimi değiştirdim"),  # the classifier alone says cancel_order
    ("it", "Vorrei restituire l'ordine {id}, la lampada non corrisponde alla descrizione"),  # cancel, too
    ("vi", "Cho mình trả lại hàng đơn {id} nhé, mình không thích nữa"),
])
async def test_sending_back_a_delivered_order_for_a_change_of_mind_is_a_return(
        chat_services: Services, chat_client: httpx.AsyncClient, lang: str, ask: str) -> None:
    order = scenario_order(chat_services, "delivered_recent")
    body = await Shopper(chat_client, token_for(chat_services, order)).say(ask.format(id=order.id))
    assert body["language"] == lang and body["intent"] == "return_request", body


async def test_a_change_of_mind_with_a_cancel_word_is_still_a_cancellation(chat_services: Services,
                                                                           chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(chat_services, "processing")
    shopper = Shopper(chat_client, token_for(chat_services, order))
    body = await shopper.say(f"Cambié de opinión, cancelen el pedido {order.id} y devuélvanme el dinero")
    assert body["intent"] == "cancel_order", body
