"""Knowledge-base tool: policy answers with citations."""

from __future__ import annotations

import numpy as np

from assistant.tools.context import ToolContext
from assistant.tools.registry import tool
from knowledge.retrieval import Hit


@tool()
def search_kb(ctx: ToolContext, query: str, topic: str | None = None, k: int = 3,
              query_vector: np.ndarray | None = None) -> list[Hit]:
    """Search the store's help centre (shipping, customs, duties, returns, payments, privacy, warranty).

    Passages come in the shopper's language when available; cite the ones you use.
    """
    hits = ctx.services.kb.search(query, k=k, lang=ctx.language, topic=topic, query_vector=query_vector)
    for h in hits:
        ctx.remember(h.doc_id)
    return hits
