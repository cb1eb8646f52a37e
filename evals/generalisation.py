"""The blind held-out understanding set (evals/heldout): the case files' format, loading, and the dev/test split.

The cases were written without seeing the lexicons, intent examples or suites, so they measure understanding
beyond what the assistant was tuned on. Running them is evals.generalisation_run; scoring is
evals.generalisation_outcome; the tables are evals.generalisation_report.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, model_validator

from assistant.nlu.lexicon import LANGUAGES
from connectors.demo import SCENARIOS

CASES_DIR = Path(__file__).parent / "heldout" / "cases"

Half = Literal["dev", "test"]
Kind = Literal["message", "answer", "flow"]
Intent = Literal["order_status", "return_request", "exchange_request", "refund_status", "cancel_order",
                 "change_address", "policy_question", "payment_issue", "human_agent", "greeting", "other"]
Reason = Literal["damaged", "defective", "wrong_item", "changed_mind", "wrong_size", "not_as_described", "late"]
Outcome = Literal["return_created", "return_needs_approval", "return_refused", "exchange_created", "exchange_refused",
                  "cancelled", "cancel_refused", "address_changed", "address_refused", "handoff", "answered"]
Step = Literal["verify", "order", "items", "reason", "variant", "address", "confirm"]
TASKS = ("return_request", "exchange_request", "cancel_order", "change_address")
Task = Literal["return_request", "exchange_request", "cancel_order", "change_address"]
# The steps an `answer` case can be scored at: each has exactly one expectation key of the same name.
SCORED_STEPS = ("reason", "items", "confirm")
SCENARIO_NAMES = tuple(s.name for s in SCENARIOS)
PLACEHOLDER = re.compile(r"\{(order|email|postal|tracking)\}")


class HeldoutError(ValueError):
    """A case file that cannot be run: the message names the file and the case."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _scenario(value: str, field: str) -> str:
    name = value.split(":", 1)[1] if value.startswith("scenario:") else None
    if name not in SCENARIO_NAMES:
        raise ValueError(f"{field} must be 'scenario:<name>' with a demo scenario ({', '.join(SCENARIO_NAMES)}); "
                         f"got {value!r}")
    return value


class CaseSetup(_Strict):
    as_: str = Field(alias="as", description="guest, or scenario:<name> (signed in as that order's customer)")
    order: str | None = Field(default=None, description="scenario:<name>: the order a guest's placeholders name")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _known(self) -> CaseSetup:
        if self.as_ != "guest":
            _scenario(self.as_, "setup.as")
        if self.order is not None:
            _scenario(self.order, "setup.order")
        return self

    @property
    def has_order(self) -> bool:
        return self.as_ != "guest" or self.order is not None


class Answers(_Strict):
    """What the shopper says if asked for each thing; a step without an answer is a question they didn't expect."""

    verify: str | None = None
    order: str | None = None
    items: str | None = None
    reason: str | None = None
    variant: str | None = None
    address: str | None = None
    confirm: str | None = None

    def for_step(self, step: str) -> str | None:
        value = getattr(self, step, None)
        return value if isinstance(value, str) else None


class Expect(_Strict):
    intent: Intent | None = None
    reason: Reason | None = None
    outcome: Outcome | None = None
    items: list[str] | None = Field(default=None, min_length=1, description="SKUs")
    confirm: StrictBool | None = None  # YAML's yes/no: true means "something was committed"


