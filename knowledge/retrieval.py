"""Hybrid retrieval: BM25 and vector rankings fused with reciprocal rank fusion, language-aware, cited."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# RRF's usual k=60 is tuned for long web rankings; over a help centre of a few dozen answers it is so flat that
# three middling ranks outscore two first places (bench/kb_retrieval.py: k=10 lifts held-out hit@3 0.946 -> 0.966).
RRF_K = 10
CANDIDATES = 30
QUESTION_CANDIDATES = 60  # a card has several alternative questions per language; take more rows to see more cards
CARD_BOOST = 1.2  # FAQ cards are written as complete answers for shoppers; prefer them over doc sections
# Plain RRF over three rankings: passages by vector, alternative questions by vector, passages (with their
# questions) by BM25. Down-weighting BM25 lost short Thai/CJK queries, where character bigrams find what the
# small multilingual model misses (bench/kb_retrieval.py).
WEIGHTS = {"vector": 1.0, "questions": 1.0, "bm25": 1.0}
# ...unless BM25's best hit holds little of the query: then its ranking is mostly noise (a Thai question over
# English passages matches digits and loanwords). Below this query coverage BM25's weight falls linearly.
BM25_FULL_TRUST = 0.4
FALLBACK_LANG = "en"


@dataclass(frozen=True)
class Citation:
    doc_id: str
    title: str
    heading: str
    url: str
    snippet: str


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    doc_id: str
    card: str
    title: str
    heading: str
    url: str
    lang: str
    topic: str
    text: str
    score: float
    vector_rank: int | None
    bm25_rank: int | None
    question_rank: int | None = None  # rank among the alternative questions' vectors
    sure: bool = False  # words and meaning agree on it (see `is_sure`): answer it even when the intent is unclear

    @property
    def citation(self) -> Citation:
        return Citation(self.doc_id, self.title, self.heading, self.url, snippet(self.text))


def snippet(text: str, limit: int = 240) -> str:
    plain = " ".join(line.strip().lstrip("#|-* ").strip() for line in text.splitlines() if line.strip())
    return plain if len(plain) <= limit else plain[: limit - 1].rsplit(" ", 1)[0] + "…"


def rrf(rankings: Mapping[str, list[str]], k: int = RRF_K,
        weights: Mapping[str, float] | None = None) -> dict[str, dict[str, Any]]:
    """Fuse ranked id lists; returns id -> {score, <ranking name>_rank}."""
    fused: dict[str, dict[str, Any]] = {}
    for name, ids in rankings.items():
        weight = (weights or {}).get(name, 1.0)
        for rank, cid in enumerate(ids, 1):
            entry = fused.setdefault(cid, {"score": 0.0})
            entry["score"] += weight / (k + rank)
            entry[f"{name}_rank"] = rank
    return fused


def bm25_weight(coverage: float, full_trust: float = BM25_FULL_TRUST) -> float:
    """BM25's fusion weight from the share of the query (by IDF) its best hit contains."""
    return WEIGHTS["bm25"] * min(1.0, max(0.0, coverage) / full_trust)


SURE_WITHIN = 3


def is_sure(ranks: Mapping[str, int | None]) -> bool:
    """Ranking name -> this answer's rank there (None: not found). Sure when BM25 (the words) and a vector ranking
    (the meaning) both put it first and no ranking puts it below SURE_WITHIN: chance agreement on an off-topic
    message ("a good pizzeria in Madrid?") rarely gets that far."""
    meaning = [rank for name, rank in ranks.items() if name != "bm25"]
    return (ranks.get("bm25") == 1 and 1 in meaning
            and all(rank is not None and rank <= SURE_WITHIN for rank in ranks.values()))


def fuse_groups(rankings: Mapping[str, list[str]], meta: Mapping[str, Mapping[str, Any]], k: int = RRF_K,
                weights: Mapping[str, float] | None = None) -> dict[str, dict[str, Any]]:
    """RRF over answer groups (a card and its translations, or one document section), not chunks: the same
    answer found in Spanish by one ranking and in English by another is one answer that both rankings agree on.
    Each ranking counts a group once, at its best chunk. Returns group -> {score, chunk, <ranking>_rank}."""
    first_chunk: dict[str, str] = {}
    for ids in rankings.values():
        for cid in ids:
            first_chunk.setdefault(group_key(meta[cid]), cid)
    grouped = {name: list(dict.fromkeys(group_key(meta[cid]) for cid in ids)) for name, ids in rankings.items()}
    fused = rrf(grouped, k=k, weights=weights)
    for group, entry in fused.items():
        entry["chunk"] = first_chunk[group]
    return fused


VOTES = 3  # a group's question score: its best few question similarities, summed


def vote(rows: list[tuple[str, float]], meta: Mapping[str, Mapping[str, Any]], votes: int = VOTES) -> list[str]:
    """Rank chunks by kNN vote over their alternative questions: one near-identical phrasing on another card
    ("can I return it?") should not outweigh several close ones on the right card."""
    scores: dict[str, list[float]] = {}
    best_chunk: dict[str, str] = {}
    for cid, similarity in sorted(rows, key=lambda r: -r[1]):
        group = group_key(meta[cid])
        best_chunk.setdefault(group, cid)
        scores.setdefault(group, [])
        if len(scores[group]) < votes:
            scores[group].append(similarity)
    ranked = sorted(scores, key=lambda g: (-sum(scores[g]), g))
    return [best_chunk[g] for g in ranked]


def choose(fused: dict[str, dict[str, Any]], meta: Mapping[str, Mapping[str, Any]], k: int,
           lang: str | None, variants: Mapping[tuple[str, str], str]) -> list[tuple[str, dict[str, Any]]]:
    """The best k answer groups, each shown in the shopper's language when it exists (else English)."""
    boosted = {g: e["score"] * (CARD_BOOST if _is_card(meta[e["chunk"]]) else 1.0) for g, e in fused.items()}
    ordered = sorted(boosted, key=lambda g: (-boosted[g], g))[:k]
    out = []
    for group in ordered:
        cid = fused[group]["chunk"]
        entry = {key: value for key, value in fused[group].items() if key != "chunk"}
        entry["score"] = boosted[group]
        if lang and meta[cid]["lang"] != lang:
            # The shopper's language if the answer exists in it, else English, the lingua franca of the KB.
            swap = variants.get((group, lang)) or (variants.get((group, FALLBACK_LANG)) if meta[cid]["lang"]
                                                   != FALLBACK_LANG else None)
            if swap and swap in meta:
                entry["translated_from"] = cid
                cid = swap
        out.append((cid, entry))
    return out


def _is_card(m: Mapping[str, Any]) -> bool:
    return bool(m.get("card")) and m.get("card") != m.get("doc_id")


def group_key(m: Mapping[str, Any]) -> str:
    """Cards group their translations; other documents group per section."""
    card = str(m.get("card") or m.get("doc_id"))
    return card if card != m.get("doc_id") else f"{card}#{m.get('section_key', '')}"
