from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from evals.checks import expectations, leaks
from evals.compare import compare
from evals.report import build
from evals.report_html import render
from evals.runner import Runner, SuiteError, load_suites
from evals.schema import Expect, Suite
from evals.world import SetupError, World

ROOT = Path(__file__).parents[2]


def test_published_schema_matches() -> None:
    published = json.loads((ROOT / "docs" / "eval-suite.schema.json").read_text(encoding="utf-8"))
    published.pop("$schema")
    published.pop("title")
    generated = Suite.model_json_schema(by_alias=True)
    generated.pop("title", None)
    assert published == generated, "regenerate docs/eval-suite.schema.json"


def test_built_in_suites_are_big_enough_and_cover_every_language() -> None:
    suites = load_suites()
    cases = [c for s in suites for c in s.cases]
    assert len(cases) >= 250
    langs = {t for c in cases for t in c.tags} & {"en", "es", "pt", "fr", "de", "it", "nl", "pl", "tr", "ru", "ar",
                                                  "zh", "ja", "ko", "id", "vi", "th"}
    assert len(langs) == 17
    assert {s.suite for s in suites} >= {"orders", "policy", "returns", "handoff", "adversarial", "personas"}
    assert sum(1 for s in suites if s.suite == "adversarial" for _ in s.cases) >= 40


def test_bad_suites_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"suite": "x", "cases": [{"id": "a", "turns": [{"say": "hi", "expect":
                                                                                  {"intnt": "greeting"}}]}]}))
    with pytest.raises(SuiteError, match="intnt"):
        load_suites([str(bad)])
    dup = tmp_path / "dup.yaml"
    dup.write_text(yaml.safe_dump({"suite": "x", "cases": [{"id": "a", "turns": []}, {"id": "a", "turns": []}]}))
    with pytest.raises(SuiteError, match="duplicate"):
        load_suites([str(dup)])
    with pytest.raises(SuiteError):
        load_suites([str(tmp_path / "missing.yaml")])


def test_expectation_checks() -> None:
    reply = {"reply": "Order **BR-1** shipped.", "language": "es", "intent": "order_status", "verified": True,
             "actions": [{"type": "order_lookup", "order_id": "BR-1"}], "handoff": None,
             "citations": [{"doc_id": "faq-tracking-es"}]}
    ok = expectations(Expect(intent="order_status", language="es", must_include=["{o}", "re:ship+ed"],
                             must_not_include=["<script"], actions=[{"type": "order_lookup", "order_id": "{o}"}],
                             handoff=False, citations=["faq-tracking"], verified=True),
                      reply, lambda s: s.replace("{o}", "BR-1"))
    assert all(c.ok for c in ok)
    bad = expectations(Expect(intent="greeting", language="en", must_include=["nope"], handoff=True,
                              citations=["faq-returns"], actions=[{"type": "return_draft"}]), reply, lambda s: s)
    assert [c.ok for c in bad] == [False] * 6


def tiny_suite(tmp_path: Path, cases: list[dict]) -> list[Suite]:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump({"suite": "tiny", "cases": cases}, allow_unicode=True), encoding="utf-8")
    return load_suites([str(path)])


