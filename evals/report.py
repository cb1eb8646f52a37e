"""Build the JSON report from results (the input of the HTML report and of `eval compare`)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from evals.metrics import compute
from evals.runner import CaseResult


def build(results: list[CaseResult], meta: dict[str, Any]) -> dict[str, Any]:
    cases = []
    for r in results:
        data = r.as_json()
        for t, turn in zip(data["turns"], r.turns, strict=True):
            t["checks"] = [asdict(c) for c in turn.checks]
        cases.append(data)
    return {"meta": meta, "metrics": compute(results), "cases": cases}
