"""Grounding check before an LLM reply leaves: every order id, tracking number, amount and date it states must come
from this turn's tool results or the transcript; policy statements need a cited KB passage; no other customer's
email can appear. Pure functions over strings."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.nlu.slots import DEFAULT_ORDER_PATTERN, EMAIL, TRACKING

NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:[.,\u00a0\u202f ]\d{3})*(?:[.,]\d{1,2})?(?![\w])|\b\d+(?:[.,]\d+)?\b")
DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@dataclass(frozen=True)
class GroundingResult:
    ok: bool
    problems: list[str]


def _values(raw: str) -> set[float]:
    """Every amount a written number can mean: "1.234,50" and "1,234.50" are 1234.5; "1,500" is 1500 or 1.5."""
    raw = raw.strip().replace(" ", "").replace("\u202f", "").replace("\xa0", "")
    seps = [i for i, ch in enumerate(raw) if ch in ".,"]
    if not seps:
        return {float(raw)} if raw.isdigit() else set()
    last = seps[-1]
    int_part = re.sub(r"[.,]", "", raw[:last])
    frac = raw[last + 1:]
    out = set()
    if len(frac) in (1, 2) or len({raw[i] for i in seps}) == 2:  # the last separator is the decimal mark
        out.add(float(f"{int_part}.{frac}" if frac else int_part))
    if len(frac) == 3:  # a thousands separator (or, rarely, three decimals)
        out.add(float(int_part + frac))
        out.add(float(f"{int_part}.{frac}"))
    return {round(v, 2) for v in out}


def _numbers(text: str) -> set[float]:
    out: set[float] = set()
    for m in NUMBER.findall(text):
        out |= _values(m)
    return out


def check(reply: str, evidence: Iterable[str], *, allowed_emails: Iterable[str] = (),
          policy_claim: bool = False, cited: bool = False,
          order_pattern: str = DEFAULT_ORDER_PATTERN) -> GroundingResult:
    evidence_text = "\n".join(str(e) for e in evidence)
    upper = evidence_text.upper()
    problems: list[str] = []
    for ref in re.findall(order_pattern, reply):
        if ref.lstrip("#").strip().upper() not in upper:
            problems.append(f"order id {ref} does not come from a tool result")
    for number in TRACKING.findall(reply.upper()):
        if number not in upper:
            problems.append(f"tracking number {number} does not come from a tool result")
    for d in DATE.findall(reply):
        if d not in evidence_text:
            problems.append(f"date {d} does not come from a tool result")
    known = _numbers(evidence_text)
    stripped = EMAIL.sub(" ", re.sub(order_pattern, " ", TRACKING.sub(" ", reply)))
    for raw in NUMBER.findall(stripped):
        values = _values(raw)
        if values and max(values) >= 10 and not values & known:  # small counts ("2 items") need no proof
            problems.append(f"the number {raw.strip()} is not in the tool results or the help centre")
    allowed = {e.lower() for e in allowed_emails}
    for email in EMAIL.findall(reply):
        if email.lower() not in allowed:
            problems.append(f"the email {email} may not be shown")
    if policy_claim and not cited:
        problems.append("policy statements need a help-centre passage: call search_kb and use what it returns")
    return GroundingResult(not problems, problems)
