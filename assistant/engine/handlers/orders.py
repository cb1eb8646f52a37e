"""Order status and tracking."""

from __future__ import annotations

from typing import Any

from assistant import i18n
from assistant.engine.base import Turn
from assistant.engine.handlers import handles
from assistant.engine.handlers.common import choose_order, ensure_verified, escalate, show_source
from assistant.engine.responder import Responder
from assistant.tools.context import ToolContext
from assistant.tools.kb import cite_source
from connectors.models import Order, Shipment

PROBLEMS = {"lost": ("problem_lost", "lost_parcel"), "delivery_failed": ("problem_delivery_failed", "delivery_failed"),
            "returned_to_sender": ("problem_returned", "returned_to_sender")}
ACTIVE = ("shipped", "processing", "pending_payment")


@handles("order_status")
def order_status(turn: Turn, ctx: ToolContext, r: Responder) -> None:
    data = ctx.state.pending.data if ctx.state.pending else {}
    if not ensure_verified(turn, ctx, r, "order_status", data):
        return
    order = choose_order(turn, ctx, r, "order_status", data, prefer=ACTIVE)
    if order is None:
        return
    ctx.state.pending = None
    fresh = ctx.services.tracking.refresh(order)  # live from the tracker, within the policy's time budget
    order = fresh.order
    describe_order(order, ctx, r)
    if fresh.stale_since is not None:
        r.say("tracking_last_updated", date=i18n.day(fresh.stale_since, r.language))
    ctx.record({"type": "order_card", "order": order_card(order, r.language)})
    problem = next((s for s in order.shipments if s.status in PROBLEMS), None)
    if problem is not None:
        key, reason = PROBLEMS[problem.status]
        r.say(key)
        escalate(turn, ctx, r, reason, order_id=order.id)


def describe_order(order: Order, ctx: ToolContext, r: Responder) -> None:
    lang = r.language
    delivered = [s.delivered_at for s in order.shipments if s.delivered_at]
    r.say(f"status.{order.status}", order_id=order.id, payment=i18n.payment_method(lang, order.payment_method),
          date=i18n.day(max(delivered), lang) if delivered else "")
    r.say("order_items", items=i18n.join([f"{i.quantity} × {i.name}" for i in order.items], lang))
    for s in order.shipments:
        describe_shipment(s, r)
    if any(s.status == "customs_hold" for s in order.shipments):
        r.say("customs_hold")
        if order.duties and order.duties.status == "unpaid":
            r.say("duties_unpaid", amount=i18n.money(order.duties.amount, order.duties.currency, lang))
        r.say("duties_docs")
        hit = cite_source(ctx, "customs_hold", "parcel held in customs unpaid import duties what to do")
        if hit:
            show_source(ctx, r, hit)


def describe_shipment(s: Shipment, r: Responder) -> None:
    lang = r.language
    r.say("shipment", carrier=i18n.carrier(lang, s.carrier), tracking=s.tracking_number,
          status=i18n.shipment_status(lang, s.status))
    event = s.latest_event
    if event is not None and s.status != "delivered":
        r.say("last_event", description=event.description or i18n.t(lang, f"ship.{event.status}"),
              location=event.location or "", date=i18n.day(event.at, lang))
    if s.estimated_delivery and s.status in {"label_created", "in_transit", "out_for_delivery", "customs_hold"}:
        r.say("eta", date=i18n.day(s.estimated_delivery, lang))


def order_card(order: Order, lang: str) -> dict[str, Any]:
    """What the widget draws for an order (facts only; texts are in the reply)."""
    return {
        "order_id": order.id, "status": order.status, "placed_at": order.placed_at.isoformat(),
        "total": i18n.money(order.total, order.currency, lang),
        "items": [{"sku": i.sku, "name": i.name, "quantity": i.quantity} for i in order.items],
        "shipments": [{"carrier": s.carrier, "tracking_number": s.tracking_number, "status": s.status,
                       "status_text": i18n.t(lang, f"ship.{s.status}"),
                       "estimated_delivery": s.estimated_delivery.isoformat() if s.estimated_delivery else None}
                      for s in order.shipments],
    }
