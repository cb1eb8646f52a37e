"""Greetings, thanks, goodbyes, off-topic messages and requests for a person."""

from __future__ import annotations

from assistant.engine.base import Turn
from assistant.engine.handlers import handles
from assistant.engine.handlers.common import escalate
from assistant.engine.responder import Responder
from assistant.storage.conversations import CSAT_PROMPT
from assistant.tools.context import ToolContext


@handles("greeting")
def greeting(turn: Turn, ctx: ToolContext, r: Responder) -> None:
    helped = any(m.role == "assistant" for m in turn.history)
    if turn.nlu.slots.farewells:
        r.say("goodbye")
        if helped:  # the conversation is over: the widget asks how it went (a chat of one "bye" is not rated)
            ctx.record({"type": CSAT_PROMPT})
    elif helped:
        r.say("thanks")
    else:
        r.say("greeting", store=ctx.services.policy.store.name)


@handles("other")
def other(turn: Turn, ctx: ToolContext, r: Responder) -> None:
    r.say("other")


@handles("human_agent")
def human_agent(turn: Turn, ctx: ToolContext, r: Responder) -> None:
    offer = ctx.state.pending if ctx.state.pending and ctx.state.pending.intent == "human_agent" else None
    if offer is not None and turn.nlu.slots.deny:
        ctx.state.pending = None
        r.say("action_cancelled")
        return
    # Accepting an offered person after a refusal means the shopper insists on an exception to the policy.
    reason = str(offer.data.get("reason")) if offer else "customer_request"
    escalate(turn, ctx, r, reason, order_id=offer.data.get("order_id") if offer else None)
