"""Guest verification against brute force, through /v1/chat: one candidate per attempt, failures counted per
order, customer and client across sessions, a lockout that staff hear of once, and the email for an address
change when only a postal code proved the order."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from assistant import i18n
from assistant.clock import FixedClock
from assistant.runtime import Services
from assistant.storage import schema as t
from tests.assistant.helpers import Shopper, scenario_order
from tests.conftest import NOW


def postal_of(services: Services, scenario: str, nth: int = 0) -> tuple[str, str]:
    order = scenario_order(services, scenario, nth)
    return order.id, order.shipping_address.postal_code or ""


def wrong(postal: str, n: int) -> str:
    """A postal code of the same shape that is not this one."""
    digits = [c for c in postal if c.isdigit()]
    value = (int("".join(digits)) + n + 1) % 10 ** len(digits)
    return str(value).zfill(len(digits))


def handoffs(services: Services, reason: str) -> list[dict]:
    with services.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(t.handoffs).where(t.handoffs.c.reason == reason)).mappings()]


async def test_a_message_with_several_postal_codes_is_not_a_verification(chat_services: Services,
                                                                         chat_client: httpx.AsyncClient) -> None:
    order_id, postal = postal_of(chat_services, "in_transit")
    shopper = Shopper(chat_client)
    scan = " ".join([wrong(postal, 1), postal, wrong(postal, 2), wrong(postal, 3)])
    body = await shopper.say(f"Where is my order {order_id}? {scan}")
    assert body["verified"] is False
    assert i18n.t("en", "verify_ambiguous", remaining=2) in body["reply"]
    labelled = await Shopper(chat_client).say(f"{order_id} zip {wrong(postal, 4)} zip {postal}")
    assert labelled["verified"] is False  # two labelled codes are two candidates as well
    one = await shopper.say(f"{order_id} {postal}")  # then one code, the right one: verified
    assert one["verified"] is True


async def test_failures_in_new_sessions_lock_the_order_and_staff_hear_of_it_once(
        chat_services: Services, chat_client: httpx.AsyncClient) -> None:
    order_id, postal = postal_of(chat_services, "in_transit")
    for n in range(3):  # a new chat for every guess: the count is per order, not per chat
        body = await Shopper(chat_client).say(f"Where is order {order_id}? postal code {wrong(postal, n)}")
        assert body["verified"] is False
    assert len(handoffs(chat_services, "verification_locked")) == 1
    packet = handoffs(chat_services, "verification_locked")[0]["packet"]
    assert packet["security"]["order_ref"] == order_id and packet["security"]["locked_until"]
    right = await Shopper(chat_client).say(f"Where is order {order_id}? postal code {postal}")
    assert right["verified"] is False  # locked: not even the right code is checked, so a scan learns nothing
    assert i18n.t("en", "verify_paused", minutes=15) in right["reply"]
    assert len(handoffs(chat_services, "verification_locked")) == 1  # no new handoff for every later try
    chat_services.lockout.clock = FixedClock(NOW + timedelta(minutes=16))
    later = await Shopper(chat_client).say(f"Where is order {order_id}? postal code {postal}")
    assert later["verified"] is True


async def test_a_nonexistent_order_locks_the_same_way(chat_services: Services,
                                                      chat_client: httpx.AsyncClient) -> None:
    replies = [await Shopper(chat_client).say(f"Where is order BR-999999? postal code 0100{n}") for n in range(4)]
    assert [r["verified"] for r in replies] == [False] * 4
    assert i18n.t("en", "verify_paused", minutes=15) in replies[3]["reply"]


async def test_failures_from_one_client_across_orders_lock_that_client(chat_services: Services,
                                                                       chat_client: httpx.AsyncClient) -> None:
    limit = chat_services.policy.verification.max_failures_per_client
    names = ["delivered_recent", "in_transit", "customs_hold_unpaid", "delivered_long_ago", "processing",
             "pending_cash_payment", "out_for_delivery", "lost_parcel", "delivery_failed", "multi_shipment",
             "delivered_day_31", "final_sale"]
    for name in names[:limit]:  # one wrong guess per order: no order reaches its own limit
        order_id, postal = postal_of(chat_services, name)
        assert not (await Shopper(chat_client).say(f"{order_id} {wrong(postal, 0)}"))["verified"]
    order_id, postal = postal_of(chat_services, names[limit])
    blocked = await Shopper(chat_client).say(f"{order_id} {postal}")
    assert blocked["verified"] is False  # this client is locked, whatever order it tries
    other_client = httpx.AsyncClient(transport=httpx.ASGITransport(app=chat_client._transport.app,  # type: ignore
                                                                   client=("127.0.0.9", 5555)),
                                     base_url="http://test")
    assert (await Shopper(other_client).say(f"{order_id} {postal}"))["verified"] is True


async def test_an_address_change_needs_the_email_when_a_postal_code_proved_the_order(
        chat_services: Services, chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(chat_services, "processing")
    customer = chat_services.store.get_customer(order.customer_id)
    assert customer is not None
    shopper = Shopper(chat_client)
    first = await shopper.say(f"I need to change the delivery address of order {order.id}, postal code "
                              f"{order.shipping_address.postal_code}")
    assert first["verified"] is True
    assert i18n.t("en", "verify_need_email") in first["reply"]
    bad = await shopper.say("it's someone.else@example.com")
    assert i18n.t("en", "verify_failed", remaining=2) in bad["reply"]
    ok = await shopper.say(f"sorry, {customer.email}")
    assert "street" in ok["reply"]
    summary = await shopper.say("Please change the delivery address to 1 Main St, Springfield, 62704")
    assert "1 Main St, 62704 Springfield" in summary["reply"]
    await shopper.say("yes")
    stored = chat_services.store.get_order(order.id)
    assert stored is not None and stored.shipping_address.line1 == "1 Main St"


async def test_asking_for_the_email_again_and_again_ends_in_an_offer_of_a_person(
        chat_services: Services, chat_client: httpx.AsyncClient) -> None:
    """Without an email, no attempt is spent and no lockout ends it: the loop guard does."""
    order = scenario_order(chat_services, "processing")
    postal = order.shipping_address.postal_code
    shopper = Shopper(chat_client)
    first = await shopper.say(f"I need to change the delivery address of order {order.id}, postal code {postal}")
    assert i18n.t("en", "verify_need_email") in first["reply"]
    again = await shopper.say(f"order {order.id}, postal code {postal}")
    assert i18n.t("en", "verify_need_email") in again["reply"]
    third = await shopper.say(f"order {order.id}, postal code {postal}")
    assert i18n.t("en", "verify_need_email") not in third["reply"]
    assert i18n.t("en", "loop_offer_human") in third["reply"]


async def test_an_address_change_goes_on_when_the_email_proved_the_order(chat_services: Services,
                                                                         chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(chat_services, "processing")
    customer = chat_services.store.get_customer(order.customer_id)
    assert customer is not None
    body = await Shopper(chat_client).say(f"Change the delivery address of order {order.id}, my email is "
                                          f"{customer.email}")
    assert body["verified"] is True and "street" in body["reply"]
