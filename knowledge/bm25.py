"""An incremental BM25 index: chunks are added and removed one by one, so a re-ingest never rebuilds it."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

from knowledge.tokenize import tokens


class BM25Index:
    def __init__(self, k1: float = 1.4, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self._postings: dict[str, dict[str, int]] = defaultdict(dict)  # term -> {chunk id: tf}
        self._lengths: dict[str, int] = {}
        self._terms: dict[str, list[str]] = {}
        self._total = 0

    def __len__(self) -> int:
        return len(self._lengths)

    def __contains__(self, chunk_id: object) -> bool:
        return chunk_id in self._lengths

    def add(self, chunk_id: str, text: str) -> None:
        if chunk_id in self._lengths:
            self.remove(chunk_id)
        counts = Counter(tokens(text))
        for term, tf in counts.items():
            self._postings[term][chunk_id] = tf
        length = sum(counts.values())
        self._lengths[chunk_id] = length
        self._terms[chunk_id] = list(counts)
        self._total += length

    def remove(self, chunk_id: str) -> None:
        if chunk_id not in self._lengths:
            return
        for term in self._terms.pop(chunk_id):
            posting = self._postings[term]
            posting.pop(chunk_id, None)
            if not posting:
                del self._postings[term]
        self._total -= self._lengths.pop(chunk_id)

    def search(self, query: str, k: int = 10, allow: Callable[[str], bool] | None = None) -> list[tuple[str, float]]:
        n = len(self._lengths)
        if not n:
            return []
        avg = self._total / n
        scores: dict[str, float] = defaultdict(float)
        for term in set(tokens(query)):
            posting = self._postings.get(term)
            if not posting:
                continue
            idf = math.log(1 + (n - len(posting) + 0.5) / (len(posting) + 0.5))
            for chunk_id, tf in posting.items():
                norm = tf + self.k1 * (1 - self.b + self.b * self._lengths[chunk_id] / avg)
                scores[chunk_id] += idf * tf * (self.k1 + 1) / norm
        ranked: Iterable[tuple[str, float]] = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        if allow is not None:
            ranked = (kv for kv in ranked if allow(kv[0]))
        out = []
        for item in ranked:
            out.append(item)
            if len(out) == k:
                break
        return out
