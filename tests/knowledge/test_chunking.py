from __future__ import annotations

from knowledge.chunking import chunk_document
from knowledge.documents import Document


def doc(text: str, doc_id: str = "d1") -> Document:
    return Document(doc_id=doc_id, title="Returns", lang="en", topic="returns", text=text)


TEXT = """# Returns
Intro line.

## Return window
Thirty days.

### Returning electronics
Fifteen days.

```
# not a heading inside code
```

## Refunds
Money back.
"""


def test_sections_keep_their_heading_path() -> None:
    chunks = chunk_document(doc(TEXT))
    assert [c.heading_path for c in chunks] == [
        ("Returns",), ("Returns", "Return window"), ("Returns", "Return window", "Returning electronics"),
        ("Returns", "Refunds"),
    ]
    assert "# not a heading inside code" in chunks[2].text
    assert chunks[1].heading == "Returns > Return window"


def test_size_cap_splits_long_sections_by_paragraph() -> None:
    paras = "\n\n".join(f"Paragraph {i} " + "word " * 60 for i in range(10))
    chunks = chunk_document(doc(f"# Big\n{paras}"), max_chars=700)
    assert len(chunks) > 3
    assert all(len(c.text) <= 700 for c in chunks)
    assert [c.part for c in chunks] == list(range(len(chunks)))
    assert all(c.text.startswith("Paragraph") for c in chunks)


def test_one_huge_line_is_cut_too() -> None:
    chunks = chunk_document(doc("# Big\n" + "x" * 5000), max_chars=1000)
    assert len(chunks) == 5 and all(len(c.text) <= 1000 for c in chunks)


def test_ids_are_stable_and_change_with_content() -> None:
    a = chunk_document(doc(TEXT))
    b = chunk_document(doc(TEXT))
    assert [c.id for c in a] == [c.id for c in b]
    changed = chunk_document(doc(TEXT.replace("Thirty days.", "Forty days.")))
    assert changed[1].id != a[1].id and changed[1].section_key == a[1].section_key
    assert [c.id for i, c in enumerate(changed) if i != 1] == [c.id for i, c in enumerate(a) if i != 1]
    other_doc = chunk_document(doc(TEXT, doc_id="d2"))
    assert not {c.id for c in other_doc} & {c.id for c in a}


def test_metadata_has_citation_fields() -> None:
    meta = chunk_document(doc(TEXT))[0].metadata()
    assert {"doc_id", "title", "lang", "topic", "url", "heading", "card", "section_key"} <= set(meta)
    assert all(v is not None for v in meta.values())
