"""Who the shopper is: storefront-issued customer tokens, and verification by order + email or postal code.

Token format (public contract): base64url(customer_id, unpadded) + "." + hex(HMAC-SHA256(secret, customer_id)).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Literal

from assistant.nlu.slots import EMAIL, END, START, Slots, marked_postal_codes, normalise_postal, without
from assistant.state import DialogueState
from connectors.models import Customer, Order

MAX_VERIFY_ATTEMPTS = 3
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")


class InvalidToken(ValueError):
    pass


def issue_token(customer_id: str, secret: str) -> str:
    encoded = base64.urlsafe_b64encode(customer_id.encode()).decode().rstrip("=")
    mac = hmac.new(secret.encode(), customer_id.encode(), hashlib.sha256).hexdigest()
    return f"{encoded}.{mac}"


def verify_token(token: str, secret: str) -> str:
    """The customer id in a valid token; InvalidToken otherwise (constant-time comparison)."""
    encoded, sep, mac = token.strip().partition(".")
    # Only ASCII reaches the decoder and the comparison: compare_digest refuses non-ASCII str (a 500 otherwise).
    if not sep or not encoded or not _HEX64.fullmatch(mac) or not encoded.isascii():
        raise InvalidToken("malformed customer token")
    try:
        customer_id = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidToken("malformed customer token") from None
    expected = hmac.new(secret.encode(), customer_id.encode(), hashlib.sha256).hexdigest()
    if not customer_id or not hmac.compare_digest(expected, mac.lower()):
        raise InvalidToken("customer token signature does not match")
    return customer_id


Factor = Literal["email", "postal"]
# Postal codes as shoppers type them: "01310-100" or "01310100", "150-0001", "00-950", "1012 AB", "06700".
POSTAL_CANDIDATE = re.compile(rf"{START}(?:\d{{5}}-?\d{{3}}|\d{{3}}-?\d{{4}}|\d{{2}}-\d{{3}}|\d{{4}}\s?[A-Za-z]{{2}}"
                              rf"|\d{{3,6}}){END}")


@dataclass(frozen=True)
class Verification:
    ok: bool
    customer_id: str | None = None
    factor: Factor | None = None
    ambiguous: bool = False  # the attempt offered more than one email or postal code: not an attempt at all


@dataclass(frozen=True)
class Attempt:
    """The one detail a verification attempt offers. A message carrying several emails or postal codes is no
    attempt: otherwise one message could try a whole postal-code range."""

    emails: tuple[str, ...]
    postal_codes: tuple[str, ...]

    @property
    def ambiguous(self) -> bool:
        return len(self.emails) > 1 or (not self.emails and len(self.postal_codes) > 1)

    @property
    def empty(self) -> bool:
        return not self.emails and not self.postal_codes


def attempt_from(text: str, order_ref: str | None, *, remembered_email: str | None = None,
                 remembered_postal: str | None = None) -> Attempt:
    """The emails and postal codes this message offers for `order_ref`, else the ones remembered from earlier in
    the session. Codes the text labels ("postal code 06700", "CEP 01310-100") are the only ones counted when
    present, so "I paid 1500, zip 06700" offers one code."""
    emails = tuple(dict.fromkeys(e.lower() for e in EMAIL.findall(text)))
    rest = EMAIL.sub(" ", without(text, [order_ref] if order_ref else []))
    marked = marked_postal_codes(rest)
    codes = marked or [m.group(0) for m in POSTAL_CANDIDATE.finditer(rest)]
    postal = tuple(dict.fromkeys(normalise_postal(c) for c in codes))
    if not emails and remembered_email:
        emails = (remembered_email.lower(),)
    if not postal and remembered_postal:
        postal = (normalise_postal(remembered_postal),)
    return Attempt(emails, postal)


def matches_order(order: Order | None, customer: Customer | None, attempt: Attempt) -> Verification:
    """Does the attempt prove ownership of the order: the order's email, or else its postal code?

    Nonexistent orders and wrong details fail the same way, so a guest learns nothing from the answer.
    """
    if attempt.ambiguous:
        return Verification(False, ambiguous=True)
    if order is None or customer is None:
        return Verification(False)
    if attempt.emails:
        ok = hmac.compare_digest(customer.email.strip().lower().encode(), attempt.emails[0].encode())
        return Verification(True, customer.id, "email") if ok else Verification(False)
    codes = {normalise_postal(c) for c in (order.shipping_address.postal_code, customer.postal_code) if c}
    if attempt.postal_codes and len(attempt.postal_codes[0]) >= 4 and attempt.postal_codes[0] in codes:
        return Verification(True, customer.id, "postal")
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
