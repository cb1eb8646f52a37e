"""Greetings, thanks, off-topic messages and requests for a person."""

from __future__ import annotations

from assistant.engine.base import Turn
from assistant.engine.handlers import handles
from assistant.engine.handlers.common import escalate
from assistant.engine.responder import Responder
from assistant.tools.context import ToolContext


@handles("greeting")
def greeting(turn: Turn, ctx: ToolContext, r: Responder) -> None:
    helped = any(m.role == "assistant" for m in turn.history)
    if helped:
        r.say("thanks")
    else:
        r.say("greeting", store=ctx.services.policy.store.name)


@handles("other")
def other(turn: Turn, ctx: ToolContext, r: Responder) -> None:
    r.say("other")


@handles("human_agent")
def human_agent(turn: Turn, ctx: ToolContext, r: Responder) -> None:
    escalate(turn, ctx, r, "customer_request")
