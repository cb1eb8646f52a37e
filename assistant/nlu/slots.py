"""Slot extraction with regexes and lexicons: order references, emails, tracking numbers, items, reasons, yes/no.

Order reference candidates are only patterns here; whether one exists (and may be shown) is decided by tools.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache

from assistant.nlu.lexicon import LANGUAGES, UNSPACED, Span, contains, keyed_matches, lexicon, matches, spans
from knowledge.tokenize import UNSPACED_CHARS, fold

# Ids and emails stand apart from the letters and digits of scripts written with spaces, but may touch Chinese,
# Japanese, Korean or Thai text, written without them: "订单100234", "100234번", "邮箱ana@example.com谢谢".
_SPACED = rf"[^\W{UNSPACED_CHARS}]"  # a letter, digit or _ of a script written with spaces
START, END = rf"(?<!{_SPACED})(?<!-)", rf"(?!{_SPACED})(?!-)"
ID_TOKEN = re.compile(rf"(?:{_SPACED}|-)+")  # "邮编200000" holds the token "200000"
_DEMO_ORDERS = r"[A-Z]{2}-\d{6}|#?W\d{7}|#?\d{6}"
DEFAULT_ORDER_PATTERN = rf"{START}(?:{_DEMO_ORDERS}){END}"


def order_pattern(store_pattern: str = "") -> str:
    """The order-number pattern for a store: its own shapes ("#1001" on Shopify, "4211" on WooCommerce) and the
    default ones, each standing apart from neighbouring letters and digits."""
    if not store_pattern:
        return DEFAULT_ORDER_PATTERN
    re.compile(store_pattern)  # a broken PORTSIDE_ORDER_PATTERN fails at start, not mid-conversation
    return rf"{START}(?:{store_pattern}|{_DEMO_ORDERS}){END}"
EMAIL = re.compile(rf"(?:{_SPACED}|[.+-])+@(?:{_SPACED}|-)+(?:\.(?:{_SPACED}|-)+)+")
TRACKING = re.compile(rf"{START}(?:[A-Z]{{2}}\d{{9}}[A-Z]{{2}}|[A-Z]{{2,5}}\d{{8,14}}|00340\d{{13}}|3S\d{{12}}"
                      rf"|\d{{24}}){END}")
POSTAL = re.compile(rf"{START}(?:\d{{5}}-\d{{3}}|\d{{2}}-\d{{3}}|\d{{3}}-\d{{4}}|\d{{4}}\s?[A-Z]{{2}}|\d{{4,6}}){END}")
# What may follow a postal cue ("postal code", "CEP", "邮编"): ":" or one short word ("is", "es", "是"), then the
# code itself, which may touch the next word in scripts written without spaces ("郵便番号は150-0001です").
_AFTER_CUE = re.compile(r"[\s:：#=.-]*(?:[^\W\d_]{1,6}[\s:：]*)?"
                        r"(?P<code>\d{5}-\d{3}|\d{3}-\d{4}|\d{2}-\d{3}|\d{4}\s?[A-Z]{2}(?![A-Za-z])|\d{3,9})(?![\d-])")


@dataclass
class Slots:
    order_refs: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    tracking_numbers: list[str] = field(default_factory=list)
    postal_codes: list[str] = field(default_factory=list)  # codes the text labels as such come first
    marked_postal_codes: list[str] = field(default_factory=list)  # "postal code 110001", "CEP 01310-100", "邮编…"
    reasons: list[str] = field(default_factory=list)  # return reason codes, strongest first
    item_numbers: list[int] = field(default_factory=list)  # "item 2", "the second one"
    affirm: bool = False
    deny: bool = False
    bank_transfer: bool = False  # "refund it to my bank account" (cash-paid orders: a person does it)
    farewells: list[str] = field(default_factory=list)  # "bye", "adiós", "さようなら": the shopper is leaving
    policy_cue: bool = False  # "your policy", "in general", "before I order": about the rules, not an order
    return_words: bool = False  # "send it back", "devolver", "返品": sending goods back…
    cancel_words: bool = False  # …"cancel", "cancelar", "取消": calling an order off


def _langs(language: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys([language or "en", "en"]))


def normalise_postal(text: str) -> str:
    return re.sub(r"[\s-]", "", text).upper()


def without(text: str, values: Iterable[str]) -> str:
    """The text with each value (an order number, an email…) blanked out where it stands as a whole token,
    whatever its letter case: slots hold "BR-100234" where the shopper typed "br-100234"."""
    for value in sorted(set(values), key=len, reverse=True):
        if value:
            text = re.sub(rf"{START}{re.escape(value)}{END}", " ", text, flags=re.IGNORECASE)
    return text


def _folded_with_offsets(text: str) -> tuple[str, list[int]]:
    """fold(text), and for each folded character the index of the character of text it comes from."""
    parts: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        folded = fold(ch)
        parts.append(folded)
        offsets.extend([i] * len(folded))
    offsets.append(len(text))
    return "".join(parts), offsets


@cache
def _postal_cues() -> re.Pattern[str]:
    """Every language's postal cue words (lexicon key postal_cues), folded; a cue names itself in any language."""
    cues = {fold(str(c)).strip() for lang in LANGUAGES for c in lexicon(lang).get("postal_cues", []) or []}
    alternatives = []
    for cue in sorted(filter(None, cues), key=len, reverse=True):
        bounded = not UNSPACED.search(cue)  # word boundaries only where words are separated by spaces
        alternatives.append(rf"(?<![^\W\d_]){re.escape(cue)}(?![^\W\d_])" if bounded else re.escape(cue))
    return re.compile("|".join(alternatives) or r"(?!)")


