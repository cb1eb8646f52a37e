"""Action tools. Every write is two-step: `propose_*` evaluates the policy and parks a proposal in the
conversation state; only `commit_pending`, which code calls when the shopper's next message is an explicit
"yes", writes anything. A language model can propose, never commit. Each action type lives in its own module of
assistant.actions (propose and commit side by side); these are the typed tools over them."""

from __future__ import annotations

from typing import Any

from assistant.actions import ActionError, commit_pending
from assistant.actions import exchanges as _exchanges
from assistant.actions import order_changes as _changes
from assistant.actions import returns as _returns
from assistant.actions.returns import ordered_units, return_action
from assistant.policy import rules
from assistant.tools.context import ToolContext
from assistant.tools.registry import tool

__all__ = ["ActionError", "commit_pending", "ordered_units", "return_action"]


@tool(writes=True)
def propose_return(ctx: ToolContext, order_id: str, skus: list[str], reason: str) -> rules.ReturnDecision:
    """Check a return of items (by SKU) of one order for a reason (damaged, defective, wrong_item, changed_mind,
    wrong_size, not_as_described, late). Eligibility and refund come from the store policy. If eligible, the
    return waits for the shopper's explicit yes; nothing is written yet."""
    return _returns.propose_return(ctx, order_id, skus, reason)


@tool(writes=True)
def propose_exchange(ctx: ToolContext, order_id: str, sku: str, target_sku: str, reason: str) -> rules.ExchangeDecision:
    """Check exchanging one item of an order for another variant (size/colour) of the same product. If eligible,
    the exchange waits for the shopper's explicit yes."""
    return _exchanges.propose_exchange(ctx, order_id, sku, target_sku, reason)


@tool(writes=True)
def propose_cancel(ctx: ToolContext, order_id: str) -> bool:
    """Check whether an order can still be cancelled (only before it ships). If so, waits for the shopper's yes."""
    return _changes.propose_cancel(ctx, order_id)


@tool(writes=True)
def propose_address_change(ctx: ToolContext, order_id: str, line1: str, city: str, postal_code: str) -> bool:
    """Check whether the delivery address of an order can still be changed (before shipping), to the given street,
    city and postal code in the same country. If so, waits for the shopper's yes."""
    return _changes.propose_address_change(ctx, order_id, line1, city, postal_code)


@tool(writes=True)
def escalate(ctx: ToolContext, reason: str = "customer_request") -> dict[str, Any]:
    """Hand the conversation to a person with the full context. Reasons: customer_request, sentiment, legal,
    lost_parcel, delivery_failed, returned_to_sender, payment_issue, policy_exception."""
    handoff = ctx.services.handoffs.create(ctx, reason, shopper_words=ctx.message)
    ctx.handoff = handoff
    ctx.state.pending = None
    return handoff
