"""Who the shopper is: storefront-issued customer tokens, and verification by order + email or postal code.

Token format (public contract): base64url(customer_id, unpadded) + "." + hex(HMAC-SHA256(secret, customer_id)).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass

from assistant.nlu.slots import ID_TOKEN, Slots, normalise_postal, without
from assistant.state import DialogueState
from connectors.models import Customer, Order

MAX_VERIFY_ATTEMPTS = 3


class InvalidToken(ValueError):
    pass


def issue_token(customer_id: str, secret: str) -> str:
    encoded = base64.urlsafe_b64encode(customer_id.encode()).decode().rstrip("=")
    mac = hmac.new(secret.encode(), customer_id.encode(), hashlib.sha256).hexdigest()
    return f"{encoded}.{mac}"


def verify_token(token: str, secret: str) -> str:
    """The customer id in a valid token; InvalidToken otherwise (constant-time comparison)."""
    encoded, sep, mac = token.strip().partition(".")
    if not sep or not encoded or len(mac) != 64:
        raise InvalidToken("malformed customer token")
    try:
        customer_id = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidToken("malformed customer token") from None
    expected = hmac.new(secret.encode(), customer_id.encode(), hashlib.sha256).hexdigest()
    if not customer_id or not hmac.compare_digest(expected, mac.lower()):
        raise InvalidToken("customer token signature does not match")
    return customer_id


@dataclass(frozen=True)
class Verification:
    ok: bool
    customer_id: str | None = None


def matches_order(order: Order | None, customer: Customer | None, text: str, emails: list[str]) -> Verification:
    """Does the message prove ownership of the order: the order's email, or its postal code?

    Nonexistent orders and wrong details fail the same way, so a guest learns nothing from the answer.
    """
    if order is None or customer is None:
        return Verification(False)
    if customer.email.strip().lower() in emails:
        return Verification(True, customer.id)
    codes = {normalise_postal(c) for c in (order.shipping_address.postal_code, customer.postal_code) if c}
    tokens = ID_TOKEN.findall(text)
    # Whole tokens (and pairs, for "1012 AB"), never substrings: digits of the order number must not count.
    pairs = zip(tokens, tokens[1:], strict=False)
    candidates = {normalise_postal(x) for x in tokens} | {normalise_postal(a + b) for a, b in pairs}
    if any(len(code) >= 4 and code in candidates for code in codes):
        return Verification(True, customer.id)
    return Verification(False)


def remember_contact(state: DialogueState, text: str, slots: Slots) -> None:
    """Keep the email or postal code a guest gives before the order number, for this session only.

    A postal code counts when the shopper labels it ("postal code 06700") or sends it on its own; a number inside
    a sentence ("it cost 1500 pesos") is not one.
    """
    if state.verified or state.verify_locked:
        return
    if slots.emails:
        state.guest_email = slots.emails[0]
    alone = [c for c in slots.postal_codes if sum(ch.isalpha() for ch in without(text, [c])) < 3]
    postal = next(iter([*slots.marked_postal_codes, *alone]), None)
    if postal:
        state.guest_postal_code = postal
