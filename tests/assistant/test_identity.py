from __future__ import annotations

import httpx
import pytest

from assistant import i18n
from assistant.identity import InvalidToken, attempt_from, issue_token, matches_order, verify_token
from assistant.runtime import Services
from connectors.demo import SCENARIOS
from connectors.models import Order
from tests.assistant.helpers import Shopper, scenario_order


def test_token_round_trip_and_tampering() -> None:
    token = issue_token("cus_001", "s3cret")
    assert verify_token(token, "s3cret") == "cus_001"
    encoded, mac = token.split(".")
    with pytest.raises(InvalidToken):
        verify_token(token, "other-secret")
    forged = issue_token("cus_002", "s3cret").split(".")[0] + "." + mac
    with pytest.raises(InvalidToken):
        verify_token(forged, "s3cret")
    for bad in ["", "abc", "abc.def", "!!!." + "0" * 64, encoded + "." + "z" * 64]:
        with pytest.raises(InvalidToken):
            verify_token(bad, "s3cret")


def test_order_plus_email_or_postal_code(demo_services: Services) -> None:
    order = scenario_order(demo_services, "delivered_recent")
    customer = demo_services.store.get_customer(order.customer_id)
    assert customer is not None

    def check(text: str, email: str | None = None, subject: Order | None = order) -> bool:
        return matches_order(subject, customer, attempt_from(text, order.id, remembered_email=email)).ok

    assert check("", customer.email.upper())
    postal = order.shipping_address.postal_code or ""
    assert check(f"my postal code is {postal}")
    assert matches_order(order, customer, attempt_from(f"{postal}", None)).factor == "postal"
    assert not check("", "someone@else.com")
    assert not check("postal 99999")
    assert not check("", customer.email, subject=None)
    # Only a whole token counts: digits inside an order number or a longer number are not a postal code.
    assert not check(f"000{postal}000")
    assert check(f"邮编{postal}")  # a code touching Chinese text is a whole token
    assert check(f"{order.id} {postal}")  # the order number itself is no candidate
    assert not check(f"{postal} 99999")  # two candidates: no attempt at all
    assert matches_order(order, customer, attempt_from(f"{postal} 99999", None)).ambiguous


# ---------------------------------------------------------------- guests: details in any order, over two turns


def six_digit_postal_order(services: Services) -> Order:
    """A scenario order with shipments whose postal code looks like an order number (Colombia, Vietnam, China)."""
    for name in (s.name for s in SCENARIOS):
        order = scenario_order(services, name)
        postal = order.shipping_address.postal_code or ""
        if len(postal) == 6 and postal.isdigit() and order.shipments:
            return order
    raise AssertionError("the demo store has no scenario order with a 6-digit postal code")


def reveals(body: dict, order: Order) -> bool:
    return order.id in body["reply"] or any(s.tracking_number in body["reply"] for s in order.shipments)


@pytest.mark.parametrize("turns", [
    ["Where is my order?", "my email is {email}", "{order}"],
    ["Where is my order? My email is {email}", "{order}"],
    ["my email is {email}", "{order}"],
    ["Hi! {email} here", "{order_lower}"],
    ["Where is my order?", "my postal code is {postal}", "{order}"],
    ["¿Dónde está mi pedido? Mi código postal es {postal}", "{order}"],
    ["Where is my order?", "{postal}", "{order}"],
])
async def test_guest_gives_email_or_postal_code_before_the_order_number(
        chat_services: Services, chat_client: httpx.AsyncClient, turns: list[str]) -> None:
    order = scenario_order(chat_services, "in_transit")
    customer = chat_services.store.get_customer(order.customer_id)
    assert customer is not None
    values = {"email": customer.email, "postal": order.shipping_address.postal_code, "order": order.id,
              "order_lower": order.id.lower()}
    shopper = Shopper(chat_client)
    for message in turns[:-1]:
        body = await shopper.say(message.format(**values))
        assert not body["verified"] and not reveals(body, order)  # nothing before order + matching detail
    body = await shopper.say(turns[-1].format(**values))
    assert body["verified"] and order.shipments[0].tracking_number in body["reply"], body
    state = chat_services.conversations.get_session(body["session_id"]).state  # type: ignore[union-attr]
    assert state.guest_email is None and state.guest_postal_code is None and state.guest_order_ref is None


@pytest.mark.parametrize("turns", [
    ["Where is my order?", "{order}", "{postal}"],  # asked for the postal code: the bare number is one
    ["Where is my order?", "postal code {postal}", "{order}"],
    ["邮编 {postal}", "{order}"],
    ["{order_lower}, código postal {postal}"],
    ["¿Dónde está mi pedido {order}? Mi código postal es 999999", "Perdón, me equivoqué: es {postal}"],
])
async def test_a_six_digit_postal_code_verifies_and_is_no_order_number(
        chat_services: Services, chat_client: httpx.AsyncClient, turns: list[str]) -> None:
    order = six_digit_postal_order(chat_services)
    values = {"postal": order.shipping_address.postal_code, "order": order.id, "order_lower": order.id.lower()}
    shopper = Shopper(chat_client)
    for message in turns[:-1]:
        body = await shopper.say(message.format(**values))
        assert not body["verified"] and not reveals(body, order)
    body = await shopper.say(turns[-1].format(**values))
    assert body["verified"] and order.id in body["reply"], body


async def test_a_remembered_email_still_needs_the_right_order_and_counts_failures(
        chat_services: Services, chat_client: httpx.AsyncClient) -> None:
    mine = scenario_order(chat_services, "in_transit")
    theirs = next(o for o in (scenario_order(chat_services, n) for n in ("out_for_delivery", "processing"))
                  if o.customer_id != mine.customer_id)
    customer = chat_services.store.get_customer(mine.customer_id)
    assert customer is not None
    email = f"my email is {customer.email}"
    shopper = Shopper(chat_client)

    async def say(message: str) -> dict:
        body = await shopper.say(message)
        assert not body["verified"] and not reveals(body, theirs) and not reveals(body, mine)
        return body

    await say(email)
    other_customers = await say(theirs.id)  # the remembered email is tried with someone else's order
    assert (await say("ZZ-999999"))["reply"] == i18n.t("en", "ask_verify_contact")  # the email was used up
    missing = await say(email)
    # Another customer's order and a missing one get the same answer; only the attempts left count down.
    assert [other_customers["reply"], missing["reply"]] == [i18n.t("en", "verify_failed", remaining=n)
                                                            for n in (2, 1)]
    locked = await say(email)
    assert locked["handoff"] is not None and locked["handoff"]["reason"] == "verification_locked"
    state = chat_services.conversations.get_session(shopper.session_id or "").state  # type: ignore[union-attr]
    assert state.verify_locked and state.guest_email is None and state.guest_order_ref is None
    await say(email)
    await say(mine.id)  # locked, even with the right order and email


async def test_a_remembered_email_belongs_to_its_session_only(chat_services: Services,
                                                             chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(chat_services, "in_transit")
    customer = chat_services.store.get_customer(order.customer_id)
    assert customer is not None
    first = Shopper(chat_client)
    await first.say(f"Where is my order? My email is {customer.email}")
    other = Shopper(chat_client)
    body = await other.say(order.id)
    assert not body["verified"] and not reveals(body, order)
    state = chat_services.conversations.get_session(other.session_id or "").state  # type: ignore[union-attr]
    assert state.guest_email is None
    assert (await first.say(order.id))["verified"]
