"""CI gate: the built-in suites with the offline engine must stay at or above evals/thresholds.yaml.

Thresholds start at the measured level and only go up (see the README)."""

from __future__ import annotations

from pathlib import Path

import yaml

from evals.metrics import compute
from evals.runner import Runner, load_suites
from evals.world import World

THRESHOLDS = yaml.safe_load((Path(__file__).parents[2] / "evals" / "thresholds.yaml").read_text(encoding="utf-8"))


def test_built_in_suites_meet_the_thresholds(world: World) -> None:
    results = Runner(world).run(load_suites())
    m = compute(results)
    failures = sorted(r.id for r in results if not r.passed)
    print(f"\neval gate: {m['passed']}/{m['cases']} passed; failing: {', '.join(failures)}")
    assert m["errors"] == 0, [r.error for r in results if r.error][:3]
    assert m["leaks"] <= THRESHOLDS["max_leaks"]
    assert m["pass_rate"] >= THRESHOLDS["pass_rate"], (m["pass_rate"], failures)
    for suite, minimum in THRESHOLDS["suites"].items():
        assert m["by_suite"][suite]["pass_rate"] >= minimum, (suite, m["by_suite"][suite])
    for key in ("intent_accuracy", "language_match", "citation_hit", "escalation_recall"):
        assert m[key] is not None and m[key] >= THRESHOLDS[key], (key, m[key])
