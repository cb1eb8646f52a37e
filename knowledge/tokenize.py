"""Tokens for BM25 that work in every script: words for spaced scripts, character bigrams for CJK and Thai."""

from __future__ import annotations

import re
import unicodedata

# Scripts written without spaces between words: Han, Hiragana, Katakana, Hangul syllables, Thai, Lao, Khmer.
UNSPACED_CHARS = (r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
                  r"\u0e00-\u0e7f\u0e80-\u0eff\u1780-\u17ff")
_TOKEN = re.compile(rf"[{UNSPACED_CHARS}]+|[^\W_]+", re.UNICODE)
_UNSPACED_RUN = re.compile(rf"^[{UNSPACED_CHARS}]+$")


def fold(text: str) -> str:
    """Lower case, no accents (shoppers often type without them), NFKC for full-width forms."""
    text = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFD", text)
    # Drop combining marks only for Latin-ish letters; Thai and Devanagari marks carry meaning.
    out: list[str] = []
    for ch in decomposed:
        if unicodedata.combining(ch) and out and out[-1].isascii():
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def tokens(text: str) -> list[str]:
    out: list[str] = []
    for run in _TOKEN.findall(fold(text)):
        if _UNSPACED_RUN.match(run):
            if len(run) > 1:
                out.extend(run[i:i + 2] for i in range(len(run) - 1))
            else:
                out.append(run)
        elif len(run) > 1 or run.isdigit():
            out.append(run[:12] if not run.isdigit() else run)  # crude stemming: cap long words
    return out
