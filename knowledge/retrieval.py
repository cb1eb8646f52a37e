"""Hybrid retrieval: BM25 and vector rankings fused with reciprocal rank fusion, language-aware, cited."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

RRF_K = 60
PREFERRED_LANG_BOOST = 1.3  # a passage in the shopper's language wins a near-tie
CANDIDATES = 30
CARD_BOOST = 1.2  # FAQ cards are written as complete answers for shoppers; prefer them over doc sections
# Plain RRF: down-weighting BM25 gained one bench question and lost short Thai/CJK queries, where
# character bigrams find what the small multilingual model misses (bench/kb_retrieval.py).
WEIGHTS = {"vector": 1.0, "bm25": 1.0}
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


def choose(fused: dict[str, dict[str, Any]], meta: Mapping[str, Mapping[str, Any]], k: int,
           lang: str | None, variants: Mapping[tuple[str, str], str]) -> list[tuple[str, dict[str, Any]]]:
    """One hit per answer group (a card and its translations), shown in the shopper's language when it exists."""
    boosted = {cid: e["score"] * (PREFERRED_LANG_BOOST if lang and meta[cid]["lang"] == lang else 1.0)
               * (CARD_BOOST if _is_card(meta[cid]) else 1.0) for cid, e in fused.items()}
    best_by_group: dict[str, str] = {}
    for cid in sorted(boosted, key=lambda c: (-boosted[c], c)):
        best_by_group.setdefault(group_key(meta[cid]), cid)
    ordered = sorted(best_by_group.values(), key=lambda c: (-boosted[c], c))[:k]
    out = []
    for cid in ordered:
        entry = dict(fused[cid], score=boosted[cid])
        if lang and meta[cid]["lang"] != lang:
            # The shopper's language if the answer exists in it, else English, the lingua franca of the KB.
            group = group_key(meta[cid])
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
