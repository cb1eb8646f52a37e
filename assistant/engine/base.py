"""Turn in, reply out: the data that crosses the engine seam."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from assistant.dialogue.ask import Ask
from assistant.guard import GuardVerdict
from assistant.nlu.intents import IntentScore
from assistant.nlu.slots import Slots
from assistant.storage.conversations import Message
from assistant.tools.context import ToolContext
from knowledge.retrieval import Citation


@dataclass
class Understanding:
    intent: str
    confidence: float
    low: bool
    scores: list[IntentScore]
    slots: Slots
    vector: np.ndarray


@dataclass
class Turn:
    session_id: str
    text: str  # redacted
    language: str
    language_switched: bool
    guard: GuardVerdict
    nlu: Understanding
    history: list[Message] = field(default_factory=list)  # earlier messages of this session


@dataclass
class Reply:
    text: str
    intent: str
    confidence: float
    citations: list[Citation] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    handoff: dict[str, Any] | None = None
    engine: str = "offline"
    ask: Ask | None = None  # what the conversation now waits for, with quick-reply choices (set by the service)


class Engine(Protocol):
    name: str

    def respond(self, turn: Turn, ctx: ToolContext) -> Reply: ...
