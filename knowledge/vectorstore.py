"""Chroma access: embedded PersistentClient by default, HttpClient when a server URL is given.

A collection records which embedder filled it; opening it with another embedder is refused, because vectors of
different models (or dimensions) cannot be compared.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
from chromadb.config import Settings as ChromaSettings

from knowledge.embedders import AsChroma, Embedder


class EmbedderMismatch(RuntimeError):
    pass


def make_client(path: Path | None = None, url: str | None = None) -> Any:
    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if url:
        parsed = urlparse(url if "://" in url else f"http://{url}")
        return chromadb.HttpClient(host=parsed.hostname or "127.0.0.1", port=parsed.port or 8000,
                                   ssl=parsed.scheme == "https", settings=settings)
    if path is None:
        return chromadb.EphemeralClient(settings=settings)
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


def open_collection(client: Any, name: str, embedder: Embedder, *, create: bool = True) -> Any:
    """Get (or create) a collection and check it was built with this embedder."""
    function = AsChroma(embedder)
    existing = {c.name if hasattr(c, "name") else str(c) for c in client.list_collections()}
    if name in existing:
        collection = client.get_collection(name, embedding_function=function)
        meta = collection.metadata or {}
        built_with = meta.get("embedder")
        if built_with and built_with != embedder.name:
            raise EmbedderMismatch(
                f"collection {name!r} was indexed with embedder {built_with!r} ({meta.get('dim')}-dim); the "
                f"current embedder is {embedder.name!r} ({embedder.dim}-dim). Re-index it with "
                f"`portside kb ingest PATH --collection {name} --reindex`, or use another --collection."
            )
        return collection
    if not create:
        raise KeyError(name)
    return client.create_collection(
        name, embedding_function=function,
        metadata={"embedder": embedder.name, "dim": embedder.dim, "hnsw:space": "cosine"},
    )
