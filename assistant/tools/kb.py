"""Knowledge-base tool: policy answers with citations."""

from __future__ import annotations

import numpy as np

from assistant.tools.context import ToolContext
from assistant.tools.registry import tool
from knowledge.excerpt import Excerpt
from knowledge.retrieval import Hit


@tool()
def search_kb(ctx: ToolContext, query: str, topic: str | None = None, k: int = 3,
              query_vector: np.ndarray | None = None) -> list[Hit]:
    """Search the store's help centre (shipping, customs, duties, returns, payments, privacy, warranty).

    Passages come in the shopper's language when available; cite the ones you use.
    """
    hits = _search(ctx, query, k, topic, query_vector)
    for h in hits:
        ctx.remember(h.doc_id)
    return hits


def _search(ctx: ToolContext, query: str, k: int, topic: str | None, query_vector: np.ndarray | None) -> list[Hit]:
    """The KB's hits, searched once per turn for the same question (the vector, if given, is the question's)."""
    key = (query, k, topic, query_vector is None)
    if key not in ctx.kb_hits:
        ctx.kb_hits[key] = ctx.services.kb.search(query, k=k, lang=ctx.language, topic=topic,
                                                  query_vector=query_vector)
    return ctx.kb_hits[key]


def concise_answer(ctx: ToolContext, hit: Hit, query: str, query_vector: np.ndarray | None = None) -> Excerpt:
    """The sentence of a help-centre passage that answers the question, or all of it for a question about its whole
    subject (knowledge/excerpt.py). For the offline engine's reply; the LLM gets whole passages from search_kb."""
    kb = ctx.services.kb
    return kb.excerpt(hit, query_vector if query_vector is not None else kb.embed_query(query))


def sure_answer(ctx: ToolContext, query: str, query_vector: np.ndarray | None = None) -> Hit | None:
    """The help-centre answer that words and meaning agree on, if there is one (`Hit.sure`): sure enough to answer
    a message the intent classifier could not place."""
    hits = _search(ctx, query, 1, None, query_vector)
    return hits[0] if hits and hits[0].sure else None


def cite_source(ctx: ToolContext, source: str, fallback_query: str, topic: str | None = None) -> Hit | None:
    """The card the policy names for `source` (a reason code or topic), in the shopper's language; a search
    when the policy names none or the KB lacks it. Remembered as a citation of this turn."""
    card = ctx.services.policy.sources.get(source)
    hit = ctx.services.kb.card(card, ctx.language) if card else None
    if hit is None:
        hits = ctx.services.kb.search(fallback_query, k=1, lang=ctx.language, topic=topic)
        hit = hits[0] if hits else None
    if hit is not None:
        ctx.remember(hit.doc_id)
    return hit
