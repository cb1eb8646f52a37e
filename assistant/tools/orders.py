"""Order tools. A verified session sees only its own customer's orders; another customer's order looks exactly
like one that does not exist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assistant.identity import MAX_VERIFY_ATTEMPTS, Attempt, attempt_from, matches_order
from assistant.tools.context import ToolContext
from assistant.tools.registry import tool
from assistant.verification.lockout import Keys
from connectors.models import Order, Shipment


@dataclass(frozen=True)
class VerifyOutcome:
    verified: bool
    locked: bool
    attempts_left: int
    ambiguous: bool = False  # several emails or postal codes in one attempt: send one
    locked_until: datetime | None = None  # the order, its customer or this client is locked until then
    newly_locked: bool = False  # this attempt locked it (staff are told once, not on every later attempt)
    security: dict[str, Any] | None = None  # what staff see about an attack: failures per key, lockout end


def resolve_order_ref(ctx: ToolContext, ref: str, within: list[Order] | None = None) -> Order | None:
    """The order a reference means ("BR-100234", "#W2611340", or a bare "100234"), or None if unclear.

    With `within` (a verified customer's orders) only those count; otherwise the whole store is searched.
    """
    raw = ref.strip().lstrip("#").strip()
    exact = list(dict.fromkeys([raw, raw.upper()]))
    if within is not None:
        by_id = {o.id: o for o in within}
        for cand in exact:
            if cand in by_id:
                return by_id[cand]
        same_number = [o for o in within if raw.isdigit() and o.id.rsplit("-", 1)[-1] == raw]
        return same_number[0] if len(same_number) == 1 else None
    store = ctx.services.store
    cands = exact + ([p + raw for p in store.order_prefixes()] if raw.isdigit() else [])
    found = store.find_order_ids(cands)
    return store.get_order(found[0]) if len(found) == 1 else None


def lockout_keys(ctx: ToolContext, ref: str, order: Order | None) -> Keys:
    return Keys(order=order.id if order else ref.strip().lstrip("#").strip().upper(),
                customer=order.customer_id if order else None, client=ctx.client)


@tool()
def verify_identity(ctx: ToolContext, order_id: str, email: str | None = None,
                    postal_code: str | None = None, message: str = "") -> VerifyOutcome:
    """Verify the shopper by an order number plus ONE detail: the email address or the postal code used for that
    order. Failures count per order, customer and client across chats; limits lock verification for a while."""
    state = ctx.state
    if state.verify_locked:
        return VerifyOutcome(False, True, 0)
    order = resolve_order_ref(ctx, order_id)
    keys = lockout_keys(ctx, order_id, order)
    lockout = ctx.services.lockout
    until = lockout.locked_until(keys)
    if until is not None:  # refused unchecked: a locked order can't be verified even with the right details
        ctx.record({"type": "verify", "method": "order", "verified": False, "locked": True})
        return VerifyOutcome(False, True, 0, locked_until=until)
    attempt = attempt_from(message, order_id, remembered_email=email, remembered_postal=postal_code)
    customer = ctx.services.store.get_customer(order.customer_id) if order else None
    result = matches_order(order, customer, attempt)
    if result.ok and order is not None:
        lockout.succeed(keys)
        state.customer_id, state.verified_via, state.verify_factor = result.customer_id, "order", result.factor
        state.current_order_id, state.verify_failures = order.id, 0
        state.forget_guest_details()
        ctx.record({"type": "verify", "method": "order", "verified": True})
        return VerifyOutcome(True, False, MAX_VERIFY_ATTEMPTS)
    failure = lockout.fail(keys)
    ctx.on_rollback(lambda: lockout.unfail(failure))
    state.verify_failures += 1
    state.verify_locked = state.verify_failures >= MAX_VERIFY_ATTEMPTS
    ctx.record({"type": "verify", "method": "order", "verified": False})
    locked = state.verify_locked or failure.locked_until is not None
    security = {"order_ref": keys.order, "failures": failure.failures, "locked_keys": failure.newly_locked,
                "locked_until": failure.locked_until.isoformat() if failure.locked_until else None,
                "session_failures": state.verify_failures}
    return VerifyOutcome(False, locked, 0 if locked else max(0, MAX_VERIFY_ATTEMPTS - state.verify_failures),
                         ambiguous=result.ambiguous, locked_until=failure.locked_until,
                         newly_locked=bool(failure.newly_locked) or state.verify_locked, security=security)


def needs_email(ctx: ToolContext, action: str) -> bool:
    """Guests verified only by a postal code (printed on every parcel) need the order's email for this action."""
    state = ctx.state
    return (action in ctx.services.policy.verification.strong_factor_actions and state.verified_via == "order"
            and state.verify_factor != "email")


@tool()
def confirm_email(ctx: ToolContext, order_id: str, message: str) -> VerifyOutcome:
    """Confirm a verified guest's order with ONE email address from the message (the stronger factor some actions
    need). Failures count like verification failures."""
    customer_id = ctx.require_verified()
    order = resolve_order_ref(ctx, order_id, ctx.services.store.orders_for_customer(customer_id))
    keys = lockout_keys(ctx, order_id, order)
    lockout = ctx.services.lockout
    until = lockout.locked_until(keys)
    if until is not None:
        return VerifyOutcome(False, True, 0, locked_until=until)
    found = attempt_from(message, None)
    attempt = Attempt(found.emails, ())
    customer = ctx.services.store.get_customer(customer_id)
    result = matches_order(order, customer, attempt)
    if result.ok and result.factor == "email":
        lockout.succeed(keys)
        ctx.state.verify_factor = "email"
        ctx.record({"type": "verify", "method": "email", "verified": True})
        return VerifyOutcome(True, False, MAX_VERIFY_ATTEMPTS)
    failure = lockout.fail(keys)
    ctx.on_rollback(lambda: lockout.unfail(failure))
    ctx.state.verify_failures += 1
    locked = failure.locked_until is not None or ctx.state.verify_failures >= MAX_VERIFY_ATTEMPTS
    ctx.record({"type": "verify", "method": "email", "verified": False})
    return VerifyOutcome(False, locked, max(0, MAX_VERIFY_ATTEMPTS - ctx.state.verify_failures),
                         ambiguous=result.ambiguous, locked_until=failure.locked_until)


@tool()
def list_my_orders(ctx: ToolContext) -> list[Order]:
    """The verified shopper's orders, newest first."""
    return ctx.services.store.orders_for_customer(ctx.require_verified())


@tool()
def lookup_order(ctx: ToolContext, order_id: str) -> Order | None:
    """One of the verified shopper's orders by its number; None if there is no such order on their account."""
    customer_id = ctx.require_verified()
    order = resolve_order_ref(ctx, order_id, ctx.services.store.orders_for_customer(customer_id))
    if order is None or order.customer_id != customer_id:
        return None
    ctx.state.current_order_id = order.id
    ctx.record({"type": "order_lookup", "order_id": order.id})
    ctx.remember(*order_facts(order))
    return order


@tool()
def track_shipment(ctx: ToolContext, tracking_number: str) -> tuple[Order, Shipment] | None:
    """A shipment of the verified shopper by tracking number; None if it is not theirs or does not exist."""
    customer_id = ctx.require_verified()
    found = ctx.services.store.find_shipment(tracking_number.strip().upper())
    if found is None or found[0].customer_id != customer_id:
        return None
    order, shipment = found
    ctx.state.current_order_id = order.id
    ctx.record({"type": "order_lookup", "order_id": order.id, "tracking_number": shipment.tracking_number})
    ctx.remember(*order_facts(order))
    return order, shipment


def order_facts(order: Order) -> list[Any]:
    """Every value a reply may state about this order (the grounding check compares against these)."""
    facts: list[Any] = [order.id, order.status, order.total, order.currency, order.payment_method,
                        order.placed_at.date().isoformat()]
    for item in order.items:
        facts += [item.sku, item.name, item.unit_price, item.quantity]
    for s in order.shipments:
        facts += [s.tracking_number, s.carrier, s.status, s.estimated_delivery,
                  s.delivered_at.date().isoformat() if s.delivered_at else None]
        for e in s.events:
            facts += [e.status, e.location, e.description, e.at.date().isoformat()]
    if order.duties:
        facts += [order.duties.amount, order.duties.status]
    return facts
