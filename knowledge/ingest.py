"""Incremental ingestion: unchanged chunks are skipped, changed ones replaced, deleted documents removed."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.chunking import chunk_document
from knowledge.documents import Chunk, Document
from knowledge.loaders import LoadError, load, supported


@dataclass
class IngestReport:
    documents: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)


@dataclass(frozen=True)
class IngestPlan:
    add: list[Chunk]
    delete: list[str]
    report: IngestReport


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]], list[Path]]:
    """Files to load, errors for paths that don't exist, and the roots that define 'deleted' documents."""
    files: list[Path] = []
    errors: list[tuple[str, str]] = []
    roots: list[Path] = []
    for path in paths:
        if path.is_dir():
            roots.append(path.resolve())
            files += sorted(p for p in path.rglob("*") if p.is_file() and supported(p))
        elif path.is_file():
            roots.append(path.resolve())
            files.append(path)
        else:
            errors.append((str(path), "no such file or folder"))
    return files, errors, roots


def load_all(files: Sequence[Path], errors: list[tuple[str, str]]) -> tuple[list[Document], set[str]]:
    docs: list[Document] = []
    failed_sources: set[str] = set()
    seen: dict[str, str] = {}
    for path in files:
        try:
            doc = load(path)
        except LoadError as exc:
            errors.append((str(path), str(exc)))
            failed_sources.add(str(path.resolve()))
            continue
        if doc.doc_id in seen:
            errors.append((str(path), f"duplicate doc_id {doc.doc_id!r} (also in {seen[doc.doc_id]})"))
            continue
        seen[doc.doc_id] = str(path)
        docs.append(doc)
    return docs, failed_sources


def plan(docs: Sequence[Document], existing: dict[str, dict[str, str | int]], roots: Sequence[Path],
         failed_sources: set[str], errors: list[tuple[str, str]],
         chunker: Callable[[Document], list[Chunk]] = chunk_document) -> IngestPlan:
    """Pure diff between what the files say now and what the collection holds (id -> metadata)."""
    new_chunks = {c.id: c for doc in docs for c in chunker(doc)}
    doc_ids = {d.doc_id for d in docs}

    def in_scope(meta: dict[str, str | int]) -> bool:
        if meta.get("doc_id") in doc_ids:
            return True
        source = str(meta.get("source", ""))
        if not source or source in failed_sources:
            return False  # a file that failed to load keeps its old chunks
        return any(source == str(root) or source.startswith(str(root) + "/") for root in roots)

    stale = [cid for cid, meta in existing.items() if in_scope(meta) and cid not in new_chunks]
    add = [c for cid, c in new_chunks.items() if cid not in existing]
    stale_keys = {existing[cid].get("section_key") for cid in stale}
    updated = sum(1 for c in add if c.section_key in stale_keys)
    add_keys = {c.section_key for c in add}
    report = IngestReport(
        documents=len(docs), added=len(add) - updated, updated=updated,
        removed=sum(1 for cid in stale if existing[cid].get("section_key") not in add_keys),
        unchanged=len(new_chunks) - len(add), errors=errors,
    )
    return IngestPlan(add=add, delete=stale, report=report)
