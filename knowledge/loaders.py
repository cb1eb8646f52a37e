"""Load Markdown (front matter), HTML, plain text and PDF files as Documents. One loader per suffix."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from knowledge.documents import Document

Loader = Callable[[Path], Document]
LOADERS: dict[str, Loader] = {}
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


class LoadError(Exception):
    """A file that cannot become a document (unreadable, bad encoding, empty); reported and skipped."""


def loader(*suffixes: str) -> Callable[[Loader], Loader]:
    def deco(fn: Loader) -> Loader:
        for suffix in suffixes:
            LOADERS[suffix] = fn
        return fn
    return deco


def supported(path: Path) -> bool:
    return path.suffix.lower() in LOADERS


def load(path: Path) -> Document:
    try:
        fn = LOADERS[path.suffix.lower()]
    except KeyError:
        raise LoadError(f"unsupported file type {path.suffix!r}") from None
    doc = fn(path)
    if not doc.text.strip():
        raise LoadError("no text in file")
    return doc


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror or exc}") from None
    if not raw.strip():
        raise LoadError("empty file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(f"not valid UTF-8 (byte {exc.start})") from None


def _make(path: Path, text: str, meta: dict[str, Any], title_guess: str) -> Document:
    doc_id = str(meta.get("doc_id") or path.stem)
    lang = str(meta.get("lang") or "en").lower()
    known = {"doc_id", "title", "lang", "topic", "url", "card", "questions"}
    return Document(
        doc_id=doc_id, title=str(meta.get("title") or title_guess or doc_id), lang=lang,
        topic=str(meta.get("topic") or "general"), text=text, url=str(meta.get("url") or ""),
        source=str(path.resolve()), card=str(meta.get("card") or ""), questions=_questions(meta.get("questions")),
        extra={k: v for k, v in meta.items() if k not in known},
    )


def _questions(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(q, str) for q in value):
        raise LoadError("front matter 'questions' must be a list of strings")
    return tuple(" ".join(q.split()) for q in value if q.strip())  # one line each: stored newline-joined


def _first_heading(text: str) -> str:
    match = re.search(r"^#{1,6}\s+(.+)$", text, re.M)
    return match.group(1).strip() if match else ""


@loader(".md", ".markdown")
def load_markdown(path: Path) -> Document:
    text = _read_text(path)
    meta: dict[str, Any] = {}
    match = FRONT_MATTER.match(text)
    if match:
        try:
            parsed = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError as exc:
            raise LoadError(f"bad front matter: {exc}") from None
        if not isinstance(parsed, dict):
            raise LoadError("front matter must be a mapping")
        meta, text = parsed, text[match.end():]
    return _make(path, text, meta, _first_heading(text))


@loader(".txt")
def load_text(path: Path) -> Document:
    text = _read_text(path)
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return _make(path, text, {}, first[:120])


@loader(".html", ".htm")
def load_html(path: Path) -> Document:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_read_text(path), "html.parser")
    for tag in soup(["script", "style", "nav", "footer", "header", "noscript"]):
        tag.decompose()
    meta: dict[str, Any] = {}
    for m in soup.find_all("meta"):
        name = str(m.get("name") or m.get("property") or "").removeprefix("portside:")
        if name in {"doc_id", "lang", "topic", "url", "card"} and m.get("content"):
            meta[name] = m.get("content")
    html_tag = soup.find("html")
    if "lang" not in meta and html_tag is not None and html_tag.get("lang"):
        meta["lang"] = str(html_tag.get("lang")).split("-")[0]
    title = soup.title.get_text(strip=True) if soup.title else ""
    lines: list[str] = []
    body = soup.body or soup
    for el in body.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "th", "pre", "blockquote"]):
        text = " ".join(el.get_text(" ", strip=True).split())
        if not text or el.find_parent(["li", "td", "th"]) is not None and el.name == "p":
            continue
        if el.name and el.name[0] == "h" and el.name[1:].isdigit():
            lines += ["", "#" * int(el.name[1]) + " " + text, ""]
        else:
            lines.append(("- " if el.name == "li" else "") + text)
    text = "\n".join(lines).strip()
    return _make(path, text, meta, title or _first_heading(text))


@loader(".pdf")
def load_pdf(path: Path) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
        info = reader.metadata
        title = str(info.get("/Title") or "") if info else ""
    except (PdfReadError, OSError, ValueError, KeyError, TypeError) as exc:
        raise LoadError(f"unreadable PDF: {exc}") from None
    text = "\n\n".join(p for p in pages if p)
    return _make(path, text, {}, title or path.stem.replace("-", " ").replace("_", " "))
