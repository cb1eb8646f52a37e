"""Typed per-conversation state, persisted with the session so a conversation survives a restart."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Step = Literal["verify", "order", "items", "reason", "variant", "address", "confirm"]


class Pending(BaseModel):
    """A multi-turn task waiting for the shopper: which intent, which step, and what is known so far."""

    intent: str
    step: Step
    data: dict[str, Any] = Field(default_factory=dict)


class DialogueState(BaseModel):
    language: str | None = None
    customer_id: str | None = None
    verified_via: Literal["token", "order"] | None = None
    verify_factor: Literal["email", "postal"] | None = None  # what proved a guest's order: postal is the weaker
    verify_failures: int = 0
    verify_locked: bool = False
    guest_order_ref: str | None = None  # an order number a guest gave before verifying
    # An email or postal code a guest gave before the order number. Kept only in this session's state, and only
    # until verification is tried with it (forgotten after success or failure alike).
    guest_email: str | None = None
    guest_postal_code: str | None = None
    current_order_id: str | None = None
    pending: Pending | None = None
    low_confidence_streak: int = 0
    misses: int = 0  # turns in a row that left the pending task on the same question (dialogue.loops)
    handoff_id: str | None = None  # the open handoff while a human holds the conversation

    @property
    def verified(self) -> bool:
        return self.customer_id is not None

    @property
    def awaiting_contact(self) -> bool:
        """A guest gave an order number and was asked for the email or postal code used for it."""
        return self.guest_order_ref is not None and self.pending is not None and self.pending.step == "verify"

    def forget_guest_contact(self) -> None:
        self.guest_email = self.guest_postal_code = None

    def forget_guest_details(self) -> None:
        self.guest_order_ref = None
        self.forget_guest_contact()
