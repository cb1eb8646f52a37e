"""No loops: the same question is never asked a third time.

After one miss the question is asked again with a hint at the buttons; after a second miss the assistant offers a
person instead, keeping what the shopper already gave (order, items, reason) for the handoff. Verification is
left to its own limit (failed attempts lock the order), except the strong-factor email question, and a handoff in
progress ends the task anyway.
"""

from __future__ import annotations

from typing import Any

from assistant import i18n
from assistant.state import Pending
from assistant.tools.context import ToolContext

KEPT = ("order_id", "skus", "item_names", "reason", "variant", "address")  # what staff need to finish the task
UNGUARDED = {"verify"}


def kept_task(pending: Pending) -> dict[str, Any]:
    """The task and what the shopper already gave, for a handoff packet."""
    data = {k: pending.data[k] for k in KEPT if pending.data.get(k) is not None}
    return {"intent": pending.intent, "step": pending.step, **data}


def missed(before: Pending | None, after: Pending | None) -> bool:
    """The turn left the task waiting on the very question it waited on before."""
    return (before is not None and after is not None and guarded(after)
            and (before.intent, before.step) == (after.intent, after.step) and after.intent != "human_agent")


def guarded(pending: Pending) -> bool:
    """Verification has its own limit, failed attempts; asking a verified guest for the order's email as well
    (a strong factor) has none when no email is sent, so that question is guarded like any other."""
    return pending.step not in UNGUARDED or bool(pending.data.get("strong_factor"))


def guard_loop(before: Pending | None, ctx: ToolContext, text: str, has_choices: bool) -> str:
    """The reply text to send: as the engine wrote it, with a hint after a miss, or an offer of a person instead
    of the same question a third time."""
    state = ctx.state
    if ctx.handoff is not None or not missed(before, state.pending):
        state.misses = 0
        return text
    state.misses += 1
    if state.misses == 1:
        hint = i18n.t(ctx.language, "ask_again_buttons" if has_choices else "ask_again_words")
        return f"{text}\n\n{hint}"
    task = state.pending
    assert task is not None  # missed() saw it
    state.misses = 0
    state.pending = Pending(intent="human_agent", step="confirm",
                            data={"reason": "task_stuck", "order_id": task.data.get("order_id"),
                                  "task": kept_task(task)})
    return i18n.t(ctx.language, "loop_offer_human")
