from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from knowledge.loaders import LoadError, load


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def make_pdf(path: Path, lines: list[str]) -> Path:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.set_title("Warranty terms")
    for line in lines:
        pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def test_markdown_front_matter(tmp_path: Path) -> None:
    d = load(write(tmp_path / "r.md", "---\ndoc_id: returns\ntitle: Returns\nlang: es\ntopic: returns\n"
                                      "url: https://x.example/r\ncard: faq-r\nowner: ops\n---\n# Devoluciones\nTexto"))
    assert (d.doc_id, d.title, d.lang, d.topic, d.url, d.card) == ("returns", "Returns", "es", "returns",
                                                                    "https://x.example/r", "faq-r")
    assert d.extra == {"owner": "ops"} and d.text.startswith("# Devoluciones")
    assert d.source == str((tmp_path / "r.md").resolve())


def test_markdown_without_front_matter_uses_file_name_and_heading(tmp_path: Path) -> None:
    d = load(write(tmp_path / "shipping-times.md", "# Shipping times\nFast."))
    assert d.doc_id == "shipping-times" and d.title == "Shipping times" and d.lang == "en"


def test_html_headings_and_meta(tmp_path: Path) -> None:
    html = """<html lang="pt-BR"><head><title>Trocas</title><meta name="doc_id" content="trocas">
    <meta name="topic" content="returns"><style>h1{color:red}</style></head><body><nav>Menu</nav>
    <h1>Trocas</h1><p>Você pode trocar.</p><h2>Prazo</h2><ul><li>30 dias</li><li>15 dias eletrônicos</li></ul>
    <script>alert(1)</script></body></html>"""
    d = load(write(tmp_path / "t.html", html))
    assert (d.doc_id, d.lang, d.topic, d.title) == ("trocas", "pt", "returns", "Trocas")
    assert "# Trocas" in d.text and "## Prazo" in d.text and "- 30 dias" in d.text
    assert "alert" not in d.text and "Menu" not in d.text and "color" not in d.text


def test_plain_text(tmp_path: Path) -> None:
    d = load(write(tmp_path / "cod.txt", "Cash on delivery\n\nPay the courier."))
    assert d.title == "Cash on delivery" and "courier" in d.text


def test_pdf(tmp_path: Path) -> None:
    d = load(make_pdf(tmp_path / "warranty.pdf", ["Warranty: 12 months on electronics.", "EU: 24 months."]))
    assert d.title == "Warranty terms" and "12 months" in d.text and "24 months" in d.text


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", "", "empty file"),
        ("blank.txt", "  \n\n ", "empty file"),
        ("latin1.txt", "Devolu\xe7\xe3o em 30 dias".encode("latin-1"), "not valid UTF-8"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "unreadable PDF"),
        ("bad-front.md", "---\ntitle: [unclosed\n---\n# x\ny", "bad front matter"),
        ("only-front.md", "---\ntitle: t\n---\n", "no text"),
        ("table.csv", "a,b", "unsupported file type"),
    ],
)
def test_bad_files_raise_a_clear_error(tmp_path: Path, name: str, content: str | bytes, reason: str) -> None:
    with pytest.raises(LoadError, match=reason):
        load(write(tmp_path / name, content))
