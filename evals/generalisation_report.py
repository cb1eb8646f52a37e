"""Held-out metrics per language and overall, as JSON (with every case's details) and as a markdown table.
Pure functions over the runner's results. A case that failed to run counts as wrong wherever it would be scored."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from evals.generalisation_run import HeldoutResult

COLUMNS = (("intent", "intent"), ("slot", "slot"), ("flow", "flows"), ("loops", "loops"),
           ("unexpected", "unexpected q."), ("language", "language"), ("leaks", "leaks"), ("errors", "errors"))


def _ratio(ok: int, total: int) -> dict[str, Any]:
    return {"ok": ok, "total": total, "rate": round(ok / total, 4) if total else None}


def _scored(r: HeldoutResult) -> tuple[bool | None, bool | None, bool | None]:
    """(intent, slot, outcome) of a case; None where the case is not scored on it."""
    if r.score is not None:
        return r.score.intent, r.score.slot, r.score.outcome
    wants_slot = r.kind == "answer" or (r.kind == "message" and "reason" in r.expect)
    return (False if r.kind != "answer" else None, False if wants_slot else None,
            False if r.kind == "flow" else None)


def metrics(results: Sequence[HeldoutResult]) -> dict[str, Any]:
    scored = [_scored(r) for r in results]

    def rate(i: int) -> dict[str, Any]:
        values = [s[i] for s in scored if s[i] is not None]
        return _ratio(sum(bool(v) for v in values), len(values))

    with_score = [r.score for r in results if r.score is not None]
    return {
        "cases": len(results),
        "intent": rate(0), "slot": rate(1), "flow": rate(2),
        "loops": sum(s.loops for s in with_score),
        "unexpected": sum(len(r.unexpected) for r in results),
        "language": _ratio(sum(s.language_ok for s in with_score), sum(s.language_turns for s in with_score)),
        "leaks": sum(s.leaks for s in with_score),
        "errors": sum(1 for r in results if r.error),
        # Slot failures where the expected reason could not be recorded at all (the policy refused first).
        "reason_hidden": sum(1 for s in with_score if s.reason_hidden and s.slot is False),
    }


def build(results: Sequence[HeldoutResult], meta: dict[str, Any]) -> dict[str, Any]:
    by_language: dict[str, list[HeldoutResult]] = defaultdict(list)
    for r in results:
        by_language[r.language].append(r)
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    for r in results:
        if r.kind == "flow":
            got = r.score.got.get("outcome") if r.score else "(error)"
            outcomes[str(r.expect.get("outcome"))][str(got)] += 1
    return {
        "meta": meta,
        "metrics": {
            "overall": metrics(results),
            "by_language": {lang: metrics(rs) for lang, rs in sorted(by_language.items())},
            "unexpected_by_step": dict(Counter(s for r in results for s in r.unexpected).most_common()),
            "outcomes": {k: dict(v.most_common()) for k, v in sorted(outcomes.items())},
        },
        "cases": [r.as_json() for r in sorted(results, key=lambda r: r.id)],
    }


def _cell(key: str, m: dict[str, Any]) -> str:
    value = m[key]
    if isinstance(value, dict):
        if not value["total"]:
            return "—"
        return f"{value['ok']}/{value['total']} ({value['rate'] * 100:.0f}%)"
    return str(value)


def _table(rows: Iterable[tuple[str, dict[str, Any]]]) -> list[str]:
    lines = ["| language | cases | " + " | ".join(title for _, title in COLUMNS) + " |",
             "|---|---:|" + "---:|" * len(COLUMNS)]
    for name, m in rows:
        lines.append(f"| {name} | {m['cases']} | " + " | ".join(_cell(k, m) for k, _ in COLUMNS) + " |")
    return lines


def markdown(report: dict[str, Any], title: str = "Held-out understanding set") -> str:
    m = report["metrics"]
    meta = report["meta"]
    lines = [f"# {title}", ""]
    lines.append(f"Half: **{meta.get('half')}**; languages: {', '.join(meta.get('languages') or ['all'])}; "
                 f"engine: {meta.get('engine', 'offline')}; {meta.get('started', '')}, "
                 f"{meta.get('duration_s', 0):.0f} s.")
    lines.append("")
    lines += _table([*m["by_language"].items(), ("**all**", m["overall"])])
    o = m["overall"]
    lines += ["", "intent: message cases and the first turn of flows. slot: a message's expected reason and "
                  "every answer case (reason, items as SKUs, yes/no). flows: final outcome as expected. loops: "
                  "the same question or the same reply 3+ times in a case. unexpected q.: a flow asked for "
                  "something the case has no answer for (it stops there). language: replies in the case's "
                  "language (all turns).", ""]
    if o["reason_hidden"]:
        lines.append(f"{o['reason_hidden']} slot failure(s) expected a reason the product could not record: the "
                     "policy refused the return first, and a refused return keeps no reason.")
        lines.append("")
    if m["unexpected_by_step"]:
        lines.append("Unexpected questions by task/step: " + ", ".join(f"{k} {v}" for k, v in
                                                                        m["unexpected_by_step"].items()) + ".")
        lines.append("")
    if m["outcomes"]:
        lines += ["| expected outcome | got |", "|---|---|"]
        for expected, got in m["outcomes"].items():
            lines.append(f"| {expected} | " + ", ".join(f"{k} {v}" for k, v in got.items()) + " |")
        lines.append("")
    return "\n".join(lines)
