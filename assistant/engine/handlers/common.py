"""Steps shared by handlers: verification, choosing an order, escalating."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from assistant import i18n
from assistant.dialogue.loops import kept_task
from assistant.dialogue.named import order_by_item
from assistant.engine.base import Turn
from assistant.engine.responder import Responder
from assistant.identity import MAX_VERIFY_ATTEMPTS
from assistant.nlu.slots import without
from assistant.state import Pending
from assistant.tools.context import ToolContext
from assistant.tools.orders import (
    confirm_email,
    list_my_orders,
    lookup_order,
    needs_email,
    track_shipment,
    verify_identity,
)
from connectors.models import Order
from knowledge.retrieval import Hit

EXAMPLE_ORDER = "BR-000123"  # a shape, not a real order: examples must not point at anyone's data


def escalate(turn: Turn, ctx: ToolContext, r: Responder, reason: str, *, order_id: str | None = None,
             draft: dict[str, Any] | None = None, security: dict[str, Any] | None = None) -> None:
    """Hand the conversation to a person with what is known: the task under way (or the one an offered person
    was accepted for), its order, and any order number the shopper wrote."""
    pending = ctx.state.pending
    task = None
    if pending is not None:
        task = pending.data.get("task") if pending.intent == "human_agent" else kept_task(pending)
    order_id = order_id or (task or {}).get("order_id") or named_order(ctx, turn)
    named = list(dict.fromkeys([*turn.nlu.slots.order_refs,
                                *([ctx.state.guest_order_ref] if ctx.state.guest_order_ref else [])]))
    handoff = ctx.services.handoffs.create(ctx, reason, shopper_words=turn.text, order_id=order_id,
                                           return_draft=draft, security=security, task=task, named_orders=named)
    ctx.handoff = handoff
    ctx.state.pending = None
    r.say("handoff_created", when=handoff["expected"])


def named_order(ctx: ToolContext, turn: Turn) -> str | None:
    """The order this message names, when it is the verified shopper's own (a guest's stays a named number)."""
    if not ctx.state.verified:
        return None
    for ref in turn.nlu.slots.order_refs:
        order = lookup_order(ctx, ref)
        if order is not None:
            return order.id
    return None


def show_source(ctx: ToolContext, r: Responder, hit: Hit) -> None:
    """Cite a help-centre card for this turn and link it in the reply."""
    ctx.citations.append(hit.citation)
    r.say("source", title=hit.title, url=hit.url)


def ensure_verified(turn: Turn, ctx: ToolContext, r: Responder, intent: str, data: dict[str, Any]) -> bool:
    """True when the session is verified (now or before). Otherwise asks for what is missing and parks the task.

    A guest may give the order number and the email or postal code in either order, in one message or two: the
    engine remembers what came first in the session state (identity.remember_contact) until it is tried here.
    """
    state = ctx.state
    if state.verified:
        return True
    if state.verify_locked:
        r.say("verify_locked")
        escalate(turn, ctx, r, "verification_locked")
        return False
    slots = turn.nlu.slots
    ref = next(iter(slots.order_refs), None) or state.guest_order_ref
    contact = bool(slots.emails or slots.postal_codes or state.guest_email or state.guest_postal_code)
    if ref and (contact or _has_postal_like(turn.text, ref)):
        # This message's own details are in its text; the remembered ones are passed along.
        outcome = verify_identity(ctx, ref, email=state.guest_email, postal_code=state.guest_postal_code,
                                  message=turn.text)
        if outcome.verified:
            r.say("verified")
            return True
        state.forget_guest_contact()  # tried: never retried on its own
        if outcome.locked:
            state.forget_guest_details()
            if outcome.newly_locked or state.verify_locked:
                r.say("verify_locked")  # staff hear of it once, when the lock happens, with what was tried
                escalate(turn, ctx, r, "verification_locked", security=outcome.security)
            else:  # locked by earlier attempts (maybe other chats): no new handoff for every try
                r.say("verify_paused", minutes=minutes_until(ctx, outcome.locked_until))
            return False
        state.guest_order_ref = ref  # "sorry, it's 110111": a corrected email or postal code alone is enough
        r.say("verify_ambiguous" if outcome.ambiguous else "verify_failed", remaining=outcome.attempts_left)
    elif ref:
        state.guest_order_ref = ref  # remember it, reveal nothing about it
        r.say("ask_verify_contact")
    elif contact:
        r.say("ask_verify_order", example=EXAMPLE_ORDER)
    else:
        r.say("ask_verify")
    state.pending = Pending(intent=intent, step="verify", data=data)
    return False


def ensure_strong_factor(turn: Turn, ctx: ToolContext, r: Responder, intent: str, data: dict[str, Any]) -> bool:
    """True when the session may do `intent`: a guest verified only by a postal code is asked for the order's
    email first when the policy names the action (verification.strong_factor_actions)."""
    if not needs_email(ctx, intent):
        return True
    state = ctx.state
    order_id = data.get("order_id") or state.current_order_id
    if turn.nlu.slots.emails and order_id:
        outcome = confirm_email(ctx, order_id, turn.text)
        if outcome.verified:
            return True
        if outcome.locked:
            state.pending = None
            if outcome.locked_until is None or state.verify_failures >= MAX_VERIFY_ATTEMPTS:
                r.say("verify_locked")
                escalate(turn, ctx, r, "verification_locked", security=outcome.security)
            else:
                r.say("verify_paused", minutes=minutes_until(ctx, outcome.locked_until))
            return False
        r.say("verify_ambiguous" if outcome.ambiguous else "verify_failed", remaining=outcome.attempts_left)
    else:
        r.say("verify_need_email")
    state.pending = Pending(intent=intent, step="verify", data={**data, "order_id": order_id, "strong_factor": True})
    return False


def confirm_prompt(intent: str) -> str:
    """The locale key asking for a yes/no: for a cancellation "no" keeps the order, it cancels nothing else."""
    return "confirm_prompt_cancel" if intent == "cancel_order" else "confirm_prompt"


def minutes_until(ctx: ToolContext, when: datetime | None) -> int:
    if when is None:
        return 1
    return max(1, math.ceil((when - ctx.now).total_seconds() / 60))


def _has_postal_like(text: str, ref: str) -> bool:
    return any(ch.isdigit() for ch in without(text, [ref]))


def choose_order(turn: Turn, ctx: ToolContext, r: Responder, intent: str, data: dict[str, Any],
                 prefer: tuple[str, ...] = (), none_key: str | None = None) -> Order | None:
    """The order the shopper means: named in the message, the one being discussed, the only candidate, the one
    holding the product named, or ask. With `none_key`, only orders in a `prefer` status will do: when there is
    none, that is said instead of listing orders the task can't be done for."""
    slots = turn.nlu.slots
    for ref in slots.order_refs:
        order = lookup_order(ctx, ref)
        if order is None:
            r.say("order_not_found", ref=ref)
            return None
        return order
    for number in slots.tracking_numbers:
        found = track_shipment(ctx, number)
        if found:
            return found[0]
    orders: list[Order] | None = None
    if ctx.state.current_order_id and not data.get("ask_again"):
        order = lookup_order(ctx, ctx.state.current_order_id)
        if order:
            # "the T-shirt" while another order is being discussed: the order holding the T-shirt is meant.
            orders = list_my_orders(ctx)
            other = order_by_item(turn, ctx, orders)
            if other is None or other.id == order.id:
                return order
            return said_order(ctx, r, other)
    orders = orders if orders is not None else list_my_orders(ctx)
    if not orders:
        r.say("no_orders")
        return None
    candidates = [o for o in orders if o.status in prefer] if prefer else orders
    if len(candidates) == 1:
        return lookup_order(ctx, candidates[0].id)
    if not candidates and none_key:
        ctx.state.pending = None
        r.say(none_key)
        return None
    if not candidates:
        candidates = orders
    named = order_by_item(turn, ctx, candidates)  # "return the lamp": the one order holding a lamp
    if named is not None:
        return said_order(ctx, r, named)
    lines = [i18n.t(r.language, "order_option", order_id=o.id, date=i18n.day(o.placed_at, r.language),
                    items=i18n.join([i.name for i in o.items], r.language),
                    status=i18n.order_status(r.language, o.status))
             for o in candidates[:6]]
    r.say("choose_order", orders="\n".join(lines))
    # The listed orders, so "the sneakers" can answer the question as well as an order number.
    ctx.state.pending = Pending(intent=intent, step="order", data={**data, "order_ids": [o.id for o in candidates[:6]]})
    return None


