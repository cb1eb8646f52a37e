"""Policy questions, answered from the knowledge base with a citation."""

from __future__ import annotations

from assistant import i18n
from assistant.engine.base import Turn
from assistant.engine.handlers import handles
from assistant.engine.handlers.common import show_source
from assistant.engine.responder import Responder
from assistant.tools.context import ToolContext
from assistant.tools.kb import concise_answer, search_kb
from knowledge.retrieval import Hit


@handles("policy_question")
def policy_question(turn: Turn, ctx: ToolContext, r: Responder) -> None:
    hit = answer_from_kb(turn, ctx, r)
    if hit is not None and hit.card in ctx.services.policy.offers:
        r.say("policy_offer_action")  # "what is your exchange policy?": the rules, and an offer to do it


def answer_from_kb(turn: Turn, ctx: ToolContext, r: Responder, topic: str | None = None) -> Hit | None:
    hits = search_kb(ctx, turn.text, topic=topic, k=1, query_vector=turn.nlu.vector)
    if not hits:
        r.say("no_answer")
        return None
    hit = hits[0]
    if hit.lang != r.language:
        r.say("kb_lead_other_language", language=i18n.language_name(hit.lang))
    # "Can I pay with OXXO?" gets the OXXO sentence, not every country's cash methods; the source line below links
    # the whole card. A broad question ("what payment methods do you accept?") still gets all of it.
    r.text(concise_answer(ctx, hit, turn.text, turn.nlu.vector).text)
    show_source(ctx, r, hit)
    return hit
