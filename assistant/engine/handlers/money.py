"""Refund status and payment problems."""

from __future__ import annotations

from assistant import i18n
from assistant.engine.base import Turn
from assistant.engine.handlers import handles
from assistant.engine.handlers.common import ensure_verified, escalate
from assistant.engine.handlers.policy import answer_from_kb
from assistant.engine.responder import Responder
from assistant.tools.context import ToolContext
from assistant.tools.registry import tool


@tool()
def refund_status(ctx: ToolContext) -> list[dict[str, object]]:
    """The verified shopper's returns and exchanges with their status and refund amounts."""
    rows = ctx.services.returns.for_customer(ctx.require_verified())
    for row in rows:
        ctx.remember(row["rma_id"], row["status"], row["refund_amount"], row["order_id"])
    return rows


@handles("refund_status")
def refund_status_handler(turn: Turn, ctx: ToolContext, r: Responder) -> None:
    if not ensure_verified(turn, ctx, r, "refund_status", {}):
        return
    ctx.state.pending = None
    rows = [row for row in refund_status(ctx) if row["kind"] == "return"]
    if not rows:
        r.say("no_refunds")
        return
    lang = r.language
    lines = []
    timings = ctx.services.policy.refund_timing_business_days
    for row in rows[:5]:
        payment = row["detail"].get("payment_method", "")
        method = i18n.refund_method(lang, row["refund_method"], payment)  # bank_transfer too (cash-paid orders)
        lines.append(i18n.t(lang, "refund_status_line", rma=row["rma_id"], order_id=row["order_id"],
                            status=i18n.return_status(lang, row["status"]),
                            refund=i18n.money(row["refund_amount"], row["currency"], lang), refund_method=method))
        ctx.record({"type": "refund_status", "rma_id": row["rma_id"], "status": row["status"]})
    r.text("\n".join(lines))
    latest = rows[0]
    key = latest["detail"].get("payment_method", "")
    if latest["refund_method"] != "store_credit" and key in timings:
        r.say("refund_timing", timing=timings[key])


@handles("payment_issue")
def payment_issue(turn: Turn, ctx: ToolContext, r: Responder) -> None:
    """Payment problems touch money: answer what the help centre says, and hand the case to a person."""
    answer_from_kb(turn, ctx, r, topic="payments")
    escalate(turn, ctx, r, "payment_issue")
