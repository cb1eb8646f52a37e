"""The KB as a LangChain `BaseRetriever`, for chains and agents built on LangChain."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from knowledge.base import KnowledgeBase


class KBRetriever(BaseRetriever):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    kb: KnowledgeBase
    k: int = 4
    lang: str | None = None
    topic: str | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                **kwargs: Any) -> list[LCDocument]:
        hits = self.kb.search(query, k=self.k, lang=kwargs.get("lang", self.lang),
                              topic=kwargs.get("topic", self.topic))
        return [
            LCDocument(page_content=h.text, id=h.chunk_id, metadata={
                "doc_id": h.doc_id, "title": h.title, "heading": h.heading, "url": h.url, "lang": h.lang,
                "topic": h.topic, "score": h.score, "snippet": h.citation.snippet,
            })
            for h in hits
        ]
