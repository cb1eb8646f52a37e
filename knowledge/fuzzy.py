"""Typo tolerance for BM25: a query word the index has never seen ("retrun", "polcy", "electronix") is matched to
the index's words within a small edit distance, found through their character trigrams.

Only out-of-vocabulary words are expanded, so a query the index already understands scores exactly as before.
Words in unspaced scripts (CJK, Thai) are character bigrams already: a typo there breaks one or two bigrams and
the others still match, and a bigram has too many one-edit neighbours to guess from, so they are left alone.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Container

from knowledge.tokenize import UNSPACED_CHARS

MIN_LEN = 4  # "wat", "ur": too many real words one edit away to guess which was meant
LONG_LEN = 8  # from this length two edits are allowed ("electronix" -> "electronics")
SHORTLIST = 24  # candidates (most shared trigrams first) checked by edit distance
_UNSPACED = re.compile(f"[{UNSPACED_CHARS}]")


def fuzzable(term: str) -> bool:
    """Words of spaced scripts long enough to correct; not numbers (a wrong digit is a different fact)."""
    return len(term) >= MIN_LEN and not any(ch.isdigit() for ch in term) and not _UNSPACED.search(term)


def max_edits(term: str) -> int:
    return 2 if len(term) >= LONG_LEN else 1


def trigrams(term: str) -> set[str]:
    padded = f"^{term}$"  # the edges count: a typo rarely hits the first letter
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (insert, delete, substitute, swap two neighbours), or limit + 1 once it
    is certain to exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            best = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                best = min(best, prev2[j - 2] + 1)
            cur[j] = best
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def similarity(term: str, edits: int) -> float:
    """How much an expansion counts against the word typed: one edit in a five-letter word is a bigger guess
    than one in a ten-letter word."""
    return 1.0 - edits / len(term)


class Vocabulary:
    """The index's correctable words by trigram and length, kept in step with its postings as chunks come and go.

    Keyed by length too, so a lookup only counts words that could be within the edit budget; answers are cached
    until the vocabulary changes (shoppers repeat the same slips: "adress", "recieve")."""

    CACHE = 8192

    def __init__(self) -> None:
        self._by_gram: dict[tuple[str, int], set[str]] = defaultdict(set)
        self._cache: dict[str, list[tuple[str, int]]] = {}

    def add(self, term: str) -> None:
        if fuzzable(term):
            self._cache.clear()
            for gram in trigrams(term):
                self._by_gram[(gram, len(term))].add(term)

    def remove(self, term: str) -> None:
        if fuzzable(term):
            self._cache.clear()
            for gram in trigrams(term):
                terms = self._by_gram.get((gram, len(term)))
                if terms is not None:
                    terms.discard(term)
                    if not terms:
                        del self._by_gram[(gram, len(term))]

    def forget(self) -> None:
        """Drop cached answers (a benchmark timing cold lookups)."""
        self._cache.clear()

    def near(self, term: str) -> list[tuple[str, int]]:
        """The indexed words closest to `term` within its edit budget (all ties), with their distance."""
        if not fuzzable(term):
            return []
        got = self._cache.get(term)
        if got is None:
            if len(self._cache) >= self.CACHE:
                self._cache.clear()
            got = self._cache[term] = self._search(term)
        return got

    def _search(self, term: str) -> list[tuple[str, int]]:
        limit = max_edits(term)
        grams = trigrams(term)
        shared: Counter[str] = Counter()
        for length in range(len(term) - limit, len(term) + limit + 1):
            for gram in grams:
                shared.update(self._by_gram.get((gram, length), ()))
        # Each edit changes at most four of a word's trigrams (a swap), so fewer shared ones rule a word out.
        need = max(1, len(grams) - 4 * limit)
        ordered = sorted((c for c, n in shared.items() if n >= need and c != term), key=lambda c: (-shared[c], c))
        best: list[tuple[str, int]] = []
        for candidate in ordered[:SHORTLIST]:
            if best and best[0][1] == 1 and shared[candidate] < shared[best[0][0]]:
                break  # one edit is the least an unknown word can be off; ties share the trigrams too
            edits = edit_distance(term, candidate, limit)
            if edits > limit:
                continue
            if best and edits < best[0][1]:
                best = []
            if not best or edits == best[0][1]:
                best.append((candidate, edits))
        return best


def expand(terms: set[str], known: Container[str], vocabulary: Vocabulary) -> dict[str, float]:
    """Query term -> weight. Known terms count 1; an unknown one is replaced by its nearest indexed words, its
    weight shared among them (one typed word is one word however many ways it could be read); one with none
    stays, unmatched, so it still counts as missing in the query's coverage."""
    weights: dict[str, float] = {}
    for term in sorted(terms):
        near = [] if term in known else vocabulary.near(term)
        if not near:
            weights[term] = max(weights.get(term, 0.0), 1.0)
            continue
        share = similarity(term, near[0][1]) / len(near)
        for word, _ in near:
            if word not in terms:  # typed correctly elsewhere in the query: already counts in full
                weights[word] = min(1.0, weights.get(word, 0.0) + share)
    return weights
