"""Aggregate metrics over case results."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from evals.runner import CaseResult


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _rate(ok: int, total: int) -> float | None:
    return round(ok / total, 4) if total else None


def compute(results: list[CaseResult]) -> dict[str, Any]:
    turns = [t for r in results for t in r.turns]
    by: dict[str, dict[str, list[bool]]] = {"suite": defaultdict(list), "language": defaultdict(list),
                                            "intent": defaultdict(list)}
    for r in results:
        by["suite"][r.suite].append(r.passed)
        by["language"][r.language].append(r.passed)
    confusion: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    intent_ok = intent_total = 0
    for t in turns:
        if t.expected_intent:
            confusion[t.expected_intent][t.intent or "(error)"] += 1
            intent_total += 1
            intent_ok += t.intent == t.expected_intent
            by["intent"][t.expected_intent].append(t.passed)

    def check_rate(name: str) -> float | None:
        checks = [c for t in turns for c in t.checks if c.name == name]
        return _rate(sum(c.ok for c in checks), len(checks))

    tp = sum(1 for t in turns if t.expected_handoff is True and t.handoff)
    fp = sum(1 for t in turns if t.expected_handoff is False and t.handoff)
    fn = sum(1 for t in turns if t.expected_handoff is True and not t.handoff)
    latencies = [t.latency_ms for t in turns]
    return {
        "cases": len(results), "passed": sum(r.passed for r in results),
        "pass_rate": _rate(sum(r.passed for r in results), len(results)) or 0.0,
        "errors": sum(1 for r in results if r.error),
        "intent_accuracy": _rate(intent_ok, intent_total),
        "language_match": check_rate("language"),
        "groundedness": check_rate("grounded"),
        "citation_hit": check_rate("citations"),
        "escalation_precision": _rate(tp, tp + fp), "escalation_recall": _rate(tp, tp + fn),
        "containment": _rate(sum(1 for r in results if not any(t.handoff for t in r.turns)), len(results)),
        "leaks": sum(len(t.leaks) for t in turns),
        "latency_p50_ms": round(_pct(latencies, 50), 1), "latency_p95_ms": round(_pct(latencies, 95), 1),
        "by_suite": {k: {"cases": len(v), "pass_rate": _rate(sum(v), len(v))}
                     for k, v in sorted(by["suite"].items())},
        "by_language": {k: {"cases": len(v), "pass_rate": _rate(sum(v), len(v))}
                        for k, v in sorted(by["language"].items())},
        "by_intent": {k: {"turns": len(v), "pass_rate": _rate(sum(v), len(v))}
                      for k, v in sorted(by["intent"].items())},
        "confusion": {k: dict(v) for k, v in sorted(confusion.items())},
        "latencies_ms": [round(x, 1) for x in latencies],
    }
