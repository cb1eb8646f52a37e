"""Embeddings of fixed phrase lists (intent examples, reason phrases), cached on disk.

Keyed by the embedder and the phrases' content, so a server or test run only embeds them when the lists change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from knowledge.embedders import Embedder


def digest(embedder_name: str, rows: Iterable[tuple[str, ...]]) -> str:
    """A short content key: the embedder and every row's fields, in order."""
    h = hashlib.sha256(embedder_name.encode())
    for row in rows:
        h.update(("\x1f".join(row) + "\x1e").encode())
    return h.hexdigest()[:20]


def cached_query_embeddings(embedder: Embedder, texts: list[str], key: str, cache_dir: Path | None,
                            prefix: str) -> np.ndarray:
    """The texts embedded as queries (they are short, like a shopper's message), from `<prefix>-<key>.npy` when a
    matching file is there; written atomically, so concurrent workers never read half a file."""
    path = cache_dir / f"{prefix}-{key}.npy" if cache_dir else None
    if path is not None and path.exists():
        matrix = np.load(path)
        if matrix.shape == (len(texts), embedder.dim):
            return matrix
    matrix = embedder.embed_queries(texts)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, matrix)
        tmp.replace(path)
        (path.parent / f"{prefix}-{key}.json").write_text(json.dumps({"embedder": embedder.name,
                                                                       "rows": len(texts)}))
    return matrix
