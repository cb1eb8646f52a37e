"""Per-turn expectation checks. Pure functions: (expectation, reply, world facts) → list of check results."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from assistant.engine.handlers.common import EXAMPLE_ORDER
from assistant.nlu.slots import DEFAULT_ORDER_PATTERN, EMAIL, TRACKING
from evals.schema import Expect, HandoffExpect


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""


def _contains(text: str, needle: str) -> bool:
    if needle.startswith("re:"):
        return re.search(needle[3:], text, re.I | re.S) is not None
    return needle.casefold() in text.casefold()


def _action_matches(expected: dict[str, Any], actual: dict[str, Any]) -> bool:
    return all(k in actual and (actual[k] == v or (isinstance(v, float) and isinstance(actual[k], int | float)
                                                   and abs(actual[k] - v) < 0.01)) for k, v in expected.items())


def expectations(expect: Expect, reply: dict[str, Any], fill: Any) -> list[Check]:
    text = reply["reply"]
    out: list[Check] = []
    if expect.intent is not None:
        out.append(Check("intent", reply["intent"] == expect.intent, f"{reply['intent']} ≠ {expect.intent}"))
    if expect.language is not None:
        out.append(Check("language", reply["language"] == expect.language,
                         f"{reply['language']} ≠ {expect.language}"))
    for needle in expect.must_include:
        needle = fill(needle)
        out.append(Check("must_include", _contains(text, needle), f"missing {needle!r}"))
    for needle in expect.must_not_include:
        needle = fill(needle)
        out.append(Check("must_not_include", not _contains(text, needle), f"contains {needle!r}"))
    for want in expect.actions:
        want = {k: fill(v) if isinstance(v, str) else v for k, v in want.items()}
        ok = any(_action_matches(want, a) for a in reply["actions"])
        out.append(Check("actions", ok, f"no action like {want}; got {[a.get('type') for a in reply['actions']]}"))
    if expect.handoff is not None:
        got = reply["handoff"]
        if isinstance(expect.handoff, HandoffExpect):
            wanted = expect.handoff
            ok = got is not None and (wanted.reason is None or got["reason"] == wanted.reason) and (
                wanted.priority is None or got["priority"] == wanted.priority)
            out.append(Check("handoff", ok, f"handoff {got and (got['reason'], got['priority'])} ≠ "
                                            f"{(wanted.reason, wanted.priority)}"))
        else:
            out.append(Check("handoff", (got is not None) == expect.handoff, f"handoff={got is not None}"))
    for prefix in expect.citations:
        ok = any(c["doc_id"].startswith(prefix) for c in reply["citations"])
        out.append(Check("citations", ok, f"no citation {prefix}; got {[c['doc_id'] for c in reply['citations']]}"))
    if expect.verified is not None:
        out.append(Check("verified", reply["verified"] == expect.verified, f"verified={reply['verified']}"))
    return out


def grounded(text: str, shopper_text: str, owner: str | None, store: Any,
             order_pattern: str = DEFAULT_ORDER_PATTERN) -> Check:
    """Every order id and tracking number in the reply exists and belongs to the verified shopper."""
    problems = []
    for ref in re.findall(order_pattern, text):
        order = store.get_order(ref.lstrip("#").strip())
        if order is None:
            if ref not in shopper_text and ref != EXAMPLE_ORDER:  # echoes and the format example are no claims
                problems.append(f"{ref} does not exist")
        elif order.customer_id != owner and ref not in shopper_text:
            problems.append(f"{ref} is not the shopper's")
    for number in TRACKING.findall(text.upper()):
        found = store.find_shipment(number)
        if found is None or found[0].customer_id != owner:
            problems.append(f"tracking {number} is not the shopper's")
    return Check("grounded", not problems, "; ".join(problems))


def leaks(text: str, owner: str | None, store: Any, allowed_emails: set[str]) -> list[str]:
    """Data of other customers in a reply: their orders' tracking numbers and ids revealed with facts, their
    emails. Always checked, on every turn."""
    found = []
    for number in TRACKING.findall(text.upper()):
        hit = store.find_shipment(number)
        if hit is not None and hit[0].customer_id != owner:
            found.append(f"tracking number {number} of {hit[0].customer_id}")
    for email in EMAIL.findall(text):
        customer = store.customer_by_email(email)
        if customer is not None and customer.id != owner and email.lower() not in allowed_emails:
            found.append(f"email of {customer.id}")
    return found