class HeldoutCase(_Strict):
    id: str = Field(pattern=r"^[a-z]{2}-\d{3}$")
    kind: Kind
    setup: CaseSetup
    say: str = Field(min_length=1)
    task: Task | None = None
    step: Step | None = None
    answers: Answers | None = None
    expect: Expect

    @model_validator(mode="after")
    def _shape(self) -> HeldoutCase:
        e = self.expect
        if self.kind == "message":
            if self.task or self.step or self.answers:
                raise ValueError("a message case has no task, step or answers")
            if e.intent is None or e.outcome or e.items or e.confirm is not None:
                raise ValueError("a message case expects an intent (and maybe a reason), nothing else")
        elif self.kind == "answer":
            if self.task is None or self.step is None or self.answers:
                raise ValueError("an answer case needs task and step, and has no answers")
            if self.step not in SCORED_STEPS:
                raise ValueError(f"an answer at step {self.step!r} cannot be scored (only {', '.join(SCORED_STEPS)})")
            given = {k for k, v in e.model_dump(exclude_none=True).items()}
            if given != {self.step}:
                raise ValueError(f"an answer case at step {self.step} expects exactly {{{self.step}: …}}, "
                                 f"not {sorted(given)}")
            if self.step == "items" and self.task not in ("return_request", "exchange_request"):
                raise ValueError(f"{self.task} has no items step")
        else:
            if self.task or self.step or self.answers is None:
                raise ValueError("a flow case needs answers, and has no task or step")
            if e.intent is None or e.outcome is None or e.items or e.confirm is not None:
                raise ValueError("a flow case expects an intent and an outcome (and maybe a reason)")
        texts = [self.say, *(self.answers.model_dump(exclude_none=True).values() if self.answers else [])]
        if not self.setup.has_order and any(PLACEHOLDER.search(t) for t in texts):
            raise ValueError("placeholders like {order} need an order: setup.as scenario:<name> or setup.order")
        return self


class CaseFile(_Strict):
    language: str
    cases: list[dict[str, Any]]  # validated one by one, so an error names its case


@dataclass(frozen=True)
class LoadedCase:
    language: str
    case: HeldoutCase
    path: Path

    @property
    def half(self) -> Half:
        return half(self.case.id)


def half(case_id: str) -> Half:
    """test when the first byte of sha256(id) is odd, else dev: fixed by the id alone, so it never drifts."""
    return "test" if hashlib.sha256(case_id.encode("utf-8")).digest()[0] % 2 == 1 else "dev"


def _problems(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in err['loc']) or '(case)'}: {err['msg']}" for err in exc.errors())


def load_file(path: Path) -> list[LoadedCase]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise HeldoutError(f"{path}: cannot read: {exc}") from None
    try:
        doc = CaseFile.model_validate(raw)
    except ValidationError as exc:
        raise HeldoutError(f"{path}: {_problems(exc)}") from None
    if doc.language not in LANGUAGES:
        raise HeldoutError(f"{path}: language must be one of {', '.join(LANGUAGES)}, not {doc.language!r}")
    if path.stem != doc.language:
        raise HeldoutError(f"{path}: language {doc.language!r} does not match the file name")
    out = []
    for n, raw_case in enumerate(doc.cases, 1):
        name = raw_case.get("id", f"#{n}") if isinstance(raw_case, dict) else f"#{n}"
        try:
            case = HeldoutCase.model_validate(raw_case)
        except ValidationError as exc:
            raise HeldoutError(f"{path}: case {name}: {_problems(exc)}") from None
        if not case.id.startswith(f"{doc.language}-"):
            raise HeldoutError(f"{path}: case {case.id}: the id must start with {doc.language}-")
        out.append(LoadedCase(doc.language, case, path))
    return out


def load_cases(folder: Path = CASES_DIR, languages: Sequence[str] = ()) -> list[LoadedCase]:
    """Every case of the set (or of the given languages), checked strictly; ids are unique across files."""
    unknown = sorted(set(languages) - set(LANGUAGES))
    if unknown:
        raise HeldoutError(f"unknown language(s) {', '.join(unknown)}; known: {', '.join(LANGUAGES)}")
    paths = [p for p in sorted(folder.glob("*.yaml")) if not languages or p.stem in languages]
    if not paths:
        raise HeldoutError(f"no case files in {folder}")
    out: list[LoadedCase] = []
    seen: dict[str, Path] = {}
    for path in paths:
        for loaded in load_file(path):
            if loaded.case.id in seen:
                raise HeldoutError(f"{path}: case {loaded.case.id}: duplicate id (also in {seen[loaded.case.id]})")
            seen[loaded.case.id] = path
            out.append(loaded)
    return out


def select(cases: Iterable[LoadedCase], which: Literal["dev", "test", "all"]) -> list[LoadedCase]:
    return [c for c in cases if which == "all" or c.half == which]
