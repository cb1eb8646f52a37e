"""Per-language keyword lexicons (assistant/lexicon/<lang>.yaml): reasons, yes/no, anger, legal, injection."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml

from knowledge.tokenize import UNSPACED_CHARS, fold

LANGUAGES = ("en", "es", "pt", "fr", "de", "it", "nl", "pl", "tr", "ru", "ar", "zh", "ja", "ko", "id", "vi", "th")
UNSPACED = re.compile(rf"[{UNSPACED_CHARS}]")


@cache
def lexicon(lang: str) -> dict[str, Any]:
    path = resources.files("assistant.lexicon").joinpath(f"{lang}.yaml")
    if not path.is_file():
        return {}
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def _norm(text: str) -> str:
    return " " + " ".join(re.findall(r"[^\W_]+|[^\w\s]", fold(text))) + " "


@cache
def _phrase(phrase: str) -> tuple[bool, str]:
    """(unspaced script?, normalised form); phrases come from the lexicons, so this cache stays small."""
    phrase = phrase.strip()
    if UNSPACED.search(phrase):
        return True, fold(phrase)
    return False, _norm(phrase)


class _Text:
    """A message normalised once for many phrase tests."""

    def __init__(self, text: str) -> None:
        self.folded = fold(text)
        self.words = " " + " ".join(re.findall(r"[^\W_]+|[^\w\s]", self.folded)) + " "

    def has(self, phrase: str, prefix: bool = False) -> bool:
        """Whole words; with `prefix`, the phrase may be the start of a longer word (stems: "uszkodzon")."""
        if not phrase.strip():
            return False
        unspaced, norm = _phrase(phrase)
        if unspaced:
            return norm in self.folded
        return (norm.rstrip() in self.words) if prefix else (norm in self.words)


@lru_cache(maxsize=256)
def _text(text: str) -> _Text:
    # A turn tests the same message against hundreds of phrases (language requests, item words in 17 languages).
    return _Text(text)


def contains(text: str, phrase: str) -> bool:
    """Phrase match on word boundaries (substring for scripts written without spaces)."""
    return _text(text).has(str(phrase))


def matches(text: str, key: str, langs: tuple[str, ...]) -> list[str]:
    """Entries of list `key` found in text, over the given languages (the session's and English)."""
    t = _text(text)
    return [str(p) for lang in dict.fromkeys(langs) for p in lexicon(lang).get(key, []) or [] if t.has(str(p))]


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
