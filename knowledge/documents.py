"""What the KB stores: documents as loaded, and the chunks they are cut into."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Document:
    doc_id: str
    title: str
    lang: str
    topic: str
    text: str  # Markdown-ish: headings as "#" lines
    url: str = ""
    source: str = ""  # resolved path of the file it came from
    card: str = ""  # translation group: the same answer in every language shares it
    # Other ways shoppers ask what this document answers ("questions:" in front matter); matched by both
    # retrievers, and embedded as queries, since they are queries.
    questions: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def group(self) -> str:
        return self.card or self.doc_id


@dataclass(frozen=True)
class Chunk:
    doc_id: str
    title: str
    lang: str
    topic: str
    url: str
    source: str
    card: str
    heading_path: tuple[str, ...]
    part: int  # position when a long section is split by the size cap
    text: str
    questions: tuple[str, ...] = ()  # the document's alternative questions ride on its first chunk

    @property
    def content_hash(self) -> str:
        content = self.text if not self.questions else "\x1e".join((self.text, *self.questions))
        return hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]

    @property
    def section_key(self) -> str:
        """Identity of the place in the document, whatever its content."""
        raw = "\x1f".join((self.doc_id, *self.heading_path, str(self.part)))
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]

    @property
    def id(self) -> str:
        """Stable id: doc id + heading path + content hash. Unchanged text keeps its id across ingests."""
        return f"{self.doc_id}:{self.section_key}:{self.content_hash}"

    @property
    def heading(self) -> str:
        return " > ".join(self.heading_path)

    def metadata(self) -> dict[str, str | int]:
        return {
            "doc_id": self.doc_id, "title": self.title, "lang": self.lang, "topic": self.topic, "url": self.url,
            "source": self.source, "card": self.card or self.doc_id, "heading": self.heading, "part": self.part,
            "section_key": self.section_key, "content_hash": self.content_hash,
            **({"questions": "\n".join(self.questions)} if self.questions else {}),
        }

    def embedding_text(self) -> str:
        """What gets embedded: title and headings give a short section its subject."""
        head = " > ".join(h for h in (self.title, *self.heading_path[1:]) if h)
        return f"{head}\n{self.text}" if head else self.text


def search_text(meta: dict[str, Any], text: str) -> str:
    """What BM25 indexes for a chunk: title, headings, text and the alternative questions."""
    return "\n".join(str(part) for part in (meta.get("title", ""), meta.get("heading", ""), text,
                                            meta.get("questions", "")) if part)
