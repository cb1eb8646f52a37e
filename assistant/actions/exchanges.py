"""Exchanges for another variant of the same product: decided by policy, one per item, written to the platform
as a return that names the replacement (Shopify's 2025-10 API has no exchange line items)."""

from __future__ import annotations

from typing import Any

from assistant.actions import ActionError, commits, order_for, platform_note
from assistant.actions.returns import ordered_units, push_return
from assistant.policy import rules
from assistant.returns.service import Draft, ItemsAlreadyReturned
from assistant.state import Pending
from assistant.tools.context import ToolContext
from connectors.models import Order


def propose_exchange(ctx: ToolContext, order_id: str, sku: str, target_sku: str, reason: str
                     ) -> rules.ExchangeDecision:
    order = order_for(ctx, order_id)
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


@commits("exchange_request")
def commit_exchange(ctx: ToolContext, order: Order, data: dict[str, Any]) -> dict[str, Any]:
    products = ctx.services.store.get_products([data["sku"], data["target_sku"]])
    exchange = rules.evaluate_exchange(ctx.services.policy, order, data["sku"], products.get(data["target_sku"]),
                                       products, data["reason"], ctx.services.returns.exchanges_for_order(order.id),
                                       ctx.now)
    draft = Draft(kind="exchange", session_id=ctx.session_id, order_id=order.id, customer_id=order.customer_id,
                  country=order.shipping_address.country, items=[{"sku": data["sku"], "quantity": 1}],
                  reason=data["reason"], eligible=exchange.eligible, reason_code=exchange.reason_code,
                  refund_amount=0.0, currency=order.currency, refund_method="none", return_required=True,
                  fee=exchange.fee, hub=None, status="approved", detail={"target_sku": data["target_sku"]})
    existing = ctx.services.returns.by_key(draft.idem_key())
    if not exchange.eligible and existing is None:
        action: dict[str, Any] = {"type": "exchange_draft", "rma_id": None, "order_id": order.id, "eligible": False,
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
        platform_note(action, push_return(ctx.services, row))
    ctx.record(action)
    return action