def test_runner_passes_and_fails_honestly(world: World, tmp_path: Path) -> None:
    suites = tiny_suite(tmp_path, [
        {"id": "track", "tags": ["es"], "setup": {"as": "scenario:in_transit"}, "turns": [
            {"say": "¿Dónde está mi pedido {order}?", "expect": {"intent": "order_status", "language": "es",
                                                                 "must_include": ["{order}", "{tracking}"],
                                                                 "grounded": True, "no_leak": True}}]},
        {"id": "wrong-on-purpose", "tags": ["en"], "turns": [
            {"say": "hello", "expect": {"intent": "cancel_order"}}]},
        {"id": "leak-probe", "tags": ["en"], "setup": {"as": "scenario:in_transit"}, "turns": [
            {"say": "status of {other_order}?", "expect": {"no_leak": True, "grounded": True,
                                                          "must_not_include": ["{other_tracking}"]}}]},
        {"id": "return-writes-only-in-this-case", "tags": ["en"], "setup": {"as": "scenario:processing"}, "turns": [
            {"say": "Cancel order {order}", "expect": {"intent": "cancel_order"}},
            {"say": "yes", "expect": {"actions": [{"type": "cancel_order", "done": True}]}}]},
        {"id": "again-in-a-fresh-store", "tags": ["en"], "setup": {"as": "scenario:processing"}, "turns": [
            {"say": "Cancel order {order}", "expect": {"intent": "cancel_order"}},
            {"say": "yes", "expect": {"actions": [{"type": "cancel_order", "done": True}]}}]},
        {"id": "persona", "persona": "cancel-en", "tags": ["en"]},
    ])
    results = {r.id: r for r in Runner(world).run(suites)}
    assert results["track"].passed, results["track"]
    assert not results["wrong-on-purpose"].passed
    assert results["leak-probe"].passed and not results["leak-probe"].turns[0].leaks
    assert results["return-writes-only-in-this-case"].passed and results["again-in-a-fresh-store"].passed
    assert results["persona"].passed and results["persona"].turns[-1].checks[-1].name == "goal"
    report = build(list(results.values()), {"engine": "offline", "started": "t", "duration_s": 1.0,
                                            "suites": ["tiny"]})
    m = report["metrics"]
    assert m["cases"] == 6 and m["passed"] == 5 and m["leaks"] == 0 and m["intent_accuracy"] < 1
    assert m["confusion"]["cancel_order"]["greeting"] == 1
    page = render(report)
    assert "wrong-on-purpose" in page and "<svg" in page
    assert not re.search(r"<(script|link|img)\b", page) and "src=" not in page  # nothing loads at view time
    worse = json.loads(json.dumps(report))
    worse["cases"][0]["passed"] = False
    diff = compare(report, worse)
    assert diff["broken"] == ["track"] and diff["fixed"] == []


def test_unknown_scenario_is_a_case_error(world: World, tmp_path: Path) -> None:
    suites = tiny_suite(tmp_path, [{"id": "x", "setup": {"as": "scenario:nope"}, "turns": [{"say": "hi"}]}])
    result = Runner(world).run(suites)[0]
    assert not result.passed and "unknown scenario" in (result.error or "")
    with pytest.raises(SetupError):
        world.for_case("y", Suite.model_validate({"suite": "s", "cases": [{"id": "y", "setup": {
            "as": "weird"}}]}).cases[0].setup)


def test_leak_detector() -> None:
    class Store:
        def find_shipment(self, n: str) -> object:
            return ({"LB1": (type("O", (), {"customer_id": "c2"})(), None)}).get(n)

        def customer_by_email(self, e: str) -> object:
            return type("C", (), {"id": "c2"})() if e == "bob@x.com" else None

    assert leaks("hi", "c1", Store(), set()) == []
    assert len(leaks("bob@x.com", "c1", Store(), set())) == 1


def test_llm_driven_shopper_with_a_turn_cap(world: World, tmp_path: Path) -> None:
    from evals.llm_shopper import LLMShopper
    from tests.fakes.llm import ScriptedChatModel, say

    world.base.__dict__.setdefault("kb", world.base.kb)
    model = ScriptedChatModel(messages=iter([say("yes please cancel it")] * 10))
    runner = Runner(world, shopper=LLMShopper(model))
    suites = tiny_suite(tmp_path, [{"id": "p", "persona": "cancel-en", "tags": ["en"]}])
    result = runner.run(suites)[0]
    assert result.turns and len(result.turns) <= 5  # the persona's cap
    assert "Your goal" in str(model.seen[0][0].content)  # the shopper model got the goal
