"""Cancelling an order and changing its delivery address (both only before it ships)."""

from __future__ import annotations

from typing import Any

from assistant import i18n
from assistant.engine.base import Turn
from assistant.engine.handlers import handles
from assistant.engine.handlers.common import confirm_prompt, ensure_strong_factor, ensure_verified, task_order
from assistant.engine.handlers.returns import confirm_step, task_data
from assistant.engine.responder import Responder
from assistant.nlu.address import parse_address
from assistant.state import Pending
from assistant.tools.actions import propose_address_change, propose_cancel
from assistant.tools.context import ToolContext
from assistant.tools.orders import lookup_order

BEFORE_SHIPPING = ("pending_payment", "processing")


def refund_method_text(ctx: ToolContext, payment: str, lang: str) -> str:
    if payment in ctx.services.policy.returns.cash_payment_methods:
        return i18n.t(lang, "refund_method.store_credit")
    return i18n.refund_method(lang, "original", payment)


@handles("cancel_order")
def cancel_order(turn: Turn, ctx: ToolContext, r: Responder) -> None:
    data = task_data(ctx, "cancel_order")
    if not ensure_verified(turn, ctx, r, "cancel_order", data):
        return

    def done(action: dict[str, Any]) -> None:
        if action["done"]:
            order = lookup_order(ctx, action["order_id"])
            method = refund_method_text(ctx, order.payment_method if order else "", r.language)
            r.say("cancel_done", order_id=action["order_id"],
                  refund_note=i18n.t(r.language, "cancel_refund_note", refund_method=method))
        else:
            r.say("cancel_not_allowed", order_id=action["order_id"], status=i18n.order_status(r.language, "shipped"))

    if confirm_step(turn, ctx, r, done):
        return
    order = task_order(turn, ctx, r, "cancel_order", data, BEFORE_SHIPPING, none_key="none_before_shipping")
    if order is None:
        return
    if not propose_cancel(ctx, order.id):
        ctx.state.pending = None
        r.say("cancel_not_allowed", order_id=order.id, status=i18n.order_status(r.language, order.status))
        return
    r.say("cancel_summary", order_id=order.id, items=i18n.join([i.name for i in order.items], r.language),
          total=i18n.money(order.total, order.currency, r.language),
          refund_method=refund_method_text(ctx, order.payment_method, r.language))
    r.say(confirm_prompt("cancel_order"))


@handles("change_address")
def change_address(turn: Turn, ctx: ToolContext, r: Responder) -> None:
    data = task_data(ctx, "change_address")
    if not ensure_verified(turn, ctx, r, "change_address", data):
        return

    def done(action: dict[str, Any]) -> None:
        a = action["address"]
        if action["done"]:
            r.say("address_done", order_id=action["order_id"], address=f"{a['line1']}, {a['postal_code']} {a['city']}")
        else:
            r.say("address_not_allowed", order_id=action["order_id"], status=i18n.order_status(r.language, "shipped"))

    if confirm_step(turn, ctx, r, done):
        return
    order = task_order(turn, ctx, r, "change_address", data, BEFORE_SHIPPING, none_key="none_before_shipping")
    if order is None:
        return
    if order.status not in BEFORE_SHIPPING:
        ctx.state.pending = None
        r.say("address_not_allowed", order_id=order.id, status=i18n.order_status(r.language, order.status))
        return
    if not ensure_strong_factor(turn, ctx, r, "change_address", {**data, "order_id": order.id}):
        return  # asked for the order's email first (the address can be changed, but not on a postal code alone)
    pending = ctx.state.pending
    parsed = parse_address(turn.text) if pending and pending.step == "address" else None
    address = parsed.as_dict() if parsed else None
    if address is None:
        if pending and pending.step == "address":
            r.say("address_unclear")
        else:
            r.say("ask_new_address")
        ctx.state.pending = Pending(intent="change_address", step="address", data={"order_id": order.id})
        return
    if not propose_address_change(ctx, order.id, **address):
        ctx.state.pending = None
        r.say("address_not_allowed", order_id=order.id, status=i18n.order_status(r.language, order.status))
        return
    r.say("address_summary", order_id=order.id,
          address=f"{address['line1']}, {address['postal_code']} {address['city']}")
    r.say("confirm_prompt")
