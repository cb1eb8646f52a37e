"""Action tools. Every write is two-step: `propose_*` evaluates the policy and parks a proposal in the
conversation state; only `commit_pending`, which code calls when the shopper's next message is an explicit
"yes", writes anything. A language model can propose, never commit."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from assistant.policy import rules
from assistant.returns.service import Draft, ItemsAlreadyReturned
from assistant.state import Pending
from assistant.tools.context import ToolContext
from assistant.tools.orders import lookup_order, needs_email
from assistant.tools.registry import tool
from connectors.models import Address, Order


class ActionError(ValueError):
    """The proposal cannot be made (unknown order, item not in the order...)."""


def _order(ctx: ToolContext, order_id: str) -> Order:
    order = lookup_order(ctx, order_id)
    if order is None:
        raise ActionError(f"no order {order_id} on this account")
    return order


@tool(writes=True)
def propose_return(ctx: ToolContext, order_id: str, skus: list[str], reason: str) -> rules.ReturnDecision:
    """Check a return of items (by SKU) of one order for a reason (damaged, defective, wrong_item, changed_mind,
    wrong_size, not_as_described, late). Eligibility and refund come from the store policy. If eligible, the
    return waits for the shopper's explicit yes; nothing is written yet."""
    rp = ctx.services.policy.returns
    if reason not in rp.defect_reasons + rp.other_reasons:
        raise ActionError(f"reason must be one of {', '.join(rp.defect_reasons + rp.other_reasons)}")
    order = _order(ctx, order_id)
    unknown = [s for s in skus if s not in {i.sku for i in order.items}]
    if unknown or not skus:
        raise ActionError(f"items not in order {order.id}: {', '.join(unknown) or 'none given'}")
    products = ctx.services.store.get_products(skus)
    ordered = ordered_units(order)
    remaining = ctx.services.returns.remaining(order.id, ordered)
    # Units another return already holds are not offered again; a partly returned line offers what is left.
    lines = [(s, remaining[s] or ordered[s]) for s in skus]
    decision = rules.evaluate_return(ctx.services.policy, order, lines, products, reason, ctx.now)
    if any(remaining[s] == 0 for s in skus):
        same = ctx.services.returns.by_key(_draft(ctx, order, lines, reason, decision).idem_key())
        if same is None:  # this session's own confirmed return is shown again as it is; anything else is taken
            decision = rules.ReturnDecision(False, "already_requested", 0.0, order.currency, 0.0, True, False, None,
                                            None, decision.refund_method, False, decision.items)
    action = return_action(None, order.id, lines, decision, status=None)
    ctx.remember(*[decision.refund_amount, decision.fee, decision.currency])
    if decision.eligible:
        ctx.state.pending = Pending(intent="return_request", step="confirm",
                                    data={"order_id": order.id, "lines": lines, "reason": reason})
    else:
        ctx.record(action)
    return decision


def ordered_units(order: Order) -> dict[str, int]:
    units: dict[str, int] = {}
    for item in order.items:
        units[item.sku] = units.get(item.sku, 0) + item.quantity
    return units


def _draft(ctx: ToolContext, order: Order, lines: list[tuple[str, int]], reason: str,
           d: rules.ReturnDecision) -> Draft:
    status = "awaiting_approval" if d.needs_approval else "approved"
    return Draft(kind="return", session_id=ctx.session_id, order_id=order.id, customer_id=order.customer_id,
                 country=order.shipping_address.country, items=[{"sku": s, "quantity": q} for s, q in lines],
                 reason=reason, eligible=d.eligible, reason_code=d.reason_code, refund_amount=d.refund_amount,
                 currency=d.currency, refund_method=d.refund_method, return_required=d.return_required, fee=d.fee,
                 hub=d.hub_country, status=status,
                 detail={"free_label": d.free_label, "payment_method": order.payment_method})


def return_action(rma: str | None, order_id: str, lines: list[tuple[str, int]], d: rules.ReturnDecision,
                  status: str | None) -> dict[str, Any]:
    return {"type": "return_draft", "rma_id": rma, "order_id": order_id,
            "items": [{"sku": s, "quantity": q} for s, q in lines], "eligible": d.eligible,
            "reason_code": d.reason_code, "refund_amount": d.refund_amount, "currency": d.currency,
            "return_required": d.return_required, "status": status}


@tool(writes=True)
def propose_exchange(ctx: ToolContext, order_id: str, sku: str, target_sku: str, reason: str) -> rules.ExchangeDecision:
    """Check exchanging one item of an order for another variant (size/colour) of the same product. If eligible,
    the exchange waits for the shopper's explicit yes."""
    order = _order(ctx, order_id)
    if sku not in {i.sku for i in order.items}:
        raise ActionError(f"{sku} is not in order {order.id}")
    products = ctx.services.store.get_products([sku, target_sku])
    done = ctx.services.returns.exchanges_for_order(order.id)
    decision = rules.evaluate_exchange(ctx.services.policy, order, sku, products.get(target_sku), products, reason,
                                       done, ctx.now)
    if decision.eligible:
        ctx.state.pending = Pending(intent="exchange_request", step="confirm",
                                    data={"order_id": order.id, "sku": sku, "target_sku": target_sku, "reason": reason})
    else:
        ctx.record({"type": "exchange_draft", "rma_id": None, "order_id": order.id, "sku": sku,
                    "target_sku": target_sku, "eligible": False, "reason_code": decision.reason_code})
    return decision


