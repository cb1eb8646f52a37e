"""Erasure (GDPR art. 17, CCPA right to delete): remove or irreversibly anonymise a person everywhere Portside keeps
them, in one transaction, and leave a record that an erasure happened without saying whose.

Deleted: conversations (sessions, messages, events), handoffs and their Slack post rows, tracking notices and
verification counters for the person's orders, platform webhook deliveries naming them, and delivered outbox rows
that carried their data. Anonymised, because the shop's books need them: the customer record (country and language
stay), the orders' shipping addresses (country stays) and the returns (amounts and items stay). The Slack messages
Portside posted about them are deleted through the outbox, so a Slack outage delays that but cannot skip it.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, String, cast, delete, insert, or_, select, update

from assistant.audit import Actor, AuditLog
from assistant.privacy.subject import Subject
from assistant.storage import schema as t
from assistant.storage.outbox import enqueue
from connectors.sql import schema as st

SLACK_DELETE = "slack.delete"
ERASED = "erased"


def _quoted(ids: list[str]) -> list[str]:
    return [f'%"{i}"%' for i in ids]


def erase(conn: Connection, subject: Subject, actor: Actor, audit: AuditLog, now: datetime,
          request_id: str | None = None) -> dict[str, Any]:
    counts: dict[str, int] = {}

    def count(name: str, n: int) -> None:
        if n:
            counts[name] = counts.get(name, 0) + n

    # Slack first: the rows naming the messages go with the handoffs below, the delete jobs stay.
    sm = t.slack_messages.c
    slack_links = [sm.handoff_id.in_(subject.handoff_ids), sm.privacy_request_id.in_(subject.request_ids)]
    posted = conn.execute(select(sm.channel, sm.ts).where(or_(*slack_links))).all()
    for channel, ts in posted:
        enqueue(conn, SLACK_DELETE, f"delete:{channel}:{ts}", {"channel": channel, "ts": ts})
    count("slack_messages_deleted", len(posted))

    # Delivered outbox rows whose payload named the person's handoffs, sessions or returns (Slack texts, platform
    # writes with an address); pending ones for handoffs and sessions too: there is nothing left to deliver.
    ob = t.outbox.c
    payload = cast(ob.payload, String)
    personal = _quoted(subject.handoff_ids + subject.session_ids)
    if personal:
        count("outbox", conn.execute(delete(t.outbox).where(ob.topic != SLACK_DELETE)
                                     .where(or_(*(payload.like(p) for p in personal)))).rowcount)
    records = _quoted(subject.order_ids + subject.rma_ids)
    if records:
        count("outbox", conn.execute(delete(t.outbox).where(ob.topic != SLACK_DELETE).where(ob.done_at.is_not(None))
                                     .where(or_(*(payload.like(p) for p in records)))).rowcount)

    if subject.handoff_ids:
        conn.execute(delete(t.slack_posts).where(t.slack_posts.c.handoff_id.in_(subject.handoff_ids)))
        count("handoffs", conn.execute(delete(t.handoffs).where(t.handoffs.c.id.in_(subject.handoff_ids))).rowcount)
    if subject.session_ids:
        sessions = subject.session_ids
        count("events", conn.execute(delete(t.events).where(t.events.c.session_id.in_(sessions))).rowcount)
        count("messages", conn.execute(delete(t.messages).where(t.messages.c.session_id.in_(sessions))).rowcount)
        count("sessions", conn.execute(delete(t.sessions).where(t.sessions.c.id.in_(sessions))).rowcount)
        conn.execute(update(t.tracking_notices).where(t.tracking_notices.c.session_id.in_(sessions))
                     .values(session_id=None))
    if subject.order_ids:
        count("tracking_notices", conn.execute(delete(t.tracking_notices)
                                               .where(t.tracking_notices.c.order_id.in_(subject.order_ids))).rowcount)
    keys = [f"order:{o}" for o in subject.order_ids] + ([f"customer:{subject.customer_id}"]
                                                        if subject.customer_id else [])
    if keys:
        conn.execute(delete(t.verify_failures).where(t.verify_failures.c.key.in_(keys)))
    if subject.webhook_ids:
        count("platform_webhooks", conn.execute(delete(t.inbound_webhooks)
                                                .where(t.inbound_webhooks.c.id.in_(subject.webhook_ids))).rowcount)
    if subject.rma_ids:
        count("returns_anonymised", conn.execute(
            update(t.returns).where(t.returns.c.rma_id.in_(subject.rma_ids))
            .values(customer_id=ERASED, session_id=None, detail={}, updated_at=now)).rowcount)
    for order_id, address in conn.execute(select(st.orders.c.id, st.orders.c.shipping_address)
                                          .where(st.orders.c.id.in_(subject.order_ids))).all():
        conn.execute(update(st.orders).where(st.orders.c.id == order_id).values(shipping_address={
            "name": ERASED, "line1": ERASED, "line2": None, "city": ERASED, "region": None, "postal_code": None,
            "country": (address or {}).get("country", "ZZ")}))
        count("orders_anonymised", 1)
    if subject.customer is not None:
        token = secrets.token_hex(8)  # unique (email is unique) and unrelated to the person
        conn.execute(update(st.customers).where(st.customers.c.id == subject.customer_id).values(
            name=ERASED, email=f"erased-{token}@invalid.example", email_norm=f"erased-{token}@invalid.example",
            phone=None, postal_code=None))
        count("customers_anonymised", 1)
    if subject.request_ids:
        conn.execute(update(t.privacy_requests).where(t.privacy_requests.c.id.in_(subject.request_ids))
                     .values(email=None, customer_ref=None, customer_id=None, session_id=None, payload={},
                             order_ids=[]))

    erasure_id = "er_" + secrets.token_hex(6)
    conn.execute(insert(t.erasures).values(id=erasure_id, at=now, actor=actor.name, request_id=request_id,
                                           counts=counts))
    audit.record(actor, "privacy.erase", erasure_id, conn=conn, request=request_id, **counts)
    return {"erasure_id": erasure_id, "counts": counts}
