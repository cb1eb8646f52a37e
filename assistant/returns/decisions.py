"""Staff decisions on a return draft, shared by the staff API and Slack: decide, tell the shopper, update Slack."""

from __future__ import annotations

from typing import Any

from assistant import i18n
from assistant.audit import Actor, as_actor
from assistant.runtime import Services


def decide_return(services: Services, rma_id: str, approve: bool, staff: Actor | str) -> dict[str, Any]:
    from assistant.actions.returns import push_decision

    actor = as_actor(staff)
    row = services.returns.decide(rma_id, approve, actor)  # raises KeyError / ReturnStateError
    # The store platform hears the decision too (through the outbox: a platform outage delays it, never loses it).
    submitted = push_decision(services, row, note=f"decided by {actor.shown} in Portside")
    if submitted.platform != "sql":
        row = {**row, "platform": {"name": submitted.platform, "status": submitted.status,
                                   "reason": submitted.reason}}
    session = services.conversations.get_session(row["session_id"]) if row["session_id"] else None
    if session is not None:
        lang = session.state.language or "en"
        parts = [i18n.t(lang, "return_created" if approve else "return_rejected", rma=rma_id)]
        label = services.returns.label_url(rma_id) if approve and row["return_required"] else None
        if label:
            parts.append(i18n.t(lang, "return_label", rma=rma_id, url=label))
        action = {"type": "return_draft", "rma_id": rma_id, "order_id": row["order_id"], "items": row["items"],
                  "eligible": row["eligible"], "reason_code": row["reason_code"],
                  "refund_amount": row["refund_amount"], "currency": row["currency"],
                  "return_required": row["return_required"], "status": row["status"],
                  **({"label_url": label} if label else {})}
        msg = services.conversations.add_message(session.id, "assistant", "\n\n".join(parts), language=lang,
                                                 meta={"actions": [action], "author": actor.shown})
        services.events.publish(session.id, "return", {"rma_id": rma_id, "status": row["status"]})
        services.events.publish(session.id, "message", msg.as_json())
        handoff = services.handoffs.open_for_session(session.id)
        if handoff is not None:
            services.handoff_changed(handoff["id"], f"return:{row['status']}")
    return row
