"""Exchanges for another variant of the same product."""

from __future__ import annotations

from typing import Any

from assistant import i18n
from assistant.engine.base import Turn
from assistant.engine.handlers import handles
from assistant.engine.handlers.common import delivered_order, ensure_verified
from assistant.engine.handlers.returns import confirm_step, offer_human, pick_items, task_data
from assistant.engine.responder import Responder
from assistant.nlu.lexicon import contains
from assistant.state import Pending
from assistant.tools.actions import propose_exchange
from assistant.tools.context import ToolContext
from connectors.models import Product


def variants_of(ctx: ToolContext, sku: str) -> list[Product]:
    product = ctx.services.store.get_product(sku)
    if product is None or not product.product_id:
        return []
    return [p for p in ctx.services.store.products_of(product.product_id) if p.sku != sku]


def pick_variant(text: str, variants: list[Product]) -> Product | None:
    for p in variants:
        if p.variant and (contains(text, p.variant) or contains(text, p.sku)):
            return p
    return None


@handles("exchange_request")
def exchange_request(turn: Turn, ctx: ToolContext, r: Responder) -> None:
    data = task_data(ctx, "exchange_request")
    if not ensure_verified(turn, ctx, r, "exchange_request", data):
        return
    if confirm_step(turn, ctx, r, lambda action: _done(ctx, r, action)):
        return
    order = delivered_order(turn, ctx, r, "exchange_request", data)
    if order is None:
        return
    skus = pick_items(turn, r, order, data, "exchange_request", ctx)
    if skus is None:
        return
    sku = skus[0]
    variants = variants_of(ctx, sku)
    if not variants:
        ctx.state.pending = None
        r.say("no_variants")
        return
    target = pick_variant(turn.text, variants)
    if target is None:
        ctx.state.pending = Pending(intent="exchange_request", step="variant",
                                    data={**data, "order_id": order.id, "skus": [sku]})
        r.say("ask_variant", variants=i18n.join([p.variant or p.sku for p in variants], r.language))
        return
    reason = data.get("reason") or (turn.nlu.slots.reasons or ["wrong_size"])[0]
    decision = propose_exchange(ctx, order.id, sku, target.sku, reason)
    if not decision.eligible:
        ctx.state.pending = None
        key = {"exchange_used": "ineligible.exchange_used", "not_same_product": "no_variants"}.get(
            decision.reason_code, f"ineligible.{decision.reason_code}")
        r.say(key, days=ctx.services.policy.returns.window_days, date="")
        offer_human(ctx, r, "policy_exception", order.id)
        return
    item = next(i.name for i in order.items if i.sku == sku)
    note = i18n.t(r.language, "exchange_fee", fee=i18n.money(decision.fee, decision.currency, r.language)) \
        if decision.fee else i18n.t(r.language, "exchange_free")
    r.say("exchange_summary", order_id=order.id, item=item, variant=target.variant or target.name, shipping_note=note)
    r.say("confirm_prompt")


def _done(ctx: ToolContext, r: Responder, action: dict[str, Any]) -> None:
    if action.get("rma_id"):
        r.say("exchange_created", rma=action["rma_id"])
    elif action.get("reason_code") == "already_requested":
        r.say("ineligible.already_requested")
    else:
        r.say("ineligible.exchange_used")
