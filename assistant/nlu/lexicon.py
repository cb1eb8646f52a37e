"""Per-language keyword lexicons (assistant/lexicon/<lang>.yaml): reasons, yes/no, anger, legal, injection.

Each file is validated against the schema in assistant.nlu.lexicon_schema when it is first used, so a typo (a
misspelt list name, a reason code the replies can't name, YAML reading an unquoted `no` as false) fails with
the file and key, not as a phrase that silently never matches.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from assistant.nlu.lexicon_schema import LexiconError, parse_lexicon
from knowledge.tokenize import UNSPACED_CHARS, fold

LANGUAGES = ("en", "es", "pt", "fr", "de", "it", "nl", "pl", "tr", "ru", "ar", "zh", "ja", "ko", "id", "vi", "th")
UNSPACED = re.compile(rf"[{UNSPACED_CHARS}]")
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]")

Span = tuple[int, int]  # [start, end) in the folded message

__all__ = ["LANGUAGES", "UNSPACED", "LexiconError", "Span", "contains", "keyed_matches", "lexicon", "matches",
           "spans"]


@cache
def lexicon(lang: str) -> dict[str, Any]:
    """The validated lexicon of a language as plain lists and mappings; {} for a language without a file."""
    path = resources.files("assistant.lexicon").joinpath(f"{lang}.yaml")
    if not path.is_file():
        return {}
    return parse_lexicon(path.read_text(encoding="utf-8"), f"assistant/lexicon/{lang}.yaml").model_dump()


@cache
def _phrase(phrase: str) -> tuple[bool, str]:
    """(unspaced script?, normalised form); phrases come from the lexicons, so this cache stays small."""
    phrase = phrase.strip()
    if UNSPACED.search(phrase):
        return True, fold(phrase)
    return False, " " + " ".join(_TOKEN.findall(fold(phrase))) + " "


class _Text:
    """A message normalised once for many phrase tests."""

    def __init__(self, text: str) -> None:
        self.folded = fold(text)
        # Words joined by single spaces, and where each character of that string sits in `folded`, so a match on
        # word boundaries can be told as a span of the message (reason "no funciona" holds deny "no").
        parts, where = [" "], [0]
        for m in _TOKEN.finditer(self.folded):
            parts.append(m.group() + " ")
            where.extend([*range(m.start(), m.end()), m.end()])
        self.words = "".join(parts)
        self._where = where

    def has(self, phrase: str, prefix: bool = False) -> bool:
        """Whole words; with `prefix`, the phrase may be the start of a longer word (stems: "uszkodzon")."""
        if not phrase.strip():
            return False
        unspaced, norm = _phrase(phrase)
        if unspaced:
            return norm in self.folded
        return (norm.rstrip() in self.words) if prefix else (norm in self.words)

    def spans(self, phrase: str, prefix: bool = False) -> list[Span]:
        """Every place the phrase matches (as `has` decides), as spans of the folded message."""
        if not phrase.strip():
            return []
        unspaced, norm = _phrase(phrase)
        if unspaced:
            return [(i, i + len(norm)) for i in _find_all(self.folded, norm)]
        needle = norm.rstrip() if prefix else norm
        # The needle starts with the space before its first word and (unless a prefix) ends with the one after.
        return [(self._where[i + 1], self._where[i + len(norm.rstrip()) - 1] + 1)
                for i in _find_all(self.words, needle)]


def _find_all(haystack: str, needle: str) -> list[int]:
    found, i = [], haystack.find(needle)
    while i >= 0:
        found.append(i)
        i = haystack.find(needle, i + 1)
    return found


@lru_cache(maxsize=256)
def _text(text: str) -> _Text:
    # A turn tests the same message against hundreds of phrases (language requests, item words in 17 languages).
    return _Text(text)


def contains(text: str, phrase: str) -> bool:
    """Phrase match on word boundaries (substring for scripts written without spaces)."""
    return _text(text).has(str(phrase))


def _phrases(lang: str, key: str) -> list[str]:
    """The phrases of list `key`, or of every entry of mapping `key` (return_reasons, ordinals)."""
    value = lexicon(lang).get(key) or []
    if isinstance(value, dict):
        return [str(p) for phrases in value.values() for p in phrases]
    return [str(p) for p in value]


def matches(text: str, key: str, langs: tuple[str, ...]) -> list[str]:
    """Entries of list `key` found in text, over the given languages (the session's and English)."""
    t = _text(text)
    return [str(p) for lang in dict.fromkeys(langs) for p in lexicon(lang).get(key, []) or [] if t.has(str(p))]


def spans(text: str, key: str, langs: tuple[str, ...], prefix: bool = False) -> list[Span]:
    """Where the phrases of list or mapping `key` match the text (as `matches` and `keyed_matches` decide)."""
    t = _text(text)
    return sorted({s for lang in dict.fromkeys(langs) for p in _phrases(lang, key) for s in t.spans(p, prefix)})


def keyed_matches(text: str, key: str, langs: tuple[str, ...]) -> dict[str, list[str]]:
    """For mapping lexicons like return_reasons: code -> matched phrases."""
    t = _text(text)
    out: dict[str, list[str]] = {}
    for lang in dict.fromkeys(langs):
        for code, phrases in (lexicon(lang).get(key) or {}).items():
            hits = [str(p) for p in phrases or [] if t.has(str(p), prefix=True)]
            if hits:
                out.setdefault(str(code), []).extend(hits)
    return out
