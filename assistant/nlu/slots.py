"""Slot extraction with regexes and lexicons: order references, emails, tracking numbers, items, reasons, yes/no.

Order reference candidates are only patterns here; whether one exists (and may be shown) is decided by tools.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.nlu.lexicon import contains, keyed_matches, lexicon, matches
from knowledge.tokenize import fold

DEFAULT_ORDER_PATTERN = r"(?<![\w-])(?:[A-Z]{2}-\d{6}|#?W\d{7}|#?\d{6})(?![\w-])"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
TRACKING = re.compile(r"(?<![\w-])(?:[A-Z]{2}\d{9}[A-Z]{2}|[A-Z]{2,5}\d{8,14}|00340\d{13}|3S\d{12}|\d{24})(?![\w-])")
POSTAL = re.compile(r"(?<![\w-])(?:\d{5}-\d{3}|\d{2}-\d{3}|\d{3}-\d{4}|\d{4}\s?[A-Z]{2}|\d{4,6})(?![\w-])")


@dataclass
class Slots:
    order_refs: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    tracking_numbers: list[str] = field(default_factory=list)
    postal_codes: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # return reason codes, strongest first
    item_numbers: list[int] = field(default_factory=list)  # "item 2", "the second one"
    affirm: bool = False
    deny: bool = False
    bank_transfer: bool = False  # "refund it to my bank account" (cash-paid orders: a person does it)


def _langs(language: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys([language or "en", "en"]))


def normalise_postal(text: str) -> str:
    return re.sub(r"[\s-]", "", text).upper()


def extract(text: str, language: str | None, order_pattern: str = DEFAULT_ORDER_PATTERN) -> Slots:
    langs = _langs(language)
    slots = Slots()
    emails = EMAIL.findall(text)
    slots.emails = [e.lower() for e in emails]
    rest = EMAIL.sub(" ", text)
    slots.tracking_numbers = list(dict.fromkeys(TRACKING.findall(rest.upper())))
    refs = re.findall(order_pattern, rest)
    slots.order_refs = [r for r in dict.fromkeys(refs) if r.upper() not in slots.tracking_numbers]
    without_refs = re.sub(order_pattern, " ", rest)
    slots.postal_codes = list(dict.fromkeys(POSTAL.findall(without_refs)))
    found = keyed_matches(text, "return_reasons", langs)
    slots.reasons = sorted(found, key=lambda code: -max(len(p) for p in found[code]))
    slots.item_numbers = _item_numbers(text, langs)
    slots.affirm, slots.deny = _yes_no(text, langs)
    slots.bank_transfer = bool(matches(text, "bank_transfer", langs))
    return slots


def _yes_no(text: str, langs: tuple[str, ...]) -> tuple[bool, bool]:
    """Short replies only: 'sí', 'claro, adelante' — a long message is not a confirmation."""
    if len(text) > 60:
        return False, False
    deny = bool(matches(text, "deny", langs))
    affirm = bool(matches(text, "affirm", langs))
    if deny:  # "不是" contains "是", "não, obrigado": a no wins over a yes inside it
        affirm = any(not any(contains(str(d), str(a)) for d in matches(text, "deny", langs))
                     for a in matches(text, "affirm", langs))
        affirm = affirm and not deny
    return affirm, deny


def _item_numbers(text: str, langs: tuple[str, ...]) -> list[int]:
    out: list[int] = []
    folded = fold(text)
    words = [str(w) for lang in langs for w in lexicon(lang).get("item_words", []) or []]
    for w in words:
        for m in re.finditer(rf"{re.escape(fold(w))}\s*(?:n[ro.º°]*\s*)?#?(\d{{1,2}})\b", folded):
            out.append(int(m.group(1)))
    for lang in langs:
        for n, phrases in (lexicon(lang).get("ordinals") or {}).items():
            if any(contains(text, str(p)) for p in phrases or []):
                out.append(int(n))
    bare = re.fullmatch(r"\s*(\d{1,2})\s*[.)]?\s*", text)
    if bare:
        out.append(int(bare.group(1)))
    return list(dict.fromkeys(out))


def match_items(text: str, item_names: list[str]) -> list[int]:
    """1-based positions of items whose name words appear in the text ("the earbuds")."""
    folded = fold(text)
    hits = []
    for n, name in enumerate(item_names, 1):
        words = [w for w in re.findall(r"[^\W\d_]{4,}", fold(name))]
        if words and any(re.search(rf"\b{re.escape(w[:6])}", folded) for w in words):
            hits.append(n)
    return hits
