"""Data-subject requests in the chat ("delete my data", "what do you know about me?"): after verification a request
is queued for staff with the legal deadline of the shopper's country. Staff decide; nothing is erased or sent from
here."""

from __future__ import annotations

from assistant import i18n
from assistant.engine.base import Turn
from assistant.engine.handlers import handles
from assistant.engine.handlers.common import ensure_verified
from assistant.engine.responder import Responder
from assistant.tools.context import ToolContext

PRIVACY_INTENTS = {"privacy_access": "data_request", "privacy_erasure": "redact"}


@handles(*PRIVACY_INTENTS)
def privacy_request(turn: Turn, ctx: ToolContext, r: Responder) -> None:
    pending = ctx.state.pending
    intent = pending.intent if pending is not None and pending.intent in PRIVACY_INTENTS else turn.nlu.intent
    if not ensure_verified(turn, ctx, r, intent, {}):
        return
    ctx.state.pending = None
    kind = PRIVACY_INTENTS[intent]
    row = ctx.services.privacy.open_for_shopper(ctx.session_id, ctx.require_verified(), kind, r.language)
    ctx.record({"type": "privacy_request", "request_id": row["id"], "kind": kind, "law": row["law"],
                "due_at": row["due_at"].isoformat()})
    r.say(f"privacy_opened.{kind}", id=row["id"], law=row["law"], date=i18n.day(row["due_at"], r.language))