@tool(writes=True)
def propose_cancel(ctx: ToolContext, order_id: str) -> bool:
    """Check whether an order can still be cancelled (only before it ships). If so, waits for the shopper's yes."""
    order = _order(ctx, order_id)
    allowed = rules.can_cancel(ctx.services.policy, order)
    if allowed:
        ctx.state.pending = Pending(intent="cancel_order", step="confirm", data={"order_id": order.id})
    else:
        ctx.record({"type": "cancel_order", "order_id": order.id, "done": False, "reason_code": "already_shipped"})
    return allowed


@tool(writes=True)
def propose_address_change(ctx: ToolContext, order_id: str, line1: str, city: str, postal_code: str) -> bool:
    """Check whether the delivery address of an order can still be changed (before shipping), to the given street,
    city and postal code in the same country. If so, waits for the shopper's yes."""
    if needs_email(ctx, "change_address"):
        raise ActionError("changing the delivery address needs the order's email address, not only the postal code")
    order = _order(ctx, order_id)
    allowed = rules.can_change_address(ctx.services.policy, order)
    if allowed:
        ctx.state.pending = Pending(intent="change_address", step="confirm", data={
            "order_id": order.id, "address": {"line1": line1, "city": city, "postal_code": postal_code}})
    else:
        ctx.record({"type": "change_address", "order_id": order.id, "done": False, "reason_code": "already_shipped"})
    return allowed


def commit_pending(ctx: ToolContext) -> dict[str, Any]:
    """Carry out the proposal the shopper just confirmed. Called by code on an explicit yes, never by a model."""
    pending = ctx.state.pending
    if pending is None or pending.step != "confirm":
        raise ActionError("nothing is waiting for confirmation")
    ctx.state.pending = None
    data = pending.data
    order = _order(ctx, data["order_id"])
    if pending.intent == "return_request":
        lines = [(str(s), int(q)) for s, q in data["lines"]]
        products = ctx.services.store.get_products([s for s, _ in lines])
        decision = rules.evaluate_return(ctx.services.policy, order, lines, products, data["reason"], ctx.now)
        if not decision.eligible:  # the clock moved past the window between the summary and the yes
            action = return_action(None, order.id, lines, decision, None)
            ctx.record(action)
            return action
        draft = _draft(ctx, order, lines, data["reason"], decision)
        if data.get("bank_transfer") and decision.refund_method == "store_credit":
            draft = replace(draft, refund_method="bank_transfer", status="awaiting_approval")
        try:
            row, created = ctx.services.returns.create(draft, ordered_units(order))
        except ItemsAlreadyReturned as taken:  # another session or channel confirmed these items first
            row, created = taken.holder, False
        action = return_action(row["rma_id"], order.id, lines, decision, row["status"])
        action["created"] = created
        action["refund_method"] = row["refund_method"]
        if row["status"] == "approved" and decision.return_required:
            action["label_url"] = ctx.services.returns.label_url(row["rma_id"])
        ctx.record(action)
        return action
    if pending.intent == "exchange_request":
        products = ctx.services.store.get_products([data["sku"], data["target_sku"]])
        exchange = rules.evaluate_exchange(ctx.services.policy, order, data["sku"], products.get(data["target_sku"]),
                                           products, data["reason"],
                                           ctx.services.returns.exchanges_for_order(order.id), ctx.now)
        draft = Draft(kind="exchange", session_id=ctx.session_id, order_id=order.id, customer_id=order.customer_id,
                      country=order.shipping_address.country, items=[{"sku": data["sku"], "quantity": 1}],
                      reason=data["reason"], eligible=exchange.eligible, reason_code=exchange.reason_code,
                      refund_amount=0.0, currency=order.currency, refund_method="none", return_required=True,
                      fee=exchange.fee, hub=None, status="approved", detail={"target_sku": data["target_sku"]})
        existing = ctx.services.returns.by_key(draft.idem_key())
        if not exchange.eligible and existing is None:
            action = {"type": "exchange_draft", "rma_id": None, "order_id": order.id, "eligible": False,
                      "reason_code": exchange.reason_code}
        else:
            try:
                row, created = ctx.services.returns.create(draft, ordered_units(order))
            except ItemsAlreadyReturned:
                ctx.record(action := {"type": "exchange_draft", "rma_id": None, "order_id": order.id,
                                      "eligible": False, "reason_code": "already_requested"})
                return action
            action = {"type": "exchange_draft", "rma_id": row["rma_id"], "order_id": order.id, "sku": data["sku"],
                      "target_sku": data["target_sku"], "eligible": True, "reason_code": "eligible",
                      "fee": row["fee"], "status": row["status"], "created": created}
        ctx.record(action)
        return action
    if pending.intent == "cancel_order":
        done = rules.can_cancel(ctx.services.policy, order)
        if done:
            ctx.services.store.set_order_status(order.id, "cancelled")
        action = {"type": "cancel_order", "order_id": order.id, "done": done}
        ctx.record(action)
        return action
    if pending.intent == "change_address":
        done = rules.can_change_address(ctx.services.policy, order)
        if done:
            old = order.shipping_address
            new = Address(name=old.name, line1=data["address"]["line1"], city=data["address"]["city"],
                          postal_code=data["address"]["postal_code"], region=None, country=old.country)
            ctx.services.store.set_shipping_address(order.id, new)
        action = {"type": "change_address", "order_id": order.id, "done": done, "address": data["address"]}
        ctx.record(action)
        return action
    raise ActionError(f"unknown pending action {pending.intent}")


@tool(writes=True)
def escalate(ctx: ToolContext, reason: str = "customer_request") -> dict[str, Any]:
    """Hand the conversation to a person with the full context. Reasons: customer_request, sentiment, legal,
    lost_parcel, delivery_failed, returned_to_sender, payment_issue, policy_exception."""
    handoff = ctx.services.handoffs.create(ctx, reason, shopper_words=ctx.message)
    ctx.handoff = handoff
    ctx.state.pending = None
    return handoff
