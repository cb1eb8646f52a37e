"""Run held-out cases through the real chat pipeline, in-process: one fresh eval world (database copy) per case,
ChatService.handle for every shopper message, and after each turn the persisted session read back to see what the
assistant now waits for and which return reason it holds."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.chat import ChatError, ChatRequest, ChatService
from assistant.engine.factory import make_engine
from assistant.policy import rules
from assistant.runtime import Services
from assistant.storage.conversations import Session
from evals.checks import leaks
from evals.generalisation import LoadedCase
from evals.generalisation_outcome import REASON_TASKS, Asked, CaseScore, Facts, TurnObs, score
from evals.generalisation_park import park
from evals.schema import Setup
from evals.world import CaseWorld, World

MAX_FOLLOW_UPS = 8  # a flow's answers after its first message


@dataclass
class HeldoutResult:
    id: str
    language: str
    kind: str
    half: str
    expect: dict[str, Any]
    turns: list[TurnObs] = field(default_factory=list)
    parked: Asked | None = None  # answer cases: the question the conversation was put at
    unexpected: list[str] = field(default_factory=list)  # steps asked that the case has no answer for
    score: CaseScore | None = None
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def held_reason(services: Services, session: Session) -> str | None:
    """The return/exchange reason the assistant holds: in the pending task (or the task kept for an offered
    person), in a return or exchange this conversation created, or in its handoff packet."""
    pending = session.state.pending
    if pending is not None:
        if pending.intent in REASON_TASKS and pending.data.get("reason"):
            return str(pending.data["reason"])
        kept = pending.data.get("task")
        if isinstance(kept, dict) and kept.get("intent") in REASON_TASKS and kept.get("reason"):
            return str(kept["reason"])
    if session.state.customer_id:
        for row in services.returns.for_customer(session.state.customer_id):  # newest first
            if row.get("session_id") == session.id and row.get("reason"):
                return str(row["reason"])
    handoff = services.handoffs.open_for_session(session.id)
    packet = (handoff or {}).get("packet") or {}
    for kept in (packet.get("task"), packet.get("return_draft")):
        if isinstance(kept, dict) and kept.get("reason") and kept.get("intent", "return_request") in REASON_TASKS:
            return str(kept["reason"])
    return None


def asked_of(session: Session | None) -> Asked | None:
    pending = session.state.pending if session else None
    return Asked(pending.intent, pending.step, dict(pending.data)) if pending else None


def policy_facts(services: Services, session: Session | None, result: HeldoutResult, world: CaseWorld,
                 expected_reason: str | None) -> Facts:
    """What the policy allows for the order the case's task was about, and whether it would refuse a return for
    the expected reason (a refused return keeps no reason anywhere, so that reason cannot be seen)."""
    asked = [a for a in (result.parked, *(t.asked for t in result.turns)) if a is not None]
    order_id = next((str(a.data["order_id"]) for a in reversed(asked) if a.data.get("order_id")), None)
    order_id = order_id or (session.state.current_order_id if session else None) or world.values.get("order")
    order = services.store.get_order(order_id) if order_id else None
    if order is None:
        return Facts()
    policy = services.policy
    refused = False
    if expected_reason and all(a.intent != "exchange_request" for a in asked):
        skus = next((list(map(str, a.data["skus"])) for a in reversed(asked) if a.data.get("skus")),
                    [i.sku for i in order.items])
        ordered = {i.sku: i.quantity for i in order.items}
        lines = [(s, ordered[s]) for s in skus if s in ordered]
        refused = bool(lines) and not rules.evaluate_return(policy, order, lines, services.store.get_products(skus),
                                                            expected_reason, services.clock.now()).eligible
    return Facts(blocked={
        "return_request": order.status not in policy.returns.returnable_order_statuses,
        "exchange_request": order.status not in policy.exchanges.returnable_order_statuses,
        "cancel_order": not rules.can_cancel(policy, order),
        "change_address": not rules.can_change_address(policy, order),
    }, expected_reason_refused=refused)


class HeldoutRunner:
    def __init__(self, world: World, *, answer_order: bool = False) -> None:
        self.world = world
        # A signed-in shopper with several orders is asked which one; the cases rarely say (see README).
        self.answer_order = answer_order

    def run(self, cases: list[LoadedCase], jobs: int = 1,
            progress: Callable[[HeldoutResult], None] | None = None) -> list[HeldoutResult]:
        def one(case: LoadedCase) -> HeldoutResult:
            result = self.run_case(case)
            if progress:
                progress(result)
            return result

        if jobs <= 1:
            return [one(c) for c in cases]
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            return list(pool.map(one, cases))

    def run_case(self, loaded: LoadedCase) -> HeldoutResult:
        case = loaded.case
        result = HeldoutResult(case.id, loaded.language, case.kind, loaded.half,
                               case.expect.model_dump(exclude_none=True))
        world: CaseWorld | None = None
        try:
            setup = Setup.model_validate({"as": case.setup.as_, "order": case.setup.order})
            world = self.world.for_case(f"heldout-{case.id}", setup)
            chat = ChatService(world.services, engine=make_engine(world.services.settings))
            session_id: str | None = None
            if case.kind == "answer":
                assert case.task and case.step  # the model checked it
                session_id, result.parked = park(world, case.task, case.step, loaded.language)
            session_id = self._send(chat, world, session_id, world.fill(case.say), result)
            if case.kind == "flow":
                self._follow(chat, world, session_id, loaded, result)
            session = world.services.conversations.get_session(session_id)
            facts = policy_facts(world.services, session, result, world, case.expect.reason)
            result.score = score(case, loaded.language, result.turns, result.parked, facts)
        except Exception as exc:  # a case that cannot run is a failed case with its reason, never a crashed run
            result.error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
        finally:
            if world is not None:
                world.close()
        return result

    def _follow(self, chat: ChatService, world: CaseWorld, session_id: str, loaded: LoadedCase,
                result: HeldoutResult) -> None:
        """Answer whatever the assistant asks, from the case's answers, until no task waits."""
        case = loaded.case
        assert case.answers is not None
        for _ in range(MAX_FOLLOW_UPS):
            last = result.turns[-1]
            asked = last.asked
            if asked is None or last.held:
                return
            if asked.intent == "human_agent" and case.expect.intent != "human_agent":
                return  # a person offered after a decision: the task the case is about has its answer
            answer = case.answers.for_step(asked.step)
            if answer is None and asked.step == "order" and self.answer_order:
                answer = "{order}"
            if answer is None:
                result.unexpected.append(f"{asked.intent}/{asked.step}")
                return
            session_id = self._send(chat, world, session_id, world.fill(answer), result)

    def _send(self, chat: ChatService, world: CaseWorld, session_id: str | None, text: str,
              result: HeldoutResult) -> str:
        services = world.services
        try:
            res = chat.handle(ChatRequest(message=text, session_id=session_id, customer_token=world.token))
        except ChatError as exc:
            if session_id is None:
                raise
            result.turns.append(TurnObs(text, "", "", "", asked_of(services.conversations.get_session(session_id)),
                                        [], None, [], [], None, error=f"[{exc.status}] {exc.message}"))
            return session_id
        session = services.conversations.get_session(res.session_id)
        owner = session.state.customer_id if session else None
        store_emails = {services.policy.store.support_email, services.policy.store.privacy_email}
        reply = res.reply
        result.turns.append(TurnObs(
            say=text, reply=reply.text, language=res.language, intent=reply.intent, asked=asked_of(session),
            actions=list(reply.actions), handoff=reply.handoff, citations=[c.doc_id for c in reply.citations],
            leaks=leaks(reply.text, owner, services.store, store_emails),
            reason=held_reason(services, session) if session else None,
            held=res.held_by_human or bool(session and session.status == "handoff")))
        return res.session_id
