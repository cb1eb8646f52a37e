"""The typed per-turn context every tool receives: services, the conversation state, what happened so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assistant.runtime import Services
from assistant.state import DialogueState
from knowledge.retrieval import Citation, Hit


class NotVerified(PermissionError):
    """The session has not proved who the shopper is; no order data may be used."""


@dataclass
class ToolContext:
    services: Services
    session_id: str
    state: DialogueState
    language: str
    actions: list[dict[str, Any]] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)  # values tools returned this turn (grounding check)
    handoff: dict[str, Any] | None = None
    message: str = ""  # the shopper's (redacted) message this turn
    client: str | None = None  # the shopper's network address: verification failures count against it too
    # KB searches of this turn: routing asks whether the help centre is sure of an answer, then the handler
    # answers from the same hits without searching again.
    kb_hits: dict[tuple[Any, ...], list[Hit]] = field(default_factory=dict)

    @property
    def now(self) -> datetime:
        return self.services.clock.now()

    def require_verified(self) -> str:
        if not self.state.customer_id:
            raise NotVerified("verify the shopper first (order number + email or postal code)")
        return self.state.customer_id

    def record(self, action: dict[str, Any]) -> None:
        if action not in self.actions:  # looking the same order up twice in a turn is one action
            self.actions.append(action)

    def remember(self, *values: Any) -> None:
        self.facts.extend(str(v) for v in values if v not in (None, ""))
