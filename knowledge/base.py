"""The knowledge base: one Chroma collection plus an in-memory BM25 index and metadata cache built from it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge import retrieval
from knowledge.bm25 import BM25Index
from knowledge.documents import Chunk, search_text
from knowledge.embedders import Embedder
from knowledge.excerpt import Excerpt, Excerpter
from knowledge.ingest import IngestReport, discover, load_all, plan
from knowledge.retrieval import Hit, choose, fuse_groups, group_key, vote
from knowledge.vectorstore import make_client, open_collection

BATCH = 256


@dataclass(frozen=True)
class KBStats:
    collection: str
    embedder: str
    chunks: int
    documents: int
    by_lang: dict[str, int]
    by_topic: dict[str, int]
    questions: int = 0  # alternative questions, each with its own vector


class KnowledgeBase:
    def __init__(self, embedder: Embedder, *, path: Path | None = None, url: str | None = None,
                 collection: str = "policies", client: Any = None, reset: bool = False) -> None:
        self.embedder = embedder
        self.client = client if client is not None else make_client(path=path, url=url)
        self.name = collection
        if reset:  # re-index from scratch, e.g. after switching embedders
            drop_collection(self.client, collection)
            drop_collection(self.client, questions_collection(collection))
        self.collection = open_collection(self.client, collection, embedder)
        # Alternative questions get vectors of their own, next to the passages: one row per question.
        self.question_vectors = open_collection(self.client, questions_collection(collection), embedder)
        self.bm25 = BM25Index()
        self.meta: dict[str, dict[str, Any]] = {}
        self.question_rows = 0  # alternative questions of the chunks held, one vector each
        self.texts: dict[str, str] = {}
        self._variants_cache: dict[tuple[str, str], str] | None = None
        self.excerpter = Excerpter(embedder)
        self._load_cache()

    # -- cache ---------------------------------------------------------------------------------
    def _load_cache(self) -> None:
        total = self.collection.count()
        step = 2000
        for offset in range(0, total, step):
            got = self.collection.get(include=["metadatas", "documents"], limit=step, offset=offset)
            for cid, meta, text in zip(got["ids"], got["metadatas"], got["documents"], strict=True):
                self._remember(cid, dict(meta), text)

    def _remember(self, cid: str, meta: dict[str, Any], text: str) -> None:
        if cid in self.meta:
            self._forget(cid)
        self.meta[cid] = meta
        self.question_rows += _question_count(meta)
        self.texts[cid] = text
        self._variants_cache = None
        self.bm25.add(cid, search_text(meta, text))

    def _forget(self, cid: str) -> None:
        self._variants_cache = None
        self.question_rows -= _question_count(self.meta.get(cid, {}))
        self.meta.pop(cid, None)
        self.texts.pop(cid, None)
        self.bm25.remove(cid)

    # -- ingestion -----------------------------------------------------------------------------
    def ingest(self, paths: Iterable[Path], progress: Callable[[int, int], None] | None = None) -> IngestReport:
        files, errors, roots = discover(paths)
        docs, failed = load_all(files, errors)
        todo = plan(docs, self.meta, roots, failed, errors)
        max_batch = min(BATCH, int(getattr(self.client, "get_max_batch_size", lambda: BATCH)()))
        for start in range(0, len(todo.add), max_batch):
            batch = todo.add[start:start + max_batch]
            vectors = self.embedder.embed_passages([c.embedding_text() for c in batch])
            # Questions first: a chunk's own row marks it done, so an interrupted ingest redoes both.
            self._add_questions(batch, max_batch)
            self.collection.upsert(ids=[c.id for c in batch], embeddings=vectors.tolist(),
                                   documents=[c.text for c in batch], metadatas=[c.metadata() for c in batch])
            for c in batch:
                self._remember(c.id, c.metadata(), c.text)
            if progress:
                progress(min(start + max_batch, len(todo.add)), len(todo.add))
        for start in range(0, len(todo.delete), 1000):
            ids = todo.delete[start:start + 1000]
            self.question_vectors.delete(where={"of": {"$in": ids}})
            self.collection.delete(ids=ids)
            for cid in ids:
                self._forget(cid)
        return todo.report

    def _add_questions(self, chunks: list[Chunk], max_batch: int) -> None:
        rows = [(f"{c.id}~{i}", q, {"of": c.id, "lang": c.lang, "topic": c.topic})
                for c in chunks for i, q in enumerate(c.questions)]
        for start in range(0, len(rows), max_batch):
            part = rows[start:start + max_batch]
            vectors = self.embedder.embed_queries([text for _, text, _ in part])
            self.question_vectors.upsert(ids=[r[0] for r in part], embeddings=vectors.tolist(),
                                         documents=[r[1] for r in part], metadatas=[r[2] for r in part])

    # -- retrieval -----------------------------------------------------------------------------
    def embed_query(self, text: str) -> np.ndarray:
        return self.embedder.embed_queries([text])[0]

    def search(self, query: str, k: int = 5, *, lang: str | None = None, topic: str | None = None,
               only_lang: bool = False, query_vector: np.ndarray | None = None,
               mode: str = "hybrid") -> list[Hit]:
        """Top-k hits. `lang` is preferred (translations swapped in), or a hard filter with `only_lang`."""
        if not query.strip() or not self.meta:
            return []
        filters = {key: value for key, value in (("topic", topic), ("lang", lang if only_lang else None)) if value}
        rankings: dict[str, list[str]] = {}
        if mode in ("hybrid", "vector"):
            vector = query_vector if query_vector is not None else self.embed_query(query)
            where: Any = None
            if len(filters) == 1:
                where = filters
            elif filters:
                where = {"$and": [{key: value} for key, value in filters.items()]}
            vec = [np.asarray(vector).tolist()]
            res = self.collection.query(query_embeddings=vec, where=where,
                                        n_results=min(retrieval.CANDIDATES, len(self.meta)), include=[])
            rankings["vector"] = list(res["ids"][0])
            if self.question_rows:
                res = self.question_vectors.query(
                    query_embeddings=vec, where=where, include=["metadatas", "distances"],
                    n_results=min(retrieval.QUESTION_CANDIDATES, self.question_rows))
                rows = [(str(m["of"]), 1.0 - float(d)) for m, d in zip(res["metadatas"][0], res["distances"][0],
                                                                         strict=True) if m and m.get("of") in self.meta]
                rankings["questions"] = vote(rows, self.meta)
        if mode in ("hybrid", "bm25"):
            def allow(cid: str) -> bool:
                return all(self.meta[cid].get(key) == value for key, value in filters.items())
            rankings["bm25"] = [cid for cid, _ in self.bm25.search(query, retrieval.CANDIDATES, allow=allow)]
        weights = dict(retrieval.WEIGHTS)
        if mode == "hybrid" and rankings["bm25"]:
            weights["bm25"] = retrieval.bm25_weight(self.bm25.coverage(query, rankings["bm25"][0]))
        fused = fuse_groups(rankings, self.meta, weights=weights)
        chosen = choose(fused, self.meta, k, lang, self._variants())
        for _, entry in chosen:
            entry["sure"] = retrieval.is_sure({name: entry.get(f"{name}_rank") for name in rankings})
        return [self._hit(cid, entry) for cid, entry in chosen]

    def excerpt(self, hit: Hit, query_vector: np.ndarray) -> Excerpt:
        """The sentences of `hit` that answer the query, or all of it for a question about its whole subject."""
        return self.excerpter(hit, query_vector)

    def card(self, card: str, lang: str | None = None) -> Hit | None:
        """A card by its id (its `card` group or doc id), in `lang` if it exists, else English, else any."""
        variants = self._variants()
        for candidate in (lang, retrieval.FALLBACK_LANG):
            cid = variants.get((card, candidate or ""))
            if cid:
                return self._hit(cid, {"score": 1.0})
        first = next((cid for cid, m in self.meta.items() if card in (m.get("card"), m.get("doc_id"))
                      and int(m.get("part", 0)) == 0), None)
        return self._hit(first, {"score": 1.0}) if first else None

    def _variants(self) -> dict[tuple[str, str], str]:
        """(answer group, language) -> chunk id of that translation (its first part)."""
        if self._variants_cache is None:
            variants: dict[tuple[str, str], str] = {}
            for cid, m in sorted(self.meta.items(), key=lambda kv: int(kv[1].get("part", 0)), reverse=True):
                if m.get("card") and m.get("card") != m.get("doc_id"):
                    variants[(group_key(m), str(m["lang"]))] = cid
            self._variants_cache = variants
        return self._variants_cache

    def _hit(self, cid: str, entry: dict[str, Any]) -> Hit:
        m = self.meta[cid]
        return Hit(chunk_id=cid, doc_id=str(m["doc_id"]), card=str(m.get("card") or m["doc_id"]),
                   title=str(m.get("title", "")), heading=str(m.get("heading", "")), url=str(m.get("url", "")),
                   lang=str(m.get("lang", "")), topic=str(m.get("topic", "")), text=self.texts[cid],
                   score=float(entry["score"]), vector_rank=entry.get("vector_rank"),
                   bm25_rank=entry.get("bm25_rank"), question_rank=entry.get("questions_rank"),
                   sure=bool(entry.get("sure")))

    def stats(self) -> KBStats:
        by_lang: dict[str, int] = {}
        by_topic: dict[str, int] = {}
        for m in self.meta.values():
            by_lang[str(m.get("lang"))] = by_lang.get(str(m.get("lang")), 0) + 1
            by_topic[str(m.get("topic"))] = by_topic.get(str(m.get("topic")), 0) + 1
        return KBStats(self.name, self.embedder.name, len(self.meta), len({m["doc_id"] for m in self.meta.values()}),
                       dict(sorted(by_lang.items())), dict(sorted(by_topic.items())), self.question_rows)


def _question_count(meta: dict[str, Any]) -> int:
    questions = str(meta.get("questions") or "")
    return len(questions.split("\n")) if questions else 0


def questions_collection(name: str) -> str:
    return f"{name}-questions"


def drop_collection(client: Any, name: str) -> bool:
    """Delete a collection (to re-index, e.g. with another embedder); False if it did not exist."""
    try:
        client.delete_collection(name)
    except Exception:  # chroma raises different types for a missing collection across versions
        return False
    return True
