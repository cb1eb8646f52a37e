"""Actions the shopper confirms: one module per action type, each with its propose and commit step.

`propose_*` (the tools in assistant.tools.actions) evaluate the policy and park a proposal in the conversation
state; `commit_pending`, which code calls when the shopper's next message is an explicit "yes", looks the parked
intent up in this registry and runs that action's commit. A commit writes through the active store's write
interface (assistant.platform.writes): the platform first, then local state from the platform's answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assistant.platform.writes import Submitted
from assistant.tools.context import ToolContext
from assistant.tools.orders import lookup_order
from connectors.models import Order
from connectors.writes import PlatformWrite

Commit = Callable[[ToolContext, Order, dict[str, Any]], dict[str, Any]]
COMMITS: dict[str, Commit] = {}


class ActionError(ValueError):
    """The proposal cannot be made (unknown order, item not in the order...)."""


def commits(intent: str) -> Callable[[Commit], Commit]:
    def deco(fn: Commit) -> Commit:
        COMMITS[intent] = fn
        return fn
    return deco


def order_for(ctx: ToolContext, order_id: str) -> Order:
    order = lookup_order(ctx, order_id)
    if order is None:
        raise ActionError(f"no order {order_id} on this account")
    return order


def commit_pending(ctx: ToolContext) -> dict[str, Any]:
    """Carry out the proposal the shopper just confirmed. Called by code on an explicit yes, never by a model."""
    from assistant.actions import exchanges, order_changes, returns  # noqa: F401 - they register themselves

    pending = ctx.state.pending
    if pending is None or pending.step != "confirm":
        raise ActionError("nothing is waiting for confirmation")
    commit = COMMITS.get(pending.intent)
    if commit is None:
        raise ActionError(f"unknown pending action {pending.intent}")
    ctx.state.pending = None
    return commit(ctx, order_for(ctx, pending.data["order_id"]), pending.data)


def write_through(ctx: ToolContext, write: PlatformWrite) -> Submitted:
    """Send one write to the store (the platform, or Portside's own database)."""
    return ctx.services.platform_writes.submit(write)


def platform_note(action: dict[str, Any], submitted: Submitted) -> None:
    """Add what the platform did with an action (nothing for Portside's own database: it is simply written)."""
    if submitted.platform != "sql":
        action["platform"] = {"name": submitted.platform, "status": submitted.status, "reason": submitted.reason,
                              "remote_id": submitted.result.remote_id if submitted.result else None}