def said_order(ctx: ToolContext, r: Responder, order: Order) -> Order | None:
    """An order picked from what the shopper named, said so a wrong pick is seen at once (the summary before any
    commit names the order again)."""
    r.say("order_named", order_id=order.id, date=i18n.day(order.placed_at, r.language),
          items=i18n.join([i.name for i in order.items], r.language))
    return lookup_order(ctx, order.id)


def task_order(turn: Turn, ctx: ToolContext, r: Responder, intent: str, data: dict[str, Any],
               prefer: tuple[str, ...], none_key: str | None = None) -> Order | None:
    """The order a multi-turn task is about: remembered in its data, or chosen now."""
    if data.get("order_id"):
        return lookup_order(ctx, data["order_id"])
    return choose_order(turn, ctx, r, intent, data, prefer=prefer, none_key=none_key)


def delivered_order(turn: Turn, ctx: ToolContext, r: Responder, intent: str, data: dict[str, Any]) -> Order | None:
    """As task_order, for returns and exchanges: only a delivered order will do."""
    order = task_order(turn, ctx, r, intent, data, ("delivered",), none_key="none_delivered")
    if order is not None and order.status != "delivered":
        ctx.state.pending = None
        r.say("need_delivered", order_id=order.id, status=i18n.order_status(r.language, order.status))
        return None
    return order
