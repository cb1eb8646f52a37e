"""The held-out set runner: case files, the split, scoring through the real chat pipeline, and the CLI's refusal of
a broken file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from evals.generalisation import CASES_DIR, HeldoutError, half, load_cases, select
from evals.generalisation_outcome import Asked, Facts, TurnObs, count_loops, outcome
from evals.generalisation_report import build, markdown
from evals.generalisation_run import HeldoutRunner
from evals.world import World


def write(folder: Path, language: str, cases: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{language}.yaml"
    path.write_text(yaml.safe_dump({"language": language, "cases": cases}, allow_unicode=True), encoding="utf-8")
    return path


TINY = [
    {"id": "en-001", "kind": "message", "setup": {"as": "scenario:in_transit"},
     "say": "where is my order {order}?", "expect": {"intent": "order_status"}},
    {"id": "en-002", "kind": "message", "setup": {"as": "guest"},  # wrong on purpose: must score as a failure
     "say": "hello", "expect": {"intent": "cancel_order"}},
    {"id": "en-003", "kind": "answer", "setup": {"as": "scenario:processing"}, "task": "cancel_order",
     "step": "confirm", "say": "yes", "expect": {"confirm": True}},
    {"id": "en-004", "kind": "flow", "setup": {"as": "scenario:processing"}, "say": "Please cancel order {order}",
     "answers": {"confirm": "yes"}, "expect": {"intent": "cancel_order", "outcome": "cancelled"}},
]


def test_tiny_set_scores_right_and_wrong(world: World, tmp_path: Path) -> None:
    cases = load_cases(write(tmp_path / "cases", "en", TINY).parent)
    results = {r.id: r for r in HeldoutRunner(world).run(cases)}
    assert all(r.error is None for r in results.values()), [r.error for r in results.values()]
    scores = {i: r.score for i, r in results.items()}
    assert scores["en-001"] and scores["en-001"].intent is True and scores["en-001"].leaks == 0
    assert scores["en-002"] and scores["en-002"].intent is False
    parked = results["en-003"].parked
    assert parked is not None and parked.key == ("cancel_order", "confirm")
    assert scores["en-003"] and scores["en-003"].slot is True and scores["en-003"].got["confirm"] is True
    flow = scores["en-004"]
    assert flow and flow.intent is True and flow.outcome is True and flow.got["outcome"] == "cancelled"
    assert [t.asked.key if t.asked else None for t in results["en-004"].turns] == [("cancel_order", "confirm"), None]
    report = build(list(results.values()), {"half": "all"})
    overall = report["metrics"]["overall"]
    assert overall["intent"] == {"ok": 2, "total": 3, "rate": 0.6667}
    assert overall["slot"]["ok"] == 1 and overall["flow"]["ok"] == 1 and overall["errors"] == 0
    assert overall["language"]["ok"] == overall["language"]["total"] == 5 and overall["loops"] == 0
    assert "| **all** | 4 |" in markdown(report)


def test_a_wrong_outcome_and_a_wrong_answer_fail(world: World, tmp_path: Path) -> None:
    wrong = [{**TINY[2], "id": "en-010", "expect": {"confirm": False}},
             {**TINY[3], "id": "en-011", "expect": {"intent": "cancel_order", "outcome": "cancel_refused"}}]
    results = {r.id: r for r in HeldoutRunner(world).run(load_cases(write(tmp_path, "en", wrong).parent))}
    assert results["en-010"].score and results["en-010"].score.slot is False
    assert results["en-011"].score and results["en-011"].score.outcome is False


@pytest.mark.parametrize(("case", "message"), [
    ({**TINY[0], "expct": {"intent": "order_status"}}, "en-001: expct"),
    ({**TINY[0], "setup": {"as": "scenario:nowhere"}}, "en-001: setup"),
    ({**TINY[2], "expect": {"reason": "damaged"}}, "en-003: .*expects exactly"),
    ({**TINY[3], "answers": {"confirm": True}}, "en-004: answers.confirm"),  # YAML's unquoted yes
    ({**TINY[1], "say": "where is {order}?"}, "en-002: .*placeholders"),
    ({**TINY[1], "id": "es-002"}, "es-002: the id must start with en-"),
])
def test_malformed_files_name_file_and_case(tmp_path: Path, case: dict[str, Any], message: str) -> None:
    path = write(tmp_path, "en", [case])
    with pytest.raises(HeldoutError, match=f"{path.name}: case {message}"):
        load_cases(tmp_path)


def test_duplicates_and_unreadable_files(tmp_path: Path) -> None:
    write(tmp_path / "a", "en", [TINY[0], TINY[0]])
    with pytest.raises(HeldoutError, match="duplicate id"):
        load_cases(tmp_path / "a")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "en.yaml").write_text("language: en\ncases: [\n", encoding="utf-8")
    with pytest.raises(HeldoutError, match="en.yaml: cannot read"):
        load_cases(tmp_path / "b")
    write(tmp_path / "c", "de", [TINY[0]]).rename(tmp_path / "c" / "fr.yaml")
    with pytest.raises(HeldoutError, match="does not match the file name"):
        load_cases(tmp_path / "c")


def test_cli_exits_non_zero_on_a_bad_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.cli.main import main

    write(tmp_path, "en", [{**TINY[0], "kind": "chat"}])
    monkeypatch.setattr(sys, "argv", ["portside", "eval", "heldout", "--cases", str(tmp_path)])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 1
    err = " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert "en.yaml" in err and "case en-001: kind" in err


def test_split_is_by_the_id_hash_and_partitions_the_set() -> None:
    assert (half("en-001"), half("en-002"), half("es-001")) == ("test", "dev", "test")  # sha256 first byte odd/even
    cases = load_cases(CASES_DIR)
    dev, test = select(cases, "dev"), select(cases, "test")
    assert len(dev) + len(test) == len(cases) == len(select(cases, "all"))
    assert not {c.case.id for c in dev} & {c.case.id for c in test}
    assert all(c.half == half(c.case.id) for c in cases) and min(len(dev), len(test)) > len(cases) / 3


def turn(intent: str, asked: Asked | None = None, actions: list[dict[str, Any]] | None = None,
         citations: list[str] | None = None) -> TurnObs:
    return TurnObs("…", "…", "en", intent, asked, actions or [], None, citations or [], [], None)


def test_outcome_classification() -> None:
    draft = {"type": "return_draft", "rma_id": "RMA-1", "status": "awaiting_approval", "eligible": True}
    handoff = {"type": "handoff", "handoff_id": "hf_1", "reason": "refund_approval", "priority": "normal"}
    assert outcome([turn("return_request", actions=[draft, handoff])], Facts())[0] == "return_needs_approval"
    offer = Asked("human_agent", "confirm", {"reason": "policy_exception"})
    refused = {"type": "return_draft", "rma_id": None, "eligible": False}
    assert outcome([turn("return_request", offer, [refused])], Facts())[0] == "return_refused"
    # An address change of a shipped order is refused without a record: the policy explains the dropped task.
    address = [turn("change_address", Asked("change_address", "address")), turn("change_address")]
    assert outcome(address, Facts(blocked={"change_address": True}))[0] == "address_refused"
    assert outcome(address, Facts(blocked={"change_address": False}))[0] == "none"
    assert outcome([turn("policy_question", citations=["faq-returns"])], Facts())[0] == "answered"


def test_loops_count_once_per_repeated_question() -> None:
    reason = ("return_request", "reason")
    assert count_loops([reason] * 3, [(reason, "Why?")] * 3) == 1  # the same question, word for word: one loop
    assert count_loops([reason] * 2, [(reason, "Why?")] * 2) == 0
    assert count_loops([], [(None, "Sorry?")] * 3) == 1  # the same reply with no task waiting
