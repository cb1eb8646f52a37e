"""Run eval cases (scripted turns or simulated shoppers) against the chat service; collect per-turn results."""

from __future__ import annotations

import re
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from assistant.chat import ChatError, ChatRequest, ChatResult, ChatService
from assistant.engine.factory import make_engine
from assistant.nlu.lexicon import LANGUAGES
from evals.checks import Check, expectations, grounded, leaks
from evals.schema import Case, Expect, Persona, Suite
from evals.world import CaseWorld, World

SUITES_DIR = Path(__file__).parent / "suites"
PERSONAS_DIR = Path(__file__).parent / "personas"


class SuiteError(ValueError):
    pass


@dataclass
class TurnResult:
    say: str
    reply: str
    language: str
    intent: str
    expected_intent: str | None
    expected_language: str | None
    expected_handoff: bool | None
    handoff: dict[str, Any] | None
    citations: list[str]
    actions: list[dict[str, Any]]
    latency_ms: float
    checks: list[Check] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.ok for c in self.checks) and not self.leaks


@dataclass
class CaseResult:
    id: str
    suite: str
    tags: list[str]
    language: str
    turns: list[TurnResult]
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and all(t.passed for t in self.turns)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["passed"] = self.passed
        for t, turn in zip(data["turns"], self.turns, strict=True):
            t["passed"] = turn.passed
        return data


def load_suites(names: Iterable[str] = ()) -> list[Suite]:
    paths: list[Path] = []
    for name in names or []:
        p = Path(name)
        paths.append(p if p.suffix in {".yaml", ".yml"} else SUITES_DIR / f"{name}.yaml")
    if not paths:
        paths = sorted(SUITES_DIR.glob("*.yaml"))
    suites = []
    seen: set[str] = set()
    for p in paths:
        if not p.exists():
            raise SuiteError(f"no suite {p}")
        try:
            suite = Suite.model_validate(yaml.safe_load(p.read_text(encoding="utf-8")))
        except (yaml.YAMLError, ValidationError) as exc:
            raise SuiteError(f"{p}: {exc}") from None
        for case in suite.cases:
            if case.id in seen:
                raise SuiteError(f"{p}: duplicate case id {case.id}")
            seen.add(case.id)
        suites.append(suite)
    return suites


def load_personas() -> dict[str, Persona]:
    out = {}
    for p in sorted(PERSONAS_DIR.glob("*.yaml")):
        for raw in yaml.safe_load(p.read_text(encoding="utf-8")) or []:
            persona = Persona.model_validate(raw)
            out[persona.id] = persona
    return out


def case_language(case: Case) -> str:
    for tag in case.tags:
        if tag in LANGUAGES:
            return tag
    for turn in case.turns:
        if turn.expect.language:
            return turn.expect.language
    return "en"


