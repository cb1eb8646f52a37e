"""Scoring held-out cases. Pure functions: what was observed turn by turn (read from the persisted session, the
action records and the handoffs, never from reply text) → what the assistant understood and decided."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from evals.generalisation import HeldoutCase

REFUSED = {"return_request": "return_refused", "exchange_request": "exchange_refused",
           "cancel_order": "cancel_refused", "change_address": "address_refused"}
REFUSAL_RECORDS = {"return_draft": "return_refused", "exchange_draft": "exchange_refused",
                   "cancel_order": "cancel_refused", "change_address": "address_refused"}
REASON_TASKS = ("return_request", "exchange_request")
LOOP_AT = 3  # the same question (or the same reply) this many times in one case is a loop


@dataclass(frozen=True)
class Asked:
    """What the assistant waits for after a turn: the session state's pending task."""

    intent: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return self.intent, self.step


@dataclass
class TurnObs:
    say: str
    reply: str
    language: str
    intent: str
    asked: Asked | None
    actions: list[dict[str, Any]]
    handoff: dict[str, Any] | None
    citations: list[str]
    leaks: list[str]
    reason: str | None  # the return/exchange reason held after this turn (state, return rows, handoff packet)
    held: bool = False  # a person holds the conversation: the assistant stays quiet from here
    error: str | None = None


@dataclass(frozen=True)
class Facts:
    """The policy's verdict on the order a task was about, for refusals the product records nowhere (an address
    change of a shipped order, a return of an undelivered one: the handler drops the task and only says so)."""

    blocked: dict[str, bool] = field(default_factory=dict)  # task intent → the policy forbids it for that order
    expected_reason_refused: bool = False  # a return for the expected reason is refused too: it is never recorded


@dataclass
class CaseScore:
    intent: bool | None  # message cases and a flow's first turn
    slot: bool | None  # a message's expected reason, an answer's reason / items / yes-no
    outcome: bool | None  # flows
    got: dict[str, Any]
    loops: int
    language_ok: int
    language_turns: int
    leaks: int
    reason_hidden: bool = False  # the expected reason could not be recorded: the policy refused the return first


def commit_of(action: dict[str, Any]) -> str | None:
    """The outcome an action record commits, if it is a commit."""
    kind = action.get("type")
    if kind == "return_draft" and action.get("rma_id"):
        return "return_needs_approval" if action.get("status") == "awaiting_approval" else "return_created"
    if kind == "exchange_draft" and action.get("rma_id"):
        return "exchange_created"
    if kind in ("cancel_order", "change_address") and action.get("done"):
        return "cancelled" if kind == "cancel_order" else "address_changed"
    return None


def refusal_of(action: dict[str, Any]) -> str | None:
    """The refusal a record shows: an ineligible draft, or a cancellation / address change not done."""
    kind = str(action.get("type"))
    if kind in ("return_draft", "exchange_draft") and action.get("eligible") is False and not action.get("rma_id"):
        return REFUSAL_RECORDS[kind]
    if kind in ("cancel_order", "change_address") and action.get("done") is False:
        return REFUSAL_RECORDS[kind]
    return None


def task_of(turns: Sequence[TurnObs]) -> str | None:
    """The task the case was about: the last task the assistant asked for, else the first reply's intent."""
    for t in reversed(turns):
        if t.asked is not None and t.asked.intent in REFUSED:
            return t.asked.intent
    first = turns[0].intent if turns else None
    return first if first in REFUSED else None


