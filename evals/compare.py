"""Compare two eval JSON reports case by case."""

from __future__ import annotations

from typing import Any

KEY_METRICS = ("pass_rate", "intent_accuracy", "language_match", "groundedness", "citation_hit",
               "escalation_precision", "escalation_recall", "containment", "leaks", "latency_p50_ms",
               "latency_p95_ms")


def compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    before = {c["id"]: c for c in a["cases"]}
    after = {c["id"]: c for c in b["cases"]}
    fixed = sorted(i for i in before.keys() & after.keys() if not before[i]["passed"] and after[i]["passed"])
    broken = sorted(i for i in before.keys() & after.keys() if before[i]["passed"] and not after[i]["passed"])
    metrics = {m: (a["metrics"].get(m), b["metrics"].get(m)) for m in KEY_METRICS}
    return {"fixed": fixed, "broken": broken, "added": sorted(after.keys() - before.keys()),
            "removed": sorted(before.keys() - after.keys()), "metrics": metrics}
