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

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]

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
        }

    def embedding_text(self) -> str:
        """What gets embedded: title and headings give a short section its subject."""
        head = " > ".join(h for h in (self.title, *self.heading_path[1:]) if h)
        return f"{head}\n{self.text}" if head else self.text
