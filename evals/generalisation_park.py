"""Put a conversation at a task's step, as the task's handler leaves it, for an `answer` case: the shopper is
signed in (or verified), the order is the one under discussion, the pending task holds what the handler keeps at
that step, and the question is the last thing the assistant said. A confirmation is a real proposal made by the
product's own propose_* tools, so a "yes" commits it."""

from __future__ import annotations

from collections.abc import Callable

from assistant import i18n
from assistant.state import Pending
from assistant.tools.actions import propose_address_change, propose_cancel, propose_exchange, propose_return
from assistant.tools.context import ToolContext
from assistant.tools.orders import lookup_order
from connectors.models import Order
from evals.generalisation_outcome import Asked
from evals.world import CaseWorld, SetupError

NEW_STREET = "Harbour Road 12"  # any new street: the proposal only has to be one the policy allows


def _items(ctx: ToolContext, order: Order, task: str) -> str:
    # returns.pick_items: the item names are kept so the answer can be matched against them
    names = [i.name for i in order.items]
    ctx.state.pending = Pending(intent=task, step="items", data={"order_id": order.id, "item_names": names})
    options = "\n".join(i18n.t(ctx.language, "item_option", n=n, name=i.name,
                               price=i18n.money(i.unit_price, order.currency, ctx.language))
                        for n, i in enumerate(order.items, 1))
    return i18n.t(ctx.language, "ask_items", items=options)


def _reason(ctx: ToolContext, order: Order, task: str) -> str:
    # returns.return_request: order and items known, the reason asked. The exchange handler never asks for a
    # reason; an exchange parked here has the return handler's shape.
    ctx.state.pending = Pending(intent=task, step="reason",
                                data={"order_id": order.id, "skus": [i.sku for i in order.items]})
    return i18n.t(ctx.language, "ask_reason")


def _confirm_return(ctx: ToolContext, order: Order) -> None:
    rp = ctx.services.policy.returns
    skus = [i.sku for i in order.items]
    for reason in (*rp.other_reasons, *rp.defect_reasons):  # the first reason the policy accepts
        if propose_return(ctx, order.id, skus, reason).eligible:
            return
    raise SetupError(f"no return of {order.id} is allowed for any reason: nothing to confirm")


def _confirm_exchange(ctx: ToolContext, order: Order) -> None:
    store = ctx.services.store
    for item in order.items:
        product = store.get_product(item.sku)
        variants = [p for p in store.products_of(product.product_id) if p.sku != item.sku] \
            if product and product.product_id else []
        for target in variants:
            for reason in ("wrong_size", "defective"):
                if propose_exchange(ctx, order.id, item.sku, target.sku, reason).eligible:
                    return
    raise SetupError(f"no exchange of an item of {order.id} is allowed: nothing to confirm")


def _confirm_cancel(ctx: ToolContext, order: Order) -> None:
    if not propose_cancel(ctx, order.id):
        raise SetupError(f"{order.id} ({order.status}) cannot be cancelled: nothing to confirm")


def _confirm_address(ctx: ToolContext, order: Order) -> None:
    old = order.shipping_address
    if not propose_address_change(ctx, order.id, NEW_STREET, old.city, old.postal_code or ""):
        raise SetupError(f"the address of {order.id} ({order.status}) cannot be changed: nothing to confirm")


CONFIRMS: dict[str, Callable[[ToolContext, Order], None]] = {
    "return_request": _confirm_return, "exchange_request": _confirm_exchange,
    "cancel_order": _confirm_cancel, "change_address": _confirm_address}


def park(world: CaseWorld, task: str, step: str, language: str) -> tuple[str, Asked]:
    """A new session waiting at (task, step) on the case's order; returns its id and what it waits for."""
    services = world.services
    conv = services.conversations
    session = conv.create_session()
    state = session.state
    state.language = language  # the question was asked in the shopper's language
    order_ref = world.values.get("order")
    subject = services.store.get_order(order_ref) if order_ref else None
    if subject is None:
        raise SetupError("an answer case needs an order (setup.as scenario:<name>, or setup.order for a guest)")
    if world.own_customer_id:
        state.customer_id, state.verified_via = world.own_customer_id, "token"  # as ChatService applies a token
    else:  # a guest who already proved the order with its email
        state.customer_id, state.verified_via, state.verify_factor = subject.customer_id, "order", "email"
    ctx = ToolContext(services, session.id, state, language)
    order = lookup_order(ctx, subject.id)  # as the handlers do: the order under discussion
    if order is None:
        raise SetupError(f"order {subject.id} is not the shopper's")
    if step == "items":
        question = _items(ctx, order, task)
    elif step == "reason":
        question = _reason(ctx, order, task)
    elif step == "confirm":
        CONFIRMS[task](ctx, order)
        question = i18n.t(language, "confirm_prompt")
    else:
        raise SetupError(f"cannot put a conversation at step {step}")
    conv.add_message(session.id, "assistant", question, language=language, intent=task)
    conv.save_session(session)
    pending = state.pending
    assert pending is not None and pending.step == step, (pending, step)
    return session.id, Asked(pending.intent, pending.step, dict(pending.data))