def outcome(turns: Sequence[TurnObs], facts: Facts) -> tuple[str, str]:
    """(outcome, evidence). Commits win over everything (a return awaiting approval also opens a handoff), then
    recorded refusals, then a person offered after an ineligible decision, then a handoff, then a refusal the
    policy explains though nothing records it, then a help-centre answer."""
    actions = [a for t in turns for a in t.actions]
    commits = [c for c in map(commit_of, actions) if c]
    if commits:
        return commits[-1], "record"
    refusals = [r for r in map(refusal_of, actions) if r]
    if refusals:
        return refusals[-1], "record"
    task = task_of(turns)
    last = turns[-1].asked if turns else None
    if last is not None and last.intent == "human_agent" and last.data.get("reason") == "policy_exception" and task:
        return REFUSED[task], "person offered after an ineligible decision"
    if any(t.handoff for t in turns) or any(a.get("type") == "handoff" for a in actions):
        return "handoff", "record"
    reached_confirm = any(t.asked is not None and t.asked.key == (task, "confirm") for t in turns)
    if (task and last is None and facts.blocked.get(task) and not reached_confirm
            and any(t.intent == task for t in turns)):
        return REFUSED[task], "inferred: the task ended unrecorded and the policy forbids it for this order"
    if last is None and any(t.citations for t in turns):
        return "answered", "citation"
    return "none", "nothing done" if last is None else f"stopped at {last.intent}/{last.step}"


def chosen_items(turn: TurnObs) -> list[str] | None:
    """SKUs the assistant took for the task: parked in the state, or in a draft record."""
    asked = turn.asked
    if asked is not None and asked.intent in REASON_TASKS:
        if asked.data.get("skus"):
            return sorted(str(s) for s in asked.data["skus"])
        if asked.data.get("lines"):
            return sorted(str(line[0]) for line in asked.data["lines"])
        if asked.data.get("sku"):
            return [str(asked.data["sku"])]
    for action in reversed(turn.actions):
        if action.get("type") == "return_draft" and action.get("items"):
            return sorted(str(i["sku"]) for i in action["items"])
        if action.get("type") == "exchange_draft" and action.get("sku"):
            return [str(action["sku"])]
    return None


def count_loops(asked: Sequence[tuple[str, str]], replies: Sequence[tuple[tuple[str, str] | None, str]]) -> int:
    """Loops in a case: each question (intent, step) asked LOOP_AT or more times, and each reply text sent LOOP_AT
    or more times that is not just such a question repeated word for word (one loop, not two)."""
    looping = {key for key, n in Counter(asked).items() if n >= LOOP_AT}
    texts = Counter(text for _, text in replies if text.strip())
    extra = {text for text, n in texts.items() if n >= LOOP_AT
             and not all(key in looping for key, t in replies if t == text)}
    return len(looping) + len(extra)


def score(case: HeldoutCase, language: str, turns: Sequence[TurnObs], parked: Asked | None,
          facts: Facts) -> CaseScore:
    e = case.expect
    first, last = turns[0], turns[-1]
    asked = [*([parked.key] if parked else []), *(t.asked.key for t in turns if t.asked is not None)]
    got: dict[str, Any] = {"intent": first.intent}
    intent_ok = slot_ok = outcome_ok = None
    hidden = False
    if case.kind in ("message", "flow"):
        intent_ok = first.intent == e.intent
    if case.kind == "message" and e.reason is not None:
        got["reason"] = first.reason
        slot_ok = first.reason == e.reason
    elif case.kind == "answer":
        if case.step == "reason":
            got["reason"] = last.reason
            slot_ok = last.reason == e.reason
        elif case.step == "items":
            got["items"] = chosen_items(last)
            slot_ok = got["items"] == sorted(e.items or [])
        else:
            committed = any(commit_of(a) for a in last.actions)
            dropped = last.asked is None or last.asked.intent != case.task
            got["confirm"] = True if committed else (False if dropped else None)
            slot_ok = got["confirm"] == e.confirm
    if case.kind == "flow":
        got["reason"] = next((t.reason for t in reversed(turns) if t.reason), None)
        got["outcome"], got["evidence"] = outcome(turns, facts)
        outcome_ok = got["outcome"] == e.outcome
    if e.reason is not None and got.get("reason") is None:
        hidden = facts.expected_reason_refused
    return CaseScore(
        intent=intent_ok, slot=slot_ok, outcome=outcome_ok, got=got,
        loops=count_loops(asked, [(t.asked.key if t.asked else None, t.reply) for t in turns]),
        language_ok=sum(t.language == language for t in turns), language_turns=len(turns),
        leaks=sum(len(t.leaks) for t in turns), reason_hidden=hidden)
