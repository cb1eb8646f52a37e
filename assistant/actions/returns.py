"""Returns: the policy decides eligibility and refund; a confirmed return is reserved locally (one RMA per
items, never twice) and written to the store platform: requested for staff, created when auto-approved, or
refunded without a return for low-value items."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from assistant.actions import ActionError, commits, order_for, platform_note
from assistant.platform.writes import Submitted
from assistant.policy import rules
from assistant.returns.service import Draft, ItemsAlreadyReturned
from assistant.runtime import Services
from assistant.state import Pending
from assistant.tools.context import ToolContext
from connectors.models import Order
from connectors.writes import DecideReturn, Line, RefundWithoutReturn, RequestReturn


def ordered_units(order: Order) -> dict[str, int]:
    units: dict[str, int] = {}
    for item in order.items:
        units[item.sku] = units.get(item.sku, 0) + item.quantity
    return units


def return_action(rma: str | None, order_id: str, lines: list[tuple[str, int]], d: rules.ReturnDecision,
                  status: str | None) -> dict[str, Any]:
    return {"type": "return_draft", "rma_id": rma, "order_id": order_id,
            "items": [{"sku": s, "quantity": q} for s, q in lines], "eligible": d.eligible,
            "reason_code": d.reason_code, "refund_amount": d.refund_amount, "currency": d.currency,
            "return_required": d.return_required, "status": status}


def _draft(ctx: ToolContext, order: Order, lines: list[tuple[str, int]], reason: str,
           d: rules.ReturnDecision) -> Draft:
    status = "awaiting_approval" if d.needs_approval else "approved"
    return Draft(kind="return", session_id=ctx.session_id, order_id=order.id, customer_id=order.customer_id,
                 country=order.shipping_address.country, items=[{"sku": s, "quantity": q} for s, q in lines],
                 reason=reason, eligible=d.eligible, reason_code=d.reason_code, refund_amount=d.refund_amount,
                 currency=d.currency, refund_method=d.refund_method, return_required=d.return_required, fee=d.fee,
                 hub=d.hub_country, status=status,
                 detail={"free_label": d.free_label, "payment_method": order.payment_method})


def propose_return(ctx: ToolContext, order_id: str, skus: list[str], reason: str) -> rules.ReturnDecision:
    rp = ctx.services.policy.returns
    if reason not in rp.defect_reasons + rp.other_reasons:
        raise ActionError(f"reason must be one of {', '.join(rp.defect_reasons + rp.other_reasons)}")
    order = order_for(ctx, order_id)
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


@commits("return_request")
def commit_return(ctx: ToolContext, order: Order, data: dict[str, Any]) -> dict[str, Any]:
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
    if row["session_id"] == ctx.session_id:  # our own return: make sure the platform has it (idempotent)
        platform_note(action, push_return(ctx.services, row))
    if row["status"] == "approved" and decision.return_required:
        action["label_url"] = ctx.services.returns.label_url(row["rma_id"])
    ctx.record(action)
    return action


def _lines(row: dict[str, Any]) -> list[Line]:
    return [Line(sku=i["sku"], quantity=int(i["quantity"])) for i in row["items"]]


def push_return(services: Services, row: dict[str, Any]) -> Submitted:
    """Write a confirmed return (or exchange) to the store platform, by its RMA id: requested when it waits for
    staff, refunded without a return when the policy lets the shopper keep low-value items, created otherwise."""
    submit = services.platform_writes.submit
    lines = _lines(row)
    note = row["reason"] + (f"; exchange for {row['detail']['target_sku']}" if row["kind"] == "exchange" else "") + \
        f"; refund {row['refund_amount']:.2f} {row['currency']} by {row['refund_method']}"
    if row["status"] == "approved" and not row["return_required"] and row["refund_method"] == "original":
        return submit(RefundWithoutReturn(action_id=row["rma_id"], order_id=row["order_id"], lines=lines,
                                          amount=row["refund_amount"], currency=row["currency"], note=note))
    return submit(RequestReturn(action_id=row["rma_id"], order_id=row["order_id"], lines=lines,
                                reason=row["reason"] or "other", approved=row["status"] == "approved", note=note))


def push_decision(services: Services, row: dict[str, Any], note: str = "") -> Submitted:
    """Staff approved or rejected a return: tell the platform, and refund it there when no parcel comes back."""
    decided = services.platform_writes.submit(DecideReturn(action_id=row["rma_id"], order_id=row["order_id"],
                                                           approve=row["status"] == "approved", note=note))
    if decided.status == "done" and row["status"] == "approved" and not row["return_required"] \
            and row["refund_method"] == "original":
        return services.platform_writes.submit(RefundWithoutReturn(
            action_id=f"{row['rma_id']}-RF", order_id=row["order_id"], lines=_lines(row),
            amount=row["refund_amount"], currency=row["currency"], note="approved by staff"))
    return decided
