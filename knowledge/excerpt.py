"""Concise answers: the sentence of a help-centre passage that answers the question, or the whole passage when the
question is about its whole subject.

"Can I pay with OXXO?" is answered by one sentence of the cash-payments card; "what payment methods do you
accept?" by all of it. Decided in the embedder the KB already uses, from two measurements: how much closer the
question is to its best sentence than to the card's own question (its title; a broad question is nearly the card's
question), and how far that sentence stands out from the runner-up (a narrow question's match is concentrated on
one sentence, a broad one's spread over several). bench/kb_answer_spans.py measures it on labelled questions in 17
languages, with a held-out part.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge import sentences
from knowledge.embedders import Embedder
from knowledge.retrieval import Hit

# specificity = (best sentence - card question) + CONCENTRATION * (best sentence - runner-up); an excerpt above
# THRESHOLD. Both chosen on the tuning part of bench/kb_answer_spans.py (92% of decisions right there, 75% on its
# held-out part; the card question's similarity alone: 87% / 79%; always the whole card: 47% / 50%).
CONCENTRATION = 0.6
THRESHOLD = -0.017
MIN_SENTENCES = 3  # a card of one or two sentences is already short
CACHE = 512  # passages whose sentence vectors are kept (ids change with the text, so entries never go stale)


@dataclass(frozen=True)
class Excerpt:
    text: str  # what to show: the chosen sentences in passage order, or the whole passage
    whole: bool
    sentences: tuple[int, ...]  # indices of the sentences shown (all of them when whole)
    specificity: float  # the evidence the decision was made on (see `specificity`)


def specificity(sentence_sims: Sequence[float], question_sim: float, concentration: float = CONCENTRATION) -> float:
    """How much better one sentence matches the shopper's question than the card's own question does, and than
    any other sentence. `sentence_sims`: question vs each sentence (as passages); `question_sim`: question vs the
    card's question (both as queries)."""
    ordered = sorted(sentence_sims, reverse=True)
    runner_up = ordered[1] if len(ordered) > 1 else question_sim
    return (ordered[0] - question_sim) + concentration * (ordered[0] - runner_up)


def choose(sentence_sims: Sequence[float], question_sim: float, threshold: float = THRESHOLD,
           concentration: float = CONCENTRATION) -> tuple[int, ...] | None:
    """The sentence to quote (as a tuple), or None for the whole passage."""
    if len(sentence_sims) < MIN_SENTENCES:
        return None
    if specificity(sentence_sims, question_sim, concentration) <= threshold:
        return None
    return (int(np.argmax(sentence_sims)),)


class Excerpter:
    """Sentence vectors per passage, computed once (a card is asked about again and again), and the choice."""

    def __init__(self, embedder: Embedder, cache: int = CACHE) -> None:
        self.embedder = embedder
        self._cache: OrderedDict[str, tuple[list[str], np.ndarray, np.ndarray]] = OrderedDict()
        self._size = cache
        self._lock = threading.Lock()  # turns are answered on a thread pool

    def vectors(self, hit: Hit) -> tuple[list[str], np.ndarray, np.ndarray]:
        """The passage's sentences, their vectors (as passages), and its question's vector (as a query: it is
        compared with the shopper's question, a query too)."""
        with self._lock:
            got = self._cache.get(hit.chunk_id)
            if got is not None:
                self._cache.move_to_end(hit.chunk_id)
                return got
        parts = sentences.split(hit.text)
        vectors = np.asarray(self.embedder.embed_passages(parts), dtype=np.float32) if parts else np.zeros((0, 0))
        question = np.asarray(self.embedder.embed_queries([question_of(hit)])[0], dtype=np.float32)
        got = (parts, vectors, question)
        with self._lock:
            self._cache[hit.chunk_id] = got
            if len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return got

    def __call__(self, hit: Hit, query_vector: np.ndarray) -> Excerpt:
        parts, vectors, question = self.vectors(hit)
        query = np.asarray(query_vector, dtype=np.float32)
        sims = [float(v) for v in vectors @ query] if parts else []
        question_sim = float(question @ query)
        chosen = choose(sims, question_sim)
        score = specificity(sims, question_sim) if sims else 0.0
        if chosen is None:
            return Excerpt(hit.text, True, tuple(range(len(parts))), score)
        return Excerpt(" ".join(parts[i] for i in chosen), False, chosen, score)


def question_of(hit: Hit) -> str:
    """What the passage answers: a card's title is its question; a document section's is its own heading."""
    return hit.heading.split(" > ")[-1] if hit.heading and hit.heading != hit.title else hit.title or hit.text
