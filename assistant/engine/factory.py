"""Pick the engine from settings: the offline engine, or the LLM engine on any LangChain chat model."""

from __future__ import annotations

from assistant.engine.base import Engine
from assistant.engine.offline import OfflineEngine
from assistant.settings import Settings


def make_engine(settings: Settings) -> Engine:
    if settings.llm.strip().lower() in {"", "offline"}:
        return OfflineEngine()
    from assistant.engine.llm.engine import LLMEngine
    from assistant.engine.llm.model import make_chat_model

    return LLMEngine(make_chat_model(settings))
