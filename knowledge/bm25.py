"""An incremental BM25 index: chunks are added and removed one by one, so a re-ingest never rebuilds it.

Scoring is vectorised: each term's postings become numpy arrays the first time a query needs them (and again
only after that term's postings change), so a query over 10,000 chunks costs a few array operations per term
rather than a Python loop over every posting.

A query word the index has never seen is read as its nearest indexed words (knowledge/fuzzy.py), so "retrun polcy"
still finds the return policy; `fuzzy=False` scores the query as typed (the baseline in bench/kb_retrieval.py).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable

import numpy as np

from knowledge.fuzzy import Vocabulary, expand
from knowledge.tokenize import tokens


class BM25Index:
    def __init__(self, k1: float = 1.4, b: float = 0.75, fuzzy: bool = True) -> None:
        self.k1, self.b = k1, b
        self.fuzzy = fuzzy
        self.vocabulary = Vocabulary()  # kept even when fuzzy is off, so it can be switched per query
        self._postings: dict[str, dict[int, int]] = defaultdict(dict)  # term -> {slot: tf}
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # term -> (slots, tfs), built on demand
        self._slot: dict[str, int] = {}  # chunk id -> slot in the arrays below
        self._ids: list[str | None] = []
        self._free: list[int] = []  # slots of removed chunks, reused
        self._lengths = np.zeros(0, dtype=np.float64)
        self._terms: dict[str, list[str]] = {}
        self._total = 0

    def __len__(self) -> int:
        return len(self._slot)

    def __contains__(self, chunk_id: object) -> bool:
        return chunk_id in self._slot

    def add(self, chunk_id: str, text: str) -> None:
        if chunk_id in self._slot:
            self.remove(chunk_id)
        slot = self._free.pop() if self._free else self._grow()
        self._slot[chunk_id] = slot
        self._ids[slot] = chunk_id
        counts = Counter(tokens(text))
        for term, tf in counts.items():
            if term not in self._postings:
                self.vocabulary.add(term)
            self._postings[term][slot] = tf
            self._arrays.pop(term, None)
        length = sum(counts.values())
        self._lengths[slot] = length
        self._terms[chunk_id] = list(counts)
        self._total += length

    def _grow(self) -> int:
        slot = len(self._ids)
        self._ids.append(None)
        if slot >= len(self._lengths):
            self._lengths = np.concatenate([self._lengths, np.zeros(max(64, len(self._lengths)))])
        return slot

    def remove(self, chunk_id: str) -> None:
        slot = self._slot.pop(chunk_id, None)
        if slot is None:
            return
        for term in self._terms.pop(chunk_id):
            posting = self._postings[term]
            posting.pop(slot, None)
            self._arrays.pop(term, None)
            if not posting:
                del self._postings[term]
                self.vocabulary.remove(term)
        self._total -= int(self._lengths[slot])
        self._lengths[slot] = 0
        self._ids[slot] = None
        self._free.append(slot)

    def _term_arrays(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        arrays = self._arrays.get(term)
        if arrays is None:
            posting = self._postings[term]
            arrays = (np.fromiter(posting.keys(), dtype=np.int64, count=len(posting)),
                      np.fromiter(posting.values(), dtype=np.float64, count=len(posting)))
            self._arrays[term] = arrays
        return arrays

    def _idf(self, term: str) -> float:
        n, df = len(self._slot), len(self._postings.get(term, ()))
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def query_terms(self, query: str) -> dict[str, float]:
        """The terms a query is scored by, with their weights: as typed, or with unknown words corrected."""
        terms = set(tokens(query))
        if not self.fuzzy:
            return dict.fromkeys(terms, 1.0)
        return expand(terms, self._postings, self.vocabulary)

    def coverage(self, query: str, chunk_id: str) -> float:
        """How much of the query (by IDF mass) the chunk contains, 0..1: how far BM25's ranking can be trusted.
        Low when the query shares little more than common words with its best hit, e.g. a Thai question over
        English passages."""
        terms = self.query_terms(query)
        held = set(self._terms.get(chunk_id, ()))
        total = sum(self._idf(t) * w for t, w in terms.items())
        return sum(self._idf(t) * w for t, w in terms.items() if t in held) / total if total else 0.0

    def search(self, query: str, k: int = 10, allow: Callable[[str], bool] | None = None) -> list[tuple[str, float]]:
        n = len(self._slot)
        if not n:
            return []
        avg = self._total / n
        scores = np.zeros(len(self._ids), dtype=np.float64)
        for term, weight in self.query_terms(query).items():
            if term not in self._postings:
                continue
            slots, tf = self._term_arrays(term)
            idf = self._idf(term) * weight
            norm = tf + self.k1 * (1 - self.b + self.b * self._lengths[slots] / avg)
            scores[slots] += idf * tf * (self.k1 + 1) / norm
        hits = np.flatnonzero(scores)
        want = k * 4  # room for chunks the filter drops; the full list only if that is not enough
        while True:
            top = hits
            if len(hits) > want:
                cut = np.partition(scores[hits], len(hits) - want)[len(hits) - want]
                top = hits[scores[hits] >= cut]  # ties at the cut stay in, so the order is deterministic
            out = self._ordered(top, scores, k, allow)
            if len(out) == k or len(top) == len(hits):
                return out
            want *= 4

    def _ordered(self, slots: np.ndarray, scores: np.ndarray, k: int,
                 allow: Callable[[str], bool] | None) -> list[tuple[str, float]]:
        # Highest score first; ties by chunk id so results are stable across runs.
        ranked = sorted(slots.tolist(), key=lambda s: (-scores[s], self._ids[s]))
        out: list[tuple[str, float]] = []
        for slot in ranked:
            cid = self._ids[slot]
            if cid is None or (allow is not None and not allow(cid)):
                continue
            out.append((cid, float(scores[slot])))
            if len(out) == k:
                break
        return out