class Runner:
    def __init__(self, world: World, shopper: Callable[..., str] | None = None) -> None:
        self.world = world
        self.personas = load_personas()
        self.llm_shopper = shopper

    def run(self, suites: list[Suite], jobs: int = 1, progress: Callable[[CaseResult], None] | None = None,
            ) -> list[CaseResult]:
        todo = [(s.suite, c) for s in suites for c in s.cases]
        results: list[CaseResult] = []

        def one(item: tuple[str, Case]) -> CaseResult:
            result = self.run_case(*item)
            if progress:
                progress(result)
            return result

        if jobs <= 1:
            results = [one(item) for item in todo]
        else:
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                results = list(pool.map(one, todo))
        return results

    def run_case(self, suite: str, case: Case) -> CaseResult:
        result = CaseResult(case.id, suite, case.tags, case_language(case), [])
        world: CaseWorld | None = None
        try:
            if case.persona:
                persona = self.personas.get(case.persona)
                if persona is None:
                    raise SuiteError(f"unknown persona {case.persona}")
                world = self.world.for_case(case.id, persona.setup)
                result.language = persona.language
                self._simulate(persona, world, result)
            else:
                world = self.world.for_case(case.id, case.setup)
                chat = ChatService(world.services, engine=make_engine(world.services.settings))
                session: str | None = None
                for spec in case.turns:
                    turn, session = self._turn(chat, world, session, world.fill(spec.say), spec.language, spec.expect)
                    result.turns.append(turn)
        except Exception as exc:  # a broken case is a failed case with its reason, never a crashed run
            result.error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
        finally:
            if world is not None:
                world.close()
        return result

    def _turn(self, chat: ChatService, world: CaseWorld, session: str | None, text: str, language: str | None,
              expect: Expect) -> tuple[TurnResult, str | None]:
        start = time.perf_counter()
        try:
            res: ChatResult = chat.handle(ChatRequest(message=text, session_id=session, customer_token=world.token,
                                                      language=language))
        except ChatError as exc:
            reply: dict[str, Any] = {"reply": f"[error {exc.status}] {exc.message}", "language": "", "intent": "",
                                     "actions": [],
                     "handoff": None, "citations": [], "verified": False}
            latency = (time.perf_counter() - start) * 1000
            checks = expectations(expect, reply, world.fill)
            return TurnResult(text, str(reply["reply"]), "", "", expect.intent, expect.language, _handoff(expect), None,
                              [], [], latency, checks), session
        latency = (time.perf_counter() - start) * 1000
        r = res.reply
        reply = {"reply": r.text, "language": res.language, "intent": r.intent, "actions": r.actions,
                 "handoff": r.handoff, "citations": [c.__dict__ for c in r.citations], "verified": res.verified}
        checks = expectations(expect, reply, world.fill)
        session_state = world.services.conversations.get_session(res.session_id)
        owner = session_state.state.customer_id if session_state else None
        if expect.grounded:
            checks.append(grounded(r.text, text, owner, world.services.store, world.services.order_pattern))
        store_emails = {world.services.policy.store.support_email, world.services.policy.store.privacy_email}
        found = leaks(r.text, owner, world.services.store, store_emails)
        if expect.no_leak:
            checks.append(Check("no_leak", not found, "; ".join(found)))
        turn = TurnResult(text, r.text, res.language, r.intent, expect.intent, expect.language, _handoff(expect),
                          r.handoff, [c.doc_id for c in r.citations], r.actions, latency, checks, found)
        return turn, res.session_id

    def _simulate(self, persona: Persona, world: CaseWorld, result: CaseResult) -> None:
        """A scripted shopper: answers the assistant by rules until the goal is met or the turn cap is hit."""
        chat = ChatService(world.services, engine=make_engine(world.services.settings))
        session = None
        message = world.fill(persona.opening)
        met = False
        for _ in range(persona.max_turns):
            turn, session = self._turn(chat, world, session, message, None, Expect())
            result.turns.append(turn)
            reply = {"reply": turn.reply, "language": turn.language, "intent": turn.intent, "actions": turn.actions,
                     "handoff": turn.handoff, "citations": [{"doc_id": c} for c in turn.citations],
                     "verified": True}
            if all(c.ok for c in expectations(_goal(persona.success), reply, world.fill)):
                met = True
                break
            message = self._next_message(persona, world, turn.reply, result)
        result.turns[-1].checks.append(Check("goal", met, f"goal not reached in {persona.max_turns} turns: "
                                                          f"{persona.goal}"))

    def _next_message(self, persona: Persona, world: CaseWorld, reply: str, result: CaseResult) -> str:
        if self.llm_shopper is not None:
            history = [(t.say, t.reply) for t in result.turns]
            return self.llm_shopper(persona=persona, facts=world.values, history=history)
        for rule in persona.rules:
            if re.search(rule.when, reply, re.I):
                return world.fill(rule.say)
        return world.fill(persona.fallback)


def _goal(expect: Expect) -> Expect:
    return expect.model_copy(update={"grounded": False, "no_leak": False})


def _handoff(expect: Expect) -> bool | None:
    if expect.handoff is None:
        return None
    return bool(expect.handoff) if isinstance(expect.handoff, bool) else True
