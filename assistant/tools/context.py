"""The typed per-turn context every tool receives: services, the conversation state, what happened so far."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assistant.runtime import Services
from assistant.state import DialogueState
from knowledge.retrieval import Citation, Hit

log = logging.getLogger("portside.tools")


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
    # How to take back what an engine attempt wrote outside the session state, should the attempt fail.
    undo: list[Callable[[], None]] = field(default_factory=list)

    @property
    def now(self) -> datetime:
        return self.services.clock.now()

    def require_verified(self) -> str:
        if not self.state.customer_id:
            raise NotVerified("verify the shopper first (order number + email or postal code)")
        return self.state.customer_id

    def record(self, action: dict[str, Any]) -> None:
        from assistant.actions.records import ACTION_RECORD

        ACTION_RECORD.validate_python(action)  # every record has a typed shape the API documents
        if action not in self.actions:  # looking the same order up twice in a turn is one action
            self.actions.append(action)

    def on_rollback(self, fn: Callable[[], None]) -> None:
        self.undo.append(fn)

    def rollback(self, before: DialogueState) -> None:
        """Undo an engine attempt that failed mid-turn, so the fallback answers the message as if it came first:
        the session state as it was, counted verification failures taken back. A handoff the attempt created
        stays (staff may already see it, and a conversation has one at a time): the fallback answers with it."""
        for fn in reversed(self.undo):
            try:
                fn()
            except Exception:  # one failed compensation must not stop the others or the fallback
                log.exception("rollback step failed")
        self.undo.clear()
        handoff = self.handoff
        for name in type(before).model_fields:
            setattr(self.state, name, getattr(before, name))
        if handoff is not None:
            self.state.handoff_id = handoff["id"]
        self.actions.clear()
        self.citations.clear()
        self.facts.clear()
        self.kb_hits.clear()

    def remember(self, *values: Any) -> None:
        self.facts.extend(str(v) for v in values if v not in (None, ""))
