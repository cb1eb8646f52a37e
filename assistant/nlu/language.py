"""Session-sticky language detection over the 17 supported languages."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache

from assistant.nlu.lexicon import LANGUAGES, contains, lexicon
from assistant.nlu.slots import EMAIL

MIN_LETTERS = 12  # shorter messages ("ok", "BR-100234", "sim") keep the session's language
MIN_CONFIDENCE = 0.80
SURE = 0.95  # even a short message switches when the identifier is this sure ("Dziękuję")
_SCRIPT = [
    (re.compile(r"[\u0e00-\u0e7f]"), "th"), (re.compile(r"[\u3040-\u30ff]"), "ja"),
    (re.compile(r"[\uac00-\ud7af]"), "ko"), (re.compile(r"[\u0600-\u06ff]"), "ar"),
]
ID_OR_EMAIL = re.compile(rf"{EMAIL.pattern}|#?[A-Z]{{0,3}}-?\d[A-Za-z0-9-]*")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
HAN_WEIGHT = 3  # a Chinese character carries about a word: "再见" (goodbye) says as much as "goodbye"


@dataclass(frozen=True)
class LanguageDecision:
    language: str
    switched: bool  # the shopper asked for this language explicitly
    source: str  # forced | request | detected | session | default


_LOAD_LOCK = threading.Lock()


def _identifier():  # type: ignore[no-untyped-def]
    # The model takes a second or two of CPU to unpack; without the lock, every thread that arrives before the
    # first load finishes unpacks its own copy (seen as multi-second turns right after a start under load).
    with _LOAD_LOCK:
        return _load_identifier()


@cache
def _load_identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(LANGUAGES))
    return ident


def warm_up() -> None:
    """Load the language model and every language's phrase lists before the first shopper waits on them."""
    _identifier()
    for lang in LANGUAGES:
        lexicon(lang)


def _letters(text: str) -> int:
    return sum(HAN_WEIGHT if HAN.match(ch) else 1 for ch in text if ch.isalpha())


def requested_language(text: str) -> str | None:
    """'in English please', 'em português', 'بالعربية' → that language."""
    if len(text) > 80:
        return None
    for lang in LANGUAGES:
        for phrase in lexicon(lang).get("language_request", []) or []:
            if contains(text, str(phrase)):
                return lang
    return None


def detect(text: str) -> tuple[str, float]:
    for pattern, lang in _SCRIPT:  # unambiguous scripts need no statistics
        if pattern.search(text):
            return lang, 1.0
    lang, prob = _identifier().classify(text)
    return str(lang), float(prob)


def decide_language(text: str, session_language: str | None, forced: str | None = None,
                    default: str = "en") -> LanguageDecision:
    """Forced > explicit request > confident detection > the session's language > default."""
    if forced:
        return LanguageDecision(forced, False, "forced")
    requested = requested_language(text)
    if requested:
        return LanguageDecision(requested, requested != session_language, "request")
    cleaned = ID_OR_EMAIL.sub(" ", text)  # ids and emails say nothing of language
    letters = _letters(cleaned)
    if letters >= 3:
        lang, prob = detect(cleaned)
        if prob >= SURE or (letters >= MIN_LETTERS and prob >= MIN_CONFIDENCE):
            return LanguageDecision(lang, False, "detected")
        if session_language is None and prob >= 0.5:
            return LanguageDecision(lang, False, "detected")
    if session_language:
        return LanguageDecision(session_language, False, "session")
    return LanguageDecision(default, False, "default")
