"""Lists of the lexicons that must not overlap, checked through the real slot extraction in every language.

A phrase of one list, said on its own, must not also read as a phrase of a list that would steer the turn the
other way: a reason that is also a "no" cancels the return at the very step that asked for the reason."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assistant.nlu.lexicon import LANGUAGES, lexicon
from assistant.nlu.slots import Slots, extract


def phrases(lang: str, key: str) -> list[str]:
    value = lexicon(lang)[key]
    if isinstance(value, dict):
        return [p for listed in value.values() for p in listed]
    return list(value)


def misread(lang: str, key: str, wrong: Callable[[Slots], bool]) -> list[str]:
    """The phrases of list `key` of `lang` that the extraction reads the wrong way."""
    return [p for p in phrases(lang, key) if wrong(extract(p, lang))]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_reason_reads_as_a_yes_or_a_no(lang: str) -> None:
    # "wrong size", "no funciona", "não funciona", "不能用": at the reason step a "no" drops the return.
    assert misread(lang, "return_reasons", lambda s: s.deny) == []
    assert misread(lang, "return_reasons", lambda s: s.affirm) == []  # "non si accende" holds Italian "si"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_reason_names_its_own_reason_first(lang: str) -> None:
    wrong = {(code, p): extract(p, lang).reasons for code, listed in lexicon(lang)["return_reasons"].items()
             for p in listed if extract(p, lang).reasons[:1] != [code]}
    assert wrong == {}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_yes_and_no_do_not_overlap(lang: str) -> None:
    assert misread(lang, "affirm", lambda s: not s.affirm or s.deny) == []  # "no tak", "đúng rồi"
    assert misread(lang, "deny", lambda s: not s.deny or s.affirm) == []  # "不是", "ไม่ใช่"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_return_word_is_a_cancel_word(lang: str) -> None:
    # A "cancel" guess for a message that only says "send it back" becomes a return (offline.returns_not_cancels).
    assert misread(lang, "return_words", lambda s: s.cancel_words) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_bank_transfer_request_is_no_no(lang: str) -> None:
    # "yes, but to my bank account" at the confirmation: "no pix" holds English "no".
    assert misread(lang, "bank_transfer", lambda s: s.deny) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_yes_and_no_are_no_farewells(lang: str) -> None:
    # A farewell at a confirmation asks again, and a farewell is heard in every language.
    assert misread(lang, "affirm", lambda s: bool(s.farewells)) == []
    assert misread(lang, "deny", lambda s: bool(s.farewells)) == []
    assert misread(lang, "goodbye", lambda s: s.affirm or s.deny) == []


@pytest.mark.parametrize(
    ("text", "lang", "reason"),
    [("wrong size", "en", "wrong_size"), ("the wrong item", "en", "wrong_item"),
     ("no funciona", "es", "defective"), ("não funciona", "pt", "defective"), ("不能用", "zh", "defective"),
     ("tidak berfungsi", "id", "defective"), ("ใช้งานไม่ได้", "th", "defective")],
)
def test_a_reason_with_a_negation_is_a_reason(text: str, lang: str, reason: str) -> None:
    s = extract(text, lang)
    assert (s.reasons[:1], s.deny, s.affirm) == ([reason], False, False)


@pytest.mark.parametrize(
    ("text", "lang", "affirm", "deny"),
    [("no, no funciona", "es", False, True),  # a "no" of its own still counts
     ("sí, pero a mi cuenta bancaria", "es", True, False), ("yes... no, wait", "en", False, True),
     ("no tak", "pl", True, False), ("nie", "pl", False, True), ("không", "vi", False, True)],
)
def test_yes_and_no_around_other_phrases(text: str, lang: str, affirm: bool, deny: bool) -> None:
    s = extract(text, lang)
    assert (s.affirm, s.deny) == (affirm, deny)


@pytest.mark.parametrize(("text", "lang"), [("they sent the wrong one", "en"), ("the colour is wrong", "en"),
                                            ("đúng", "vi"), ("đúng vậy", "vi"), ("hỏng", "vi")])
def test_words_that_only_look_like_a_no_are_none(text: str, lang: str) -> None:
    # "wrong" says what is wrong, not "don't do it". Vietnamese tones are folded away with the accents, so
    # "đừng" (don't) would be "đúng" (right) and "hông" (no) would be "hỏng" (broken).
    assert not extract(text, lang).deny
