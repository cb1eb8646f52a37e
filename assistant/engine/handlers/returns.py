"""Returns: order → items → reason → policy summary → explicit yes → RMA (and label)."""

from __future__ import annotations

from typing import Any

from assistant import i18n
from assistant.dialogue.named import named_items
from assistant.engine.base import Turn
from assistant.engine.handlers import handles
from assistant.engine.handlers.common import confirm_prompt, delivered_order, ensure_verified, escalate, show_source
from assistant.engine.handlers.policy import answer_from_kb
from assistant.engine.responder import Responder
from assistant.nlu.slots import only_cancel_denies
from assistant.policy.rules import ReturnDecision
from assistant.state import Pending
from assistant.tools.actions import commit_pending, propose_return
from assistant.tools.context import ToolContext
from assistant.tools.kb import cite_source
from connectors.models import Order


def task_data(ctx: ToolContext, intent: str) -> dict[str, Any]:
    p = ctx.state.pending
    return dict(p.data) if p and p.intent == intent else {}


def asks_about_policy(turn: Turn, ctx: ToolContext) -> bool:
    """'How many days do I have to return?' is a question for the help centre, not a return yet."""
    if ctx.state.pending or turn.nlu.slots.order_refs or turn.nlu.slots.reasons:
        return False
    policy = next((s for s in turn.nlu.scores if s.intent == "policy_question"), None)
    return policy is not None and policy.confidence >= 0.3


def confirm_step(turn: Turn, ctx: ToolContext, r: Responder, on_done: Any) -> bool:
    """Handle a parked confirmation; True when this turn was about it."""
    p = ctx.state.pending
    if p is None or p.step != "confirm":
        return False
    slots = turn.nlu.slots
    # Asked "shall I cancel the order?", "ja, stornieren" is a yes: its "no" word is the cancelling itself.
    yes_to_cancel = p.intent == "cancel_order" and only_cancel_denies(turn.text, turn.language)
    if slots.bank_transfer and p.intent == "return_request" and not slots.deny:
        p.data["bank_transfer"] = True  # "yes, but to my bank account": a person pays it out
        committed(turn, ctx, r, on_done, commit_pending(ctx))
    elif slots.deny and not yes_to_cancel:
        ctx.state.pending = None
        r.say("action_cancelled")
    elif slots.affirm or yes_to_cancel:
        committed(turn, ctx, r, on_done, commit_pending(ctx))
    else:
        r.say(confirm_prompt(p.intent))
    return True


def committed(turn: Turn, ctx: ToolContext, r: Responder, on_done: Any, action: dict[str, Any]) -> None:
    """Answer a commit, and what the store platform made of it: refused → the platform's reason and a person;
    still queued (throttled, down) → a cancellation or address change is not claimed done before the platform
    has it, a return is, with a note that the store's system follows."""
    platform = action.get("platform") or {}
    if platform.get("status") == "rejected":
        r.say("platform_rejected")
        if platform.get("reason"):  # the platform's own words, as the carrier's are kept in tracking updates
            r.say("platform_reason", reason=platform["reason"])
        escalate(turn, ctx, r, "platform_rejected", order_id=action["order_id"], draft=action)
        return
    queued = platform.get("status") == "queued"
    if queued and "done" in action:
        r.say("platform_queued", order_id=action["order_id"])
        return
    on_done(action)
    if queued:
        r.say("platform_queued", order_id=action["order_id"])


def pick_items(turn: Turn, r: Responder, order: Order, data: dict[str, Any], intent: str,
               ctx: ToolContext) -> list[str] | None:
    if data.get("skus"):
        return list(data["skus"])
    names = [i.name for i in order.items]
    if len(order.items) == 1:
        return [order.items[0].sku]
    chosen = named_items(turn, ctx, names)
    if chosen:
        return [order.items[n - 1].sku for n in chosen]
    options = "\n".join(i18n.t(r.language, "item_option", n=n, name=i.name,
                               price=i18n.money(i.unit_price, order.currency, r.language))
                        for n, i in enumerate(order.items, 1))
    r.say("ask_items", items=options)
    ctx.state.pending = Pending(intent=intent, step="items", data={**data, "order_id": order.id,
                                                                   "item_names": names})
    return None


