"""Cut a document into sections by heading, with a size cap; each chunk keeps its heading path."""

from __future__ import annotations

import re

from knowledge.documents import Chunk, Document

HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
MAX_CHARS = 1200


def chunk_document(doc: Document, max_chars: int = MAX_CHARS) -> list[Chunk]:
    chunks: list[Chunk] = []
    for path, body in _sections(doc.text):
        for part, piece in enumerate(_split(body, max_chars)):
            chunks.append(Chunk(doc_id=doc.doc_id, title=doc.title, lang=doc.lang, topic=doc.topic, url=doc.url,
                                source=doc.source, card=doc.card, heading_path=path, part=part, text=piece,
                                questions=() if chunks else doc.questions))
    return chunks


def _sections(text: str) -> list[tuple[tuple[str, ...], str]]:
    path: list[tuple[int, str]] = []
    sections: list[tuple[tuple[str, ...], str]] = []
    buf: list[str] = []
    in_code = False

    def flush() -> None:
        body = "\n".join(buf).strip()
        if body:
            sections.append((tuple(h for _, h in path), body))
        buf.clear()

    for line in text.splitlines():
        if line.strip().startswith("```"):
            in_code = not in_code
        match = None if in_code else HEADING.match(line)
        if match:
            flush()
            level = len(match.group(1))
            path = [(lvl, h) for lvl, h in path if lvl < level] + [(level, match.group(2).strip())]
        else:
            buf.append(line)
    flush()
    return sections


def _split(body: str, max_chars: int) -> list[str]:
    """Keep paragraphs whole where possible; a table or list longer than the cap is cut by lines."""
    if len(body) <= max_chars:
        return [body]
    units: list[str] = []
    for para in re.split(r"\n\s*\n", body):
        units += [para] if len(para) <= max_chars else _hard_split(para, max_chars)
    return _pack(units, "\n\n", max_chars)


def _hard_split(text: str, max_chars: int) -> list[str]:
    lines: list[str] = []
    for line in text.splitlines():
        while len(line) > max_chars:  # one enormous line (a PDF page without breaks)
            cut = line.rfind(" ", 0, max_chars)
            cut = cut if cut > max_chars // 2 else max_chars
            lines.append(line[:cut])
            line = line[cut:].lstrip()
        lines.append(line)
    return _pack(lines, "\n", max_chars)


def _pack(units: list[str], joiner: str, max_chars: int) -> list[str]:
    """Join consecutive units while the result stays within max_chars."""
    out: list[str] = []
    current = ""
    for unit in units:
        if current and len(current) + len(unit) + len(joiner) > max_chars:
            out.append(current)
            current = unit
        else:
            current = f"{current}{joiner}{unit}" if current else unit
    if current:
        out.append(current)
    return out