def marked_postal_codes(text: str) -> list[str]:
    """Postal codes the text labels as such: "postal code 110001", "CEP 01310-100", "código postal 28013",
    "邮编 200000". A 6-digit number after such a cue is a postal code, not an order number."""
    if not _postal_cues().search(fold(text)):
        return []  # most messages name no postal code: skip mapping every character back
    folded, offsets = _folded_with_offsets(text)
    found: list[str] = []
    for cue in _postal_cues().finditer(folded):
        m = _AFTER_CUE.match(text, offsets[cue.end()])
        if m:
            found.append(m.group("code"))
    return list(dict.fromkeys(found))


def extract(text: str, language: str | None, order_pattern: str = DEFAULT_ORDER_PATTERN) -> Slots:
    langs = _langs(language)
    slots = Slots()
    emails = EMAIL.findall(text)
    slots.emails = [e.lower() for e in emails]
    rest = EMAIL.sub(" ", text)
    slots.tracking_numbers = list(dict.fromkeys(TRACKING.findall(rest.upper())))
    slots.marked_postal_codes = marked_postal_codes(rest)
    marked = {normalise_postal(c) for c in slots.marked_postal_codes}
    # Store ids are upper case; shoppers also type "br-100234" or "#w2611340".
    refs = [r.upper() for r in re.findall(order_pattern, rest, flags=re.IGNORECASE)]
    slots.order_refs = [r for r in dict.fromkeys(refs)
                        if r not in slots.tracking_numbers and normalise_postal(r.lstrip("#")) not in marked]
    others = [c for c in POSTAL.findall(without(rest, slots.order_refs)) if normalise_postal(c) not in marked]
    slots.postal_codes = list(dict.fromkeys([*slots.marked_postal_codes, *others]))
    found = keyed_matches(text, "return_reasons", langs)
    slots.reasons = sorted(found, key=lambda code: -max(len(p) for p in found[code]))
    slots.item_numbers = _item_numbers(text, langs)
    slots.affirm, slots.deny = _yes_no(text, langs)
    slots.bank_transfer = bool(matches(text, "bank_transfer", langs))
    slots.policy_cue = bool(matches(text, "policy_cues", langs))
    slots.return_words = bool(matches(text, "return_words", langs))
    slots.cancel_words = bool(matches(text, "cancel_words", langs))
    slots.farewells = matches(text, "goodbye", LANGUAGES)  # farewells are short: language detection is unsure
    return slots


# Han, kana and Hangul: one character is a syllable or a word ("你" in "你好"), worth a short Latin word's letters.
_SYLLABIC = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
SYLLABLE_LETTERS = 3


def leftover_letters(text: str, phrases: Iterable[str], syllables: bool = False) -> int:
    """How many letters the text has besides the given phrases ("ok bye!" besides "bye": 2). With `syllables`, a
    Han, kana or Hangul character counts as SYLLABLE_LETTERS letters."""
    rest = fold(text)
    for phrase in sorted({fold(p) for p in phrases}, key=len, reverse=True):
        rest = rest.replace(phrase, " ")
    weight = SYLLABLE_LETTERS if syllables else 1
    return sum(weight if _SYLLABIC.match(ch) else 1 for ch in rest if ch.isalpha())


def postal_answer(slots: Slots, known_ref: str) -> Slots:
    """The shopper was asked for the email or postal code of order `known_ref`: a bare number is the postal code,
    unless it just repeats that order's number."""
    number = known_ref.lstrip("#").rsplit("-", 1)[-1].upper()
    bare = [r for r in slots.order_refs if r.isdigit() and r != number]
    if not bare:
        return slots
    return replace(slots, order_refs=[r for r in slots.order_refs if r not in bare],
                   postal_codes=list(dict.fromkeys([*bare, *slots.postal_codes])))


def _yes_no(text: str, langs: tuple[str, ...]) -> tuple[bool, bool]:
    """Short replies only: 'sí', 'claro, adelante' — a long message is not a confirmation.

    A yes or no word inside a longer phrase means that phrase: "no funciona" and "wrong size" are reasons,
    "no pix" a refund by Pix, "não é o que pedi" a wrong item, "不是" a no, "no tak" a yes."""
    if len(text) > 60:
        return False, False
    claimed = [*spans(text, "return_reasons", langs, prefix=True), *spans(text, "bank_transfer", langs)]
    yes = [s for s in spans(text, "affirm", langs) if not _inside(s, claimed)]
    no = [s for s in spans(text, "deny", langs) if not _inside(s, claimed)]
    yes, no = _outside_longer(yes, no), _outside_longer(no, yes)
    return bool(yes) and not no, bool(no)  # both left ("yes… no, wait"): the no wins, nothing is done


def only_cancel_denies(text: str, language: str | None) -> bool:
    """Every "no" in the text is a cancel word ("ja, stornieren", "sim, pode cancelar", "cancel it"): asked
    whether to cancel an order, that is a yes. "no, don't cancel" holds a "no" besides, and stays a no."""
    langs = _langs(language)
    cancels = spans(text, "cancel_words", langs)
    if not cancels:
        return False
    return not [s for s in spans(text, "deny", langs) if not _inside(s, cancels)]


def _inside(span: Span, others: Iterable[Span]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in others)


def _outside_longer(own: list[Span], other: list[Span]) -> list[Span]:
    """The spans of `own` that no strictly longer span of `other` holds."""
    return [s for s in own if not any(o != s and o[1] - o[0] > s[1] - s[0] and _inside(s, [o]) for o in other)]


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
