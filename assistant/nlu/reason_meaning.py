"""Return reasons heard by meaning: the turn's embedding against the embedded reason phrases of the lexicons.

The lexicon is the fast first pass (nlu.slots); this hears "they're two sizes too big" or "the strap tore after a
day" that no list holds. Phrases of the shopper's language and English vote, k nearest weighted by similarity, as
the intent classifier does. The embeddings are cached on disk like the intent examples'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.nlu.embedding_cache import cached_query_embeddings, digest
from assistant.nlu.intents import IntentClassifier
from assistant.nlu.lexicon import LANGUAGES, lexicon
from assistant.nlu.slots import extract
from knowledge.embedders import Embedder

K = 5
# e5 cosines. At the reason step a reason is expected, so a looser match is taken than in an opening message,
# where "I want to return my order" must not gain a reason it never gave. Set on the held-out dev half.
MIN_SIMILARITY_AT_STEP = 0.84
MIN_SIMILARITY_IN_MESSAGE = 0.88
MIN_SHARE = 0.5  # the winning reason holds at least this share of the k-nearest vote


@dataclass(frozen=True)
class ReasonPhrases:
    texts: list[str]
    codes: list[str]
    langs: list[str]

    def digest(self, embedder_name: str) -> str:
        return digest(embedder_name, zip(self.langs, self.codes, self.texts, strict=True))


def load_phrases(languages: tuple[str, ...] = LANGUAGES) -> ReasonPhrases:
    texts: list[str] = []
    codes: list[str] = []
    langs: list[str] = []
    for lang in languages:
        for code, phrases in (lexicon(lang).get("return_reasons") or {}).items():
            for phrase in phrases or []:
                texts.append(str(phrase))
                codes.append(str(code))
                langs.append(lang)
    return ReasonPhrases(texts, codes, langs)


def vote(similarities: np.ndarray, codes: list[str], k: int = K) -> tuple[str, float, float] | None:
    """The reason of the k nearest phrases (similarity-weighted), its share of the vote and the nearest cosine."""
    if similarities.size == 0:
        return None
    top = np.argsort(-similarities)[:k]
    weights: dict[str, float] = {}
    for idx in top:
        weights[codes[idx]] = weights.get(codes[idx], 0.0) + max(float(similarities[idx]), 0.0) ** 4
    best = max(weights, key=lambda c: weights[c])
    nearest = max(float(similarities[i]) for i in top if codes[i] == best)
    return best, weights[best] / (sum(weights.values()) or 1.0), nearest


NONE = ""  # the vote of a message that gives no reason
# Intent examples that ask for a return or exchange, or say hello or nothing in particular, without a reason any
# lexicon phrase holds: "I want to return my order", "hmm". They vote for "no reason", so a reason must be nearer
# than the plain request is (e5 puts every return request close to every reason phrase).
NO_REASON_INTENTS = {"return_request", "exchange_request", "greeting", "other"}


def no_reason_rows(intents: IntentClassifier) -> tuple[np.ndarray, list[str]]:
    ex = intents.examples
    rows = [i for i, (text, intent, lang) in enumerate(zip(ex.texts, ex.intents, ex.langs, strict=True))
            if intent in NO_REASON_INTENTS and not extract(text, lang).reasons]
    return intents.matrix[rows], [ex.langs[i] for i in rows]


class ReasonMatcher:
    def __init__(self, embedder: Embedder, cache_dir: Path | None = None, phrases: ReasonPhrases | None = None,
                 intents: IntentClassifier | None = None) -> None:
        self.embedder = embedder
        self.phrases = phrases or load_phrases()
        matrix = self._embed(cache_dir)
        codes, langs = list(self.phrases.codes), list(self.phrases.langs)
        if intents is not None:
            none_matrix, none_langs = no_reason_rows(intents)
            matrix = np.vstack([matrix, none_matrix]) if len(none_langs) else matrix
            codes += [NONE] * len(none_langs)
            langs += none_langs
        self.matrix, self.codes = matrix, codes
        self._rows = {lang: np.array([i for i, pl in enumerate(langs) if pl in {lang, "en"}])
                      for lang in set(langs)}

    def _embed(self, cache_dir: Path | None) -> np.ndarray:
        return cached_query_embeddings(self.embedder, self.phrases.texts, self.phrases.digest(self.embedder.name),
                                       cache_dir, "reasons")

    def scores(self, vector: np.ndarray, language: str) -> tuple[str, float, float] | None:
        rows = self._rows.get(language, self._rows.get("en"))
        if rows is None or rows.size == 0:
            return None
        sims = self.matrix[rows] @ np.asarray(vector, dtype=np.float32)
        return vote(sims, [self.codes[i] for i in rows])

    def accept(self, found: tuple[str, float, float] | None, at_step: bool) -> tuple[str, float] | None:
        if found is None or found[0] == NONE:
            return None
        code, share, nearest = found
        floor = MIN_SIMILARITY_AT_STEP if at_step else MIN_SIMILARITY_IN_MESSAGE
        return (code, nearest) if share >= MIN_SHARE and nearest >= floor else None

    def match(self, vector: np.ndarray, language: str, *, at_step: bool, text: str = "") -> str | None:
        """The reason this message gives by meaning, or None when no reason is near enough. An opening message
        is also heard clause by clause (one more embedding call, only for a return or exchange request)."""
        hit = self.accept(self.scores(vector, language), at_step)
        if hit is None and not at_step and text:
            parts = clauses(text)
            found = [self.accept(self.scores(v, language), at_step)
                     for v in (self.embedder.embed_queries(parts) if parts else [])]
            hit = max((f for f in found if f), key=lambda f: f[1], default=None)
        return hit[0] if hit else None


CLAUSE = re.compile(r"[,.;:!?¡¿，。；：！？、\n]+|\s[-–—]\s")
MIN_CLAUSE_LETTERS = 6


def clauses(text: str) -> list[str]:
    """The message's clauses: "I want to return it, the strap tore after a day" gives its reason in the second,
    which a vector of the whole message mostly misses. One clause alone is the message itself."""
    parts = [p.strip() for p in CLAUSE.split(text)]
    parts = [p for p in parts if sum(ch.isalpha() for ch in p) >= MIN_CLAUSE_LETTERS]
    return parts if len(parts) > 1 else []
