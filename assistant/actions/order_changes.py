"""Cancelling an order and changing its delivery address: allowed only before it ships (policy), written to the
store platform first, local state from the platform's answer."""

from __future__ import annotations

import hashlib
from typing import Any

from assistant.actions import ActionError, commits, order_for, platform_note, write_through
from assistant.policy import rules
from assistant.state import Pending
from assistant.tools.context import ToolContext
from assistant.tools.orders import needs_email
from connectors.models import Address, Order
from connectors.writes import CancelOrder, ChangeAddress


def propose_cancel(ctx: ToolContext, order_id: str) -> bool:
    order = order_for(ctx, order_id)
    allowed = rules.can_cancel(ctx.services.policy, order)
    if allowed:
        ctx.state.pending = Pending(intent="cancel_order", step="confirm", data={"order_id": order.id})
    else:
        ctx.record({"type": "cancel_order", "order_id": order.id, "done": False, "reason_code": "already_shipped"})
    return allowed


def propose_address_change(ctx: ToolContext, order_id: str, line1: str, city: str, postal_code: str) -> bool:
    if needs_email(ctx, "change_address"):
        raise ActionError("changing the delivery address needs the order's email address, not only the postal code")
    order = order_for(ctx, order_id)
    allowed = rules.can_change_address(ctx.services.policy, order)
    if allowed:
        ctx.state.pending = Pending(intent="change_address", step="confirm", data={
            "order_id": order.id, "address": {"line1": line1, "city": city, "postal_code": postal_code}})
    else:
        ctx.record({"type": "change_address", "order_id": order.id, "done": False, "reason_code": "already_shipped"})
    return allowed


@commits("cancel_order")
def commit_cancel(ctx: ToolContext, order: Order, data: dict[str, Any]) -> dict[str, Any]:
    action: dict[str, Any] = {"type": "cancel_order", "order_id": order.id, "done": False}
    if rules.can_cancel(ctx.services.policy, order):
        submitted = write_through(ctx, CancelOrder(action_id=f"CXL-{order.id}", order_id=order.id))
        action["done"] = submitted.status == "done"
        platform_note(action, submitted)
    else:
        action["reason_code"] = "already_shipped"
    ctx.record(action)
    return action


@commits("change_address")
def commit_address(ctx: ToolContext, order: Order, data: dict[str, Any]) -> dict[str, Any]:
    action: dict[str, Any] = {"type": "change_address", "order_id": order.id, "done": False,
                              "address": data["address"]}
    if rules.can_change_address(ctx.services.policy, order):
        old, given = order.shipping_address, data["address"]
        new = Address(name=old.name, line1=given["line1"], city=given["city"], postal_code=given["postal_code"],
                      region=None, country=old.country)
        digest = hashlib.sha256(f"{new.line1}|{new.city}|{new.postal_code}".encode()).hexdigest()[:8].upper()
        submitted = write_through(ctx, ChangeAddress(action_id=f"ADR-{order.id}-{digest}", order_id=order.id,
                                                     address=new))
        action["done"] = submitted.status == "done"
        platform_note(action, submitted)
    else:
        action["reason_code"] = "already_shipped"
    ctx.record(action)
    return action