@handles("return_request")
def return_request(turn: Turn, ctx: ToolContext, r: Responder) -> None:
    if asks_about_policy(turn, ctx):
        answer_from_kb(turn, ctx, r, topic="returns")
        return
    data = task_data(ctx, "return_request")
    if turn.nlu.slots.reasons and not data.get("reason"):
        data["reason"] = turn.nlu.slots.reasons[0]  # said once, remembered through the questions that follow
    if not ensure_verified(turn, ctx, r, "return_request", data):
        return
    if confirm_step(turn, ctx, r, lambda action: _done(turn, ctx, r, action)):
        return
    order = delivered_order(turn, ctx, r, "return_request", data)
    if order is None:
        return
    skus = pick_items(turn, r, order, data, "return_request", ctx)
    if skus is None:
        return
    reason = data.get("reason") or next(iter(turn.nlu.slots.reasons), None)
    if reason is None:
        ctx.state.pending = Pending(intent="return_request", step="reason",
                                    data={**data, "order_id": order.id, "skus": skus})
        r.say("ask_reason")
        return
    decision = propose_return(ctx, order.id, skus, reason)
    if not decision.eligible:
        explain_ineligible(decision, order, ctx, r)
        return
    summarize(order, skus, reason, decision, r)
    r.say("confirm_prompt")


def explain_ineligible(decision: ReturnDecision, order: Order, ctx: ToolContext, r: Responder) -> None:
    ctx.state.pending = None
    failing = decision.failing
    code = decision.reason_code
    key = {"outside_defect_window": "ineligible.defect_window"}.get(code, f"ineligible.{code}")
    r.say(key, days=failing.window_days if failing else "",
          date=i18n.day(failing.deadline, r.language) if failing and failing.deadline else "")
    hit = cite_source(ctx, code, "return window final sale damaged defective items policy", topic="returns")
    if hit:
        show_source(ctx, r, hit)
    offer_human(ctx, r, "policy_exception", order.id)


def offer_human(ctx: ToolContext, r: Responder, reason: str, order_id: str | None = None) -> None:
    """Ask whether a person should look at it; a yes hands off with this reason (see smalltalk.human_agent)."""
    r.say("offer_human")
    ctx.state.pending = Pending(intent="human_agent", step="confirm", data={"reason": reason, "order_id": order_id})


def summarize(order: Order, skus: list[str], reason: str, d: ReturnDecision, r: Responder) -> None:
    lang = r.language
    names = [i.name for i in order.items if i.sku in skus]
    method = i18n.refund_method(lang, d.refund_method, order.payment_method)
    fee_note = i18n.t(lang, "return_fee_note", fee=i18n.money(d.fee, d.currency, lang)) if d.fee else ""
    r.say("return_summary", order_id=order.id, items=i18n.join(names, lang), reason=i18n.t(lang, f"reason.{reason}"),
          refund=i18n.money(d.refund_amount, d.currency, lang), refund_method=method, fee_note=fee_note)
    if not d.return_required:
        r.say("return_keep_item")
    elif d.hub is not None:
        r.say("return_ship_to_hub", hub=d.hub.name, address=d.hub.address)
    elif d.free_label:
        r.say("return_ship_with_label")
    else:
        r.say("return_ship_paid")
    if d.needs_approval:
        r.say("return_needs_approval")
    if d.refund_method == "store_credit":
        r.say("cash_refund_note")


def _done(turn: Turn, ctx: ToolContext, r: Responder, action: dict[str, Any]) -> None:
    if not action.get("rma_id"):
        r.say("ineligible.outside_window", days="", date="")
        return
    if not action.get("created"):
        r.say("return_existing", rma=action["rma_id"], status=i18n.t(r.language, f"rma_status.{action['status']}"))
    elif action["status"] == "approved":
        r.say("return_created", rma=action["rma_id"])
    else:
        r.say("return_created_pending", rma=action["rma_id"])
    if action.get("label_url"):
        r.say("return_label", rma=action["rma_id"], url=action["label_url"])
    if action["status"] == "awaiting_approval" and action.get("created"):
        reason = "bank_transfer_refund" if action.get("refund_method") == "bank_transfer" else "refund_approval"
        escalate(turn, ctx, r, reason, order_id=action["order_id"], draft=action)
