"""Export: one JSON document with everything Portside holds about a person (GDPR art. 15/20, CCPA right to know)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, select

from assistant.privacy.subject import Subject
from assistant.storage import schema as t
from connectors.sql import schema as st

FORMAT = "portside.privacy-export/1"


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _rows(conn: Connection, table: Table, column: Any, keys: Sequence[Any], order: Any = None) -> list[dict]:
    if not keys:
        return []
    query = select(table).where(column.in_(list(keys)))
    if order is not None:
        query = query.order_by(order)
    return [_jsonable(dict(r)) for r in conn.execute(query).mappings()]


def export(conn: Connection, subject: Subject, now: datetime) -> dict[str, Any]:
    orders = _rows(conn, st.orders, st.orders.c.id, subject.order_ids, st.orders.c.placed_at)
    items = _rows(conn, st.order_items, st.order_items.c.order_id, subject.order_ids)
    shipments = _rows(conn, st.shipments, st.shipments.c.order_id, subject.order_ids)
    for order in orders:
        order["items"] = [i for i in items if i["order_id"] == order["id"]]
        order["shipments"] = [s for s in shipments if s["order_id"] == order["id"]]
    sessions = _rows(conn, t.sessions, t.sessions.c.id, subject.session_ids, t.sessions.c.created_at)
    messages = _rows(conn, t.messages, t.messages.c.session_id, subject.session_ids, t.messages.c.id)
    for session in sessions:
        session["messages"] = [m for m in messages if m["session_id"] == session["id"]]
    webhooks = _rows(conn, t.inbound_webhooks, t.inbound_webhooks.c.id, subject.webhook_ids)
    for hook in webhooks:
        try:
            hook["payload"] = json.loads(hook["payload"])
        except ValueError:
            pass
        hook.pop("headers", None)  # signatures, not personal data
    return {
        "format": FORMAT,
        "generated_at": now.isoformat(),
        "subject": {"customer_id": subject.customer_id, "email": subject.email},
        "customer": _jsonable(subject.customer),
        "orders": orders,
        "conversations": sessions,
        "csat": [{"session_id": s["id"], "score": s["csat"], "comment": s["csat_comment"]}
                 for s in sessions if s["csat"] is not None],
        "events": _rows(conn, t.events, t.events.c.session_id, subject.session_ids, t.events.c.id),
        "handoffs": _rows(conn, t.handoffs, t.handoffs.c.id, subject.handoff_ids, t.handoffs.c.created_at),
        "returns": _rows(conn, t.returns, t.returns.c.rma_id, subject.rma_ids, t.returns.c.created_at),
        "slack_messages": _rows(conn, t.slack_messages, t.slack_messages.c.handoff_id, subject.handoff_ids)
        + _rows(conn, t.slack_messages, t.slack_messages.c.privacy_request_id, subject.request_ids),
        "privacy_requests": _rows(conn, t.privacy_requests, t.privacy_requests.c.id, subject.request_ids),
        "platform_webhooks": webhooks,
        "tracking_notices": _rows(conn, t.tracking_notices, t.tracking_notices.c.order_id, subject.order_ids),
    }
