from __future__ import annotations

import pytest

from assistant.identity import InvalidToken, issue_token, matches_order, verify_token
from assistant.runtime import Services
from tests.assistant.helpers import scenario_order


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
    assert matches_order(order, customer, "", [customer.email.upper().lower()]).ok
    postal = order.shipping_address.postal_code or ""
    assert matches_order(order, customer, f"my postal code is {postal}", []).ok
    assert not matches_order(order, customer, "", ["someone@else.com"]).ok
    assert not matches_order(order, customer, "postal 99999", []).ok
    assert not matches_order(None, customer, "", [customer.email]).ok
    # Only a whole token counts: digits inside an order number or a longer number are not a postal code.
    assert not matches_order(order, customer, f"000{postal}000", []).ok
