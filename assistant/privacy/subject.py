"""One person's footprint in Portside: the customer record and every row that points at them.

The person is found by customer id or email. Rows are linked through the customer id (verified sessions, handoffs,
returns), the sessions (messages, events), the handoffs (Slack posts) and the orders (verification counters,
tracking notices). Webhook deliveries from a store platform are linked by the email in their body. A guest who never
verified left no link to follow, so their chats cannot be found by email: only by the session they were in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, String, cast, func, or_, select

from assistant.storage import schema as t
from connectors.sql import schema as st


class SubjectNotFound(LookupError):
    pass


@dataclass
class Subject:
    customer_id: str | None
    email: str | None
    customer: dict[str, Any] | None = None
    order_ids: list[str] = field(default_factory=list)
    session_ids: list[str] = field(default_factory=list)
    handoff_ids: list[str] = field(default_factory=list)
    rma_ids: list[str] = field(default_factory=list)
    request_ids: list[str] = field(default_factory=list)
    webhook_ids: list[int] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.customer or self.session_ids or self.handoff_ids or self.rma_ids or self.request_ids
                    or self.webhook_ids)


def find(conn: Connection, *, customer_id: str | None = None, email: str | None = None,
         session_ids: list[str] | None = None) -> Subject:
    """Everything linked to the person; raises SubjectNotFound when nothing is."""
    if not customer_id and not email and not session_ids:
        raise SubjectNotFound("give a customer id or an email")
    email_norm = email.strip().lower() if email else None
    customer = None
    if customer_id:
        customer = conn.execute(select(st.customers).where(st.customers.c.id == customer_id)).mappings().first()
    elif email_norm:
        customer = conn.execute(select(st.customers).where(st.customers.c.email_norm == email_norm)
                                ).mappings().first()
    if customer is not None:
        customer_id = customer["id"]
        email_norm = customer["email_norm"]
    subject = Subject(customer_id=customer_id, email=email_norm,
                      customer={k: v for k, v in customer.items() if k != "email_norm"} if customer else None)
    if customer_id:
        subject.order_ids = list(conn.scalars(select(st.orders.c.id).where(st.orders.c.customer_id == customer_id)
                                              .order_by(st.orders.c.placed_at)))
        subject.session_ids = list(conn.scalars(select(t.sessions.c.id).where(t.sessions.c.customer_id == customer_id)
                                                .order_by(t.sessions.c.created_at)))
        subject.rma_ids = list(conn.scalars(select(t.returns.c.rma_id).where(t.returns.c.customer_id == customer_id)
                                            .order_by(t.returns.c.created_at)))
    for sid in session_ids or []:
        if sid not in subject.session_ids and conn.scalar(select(t.sessions.c.id).where(t.sessions.c.id == sid)):
            subject.session_ids.append(sid)
    hc = t.handoffs.c
    links: list[Any] = [hc.session_id.in_(subject.session_ids)] if subject.session_ids else []
    if customer_id:
        links.append(hc.customer_id == customer_id)
    if links:
        subject.handoff_ids = list(conn.scalars(select(hc.id).where(or_(*links)).order_by(hc.created_at)))
    pc = t.privacy_requests.c
    req_links: list[Any] = []
    if customer_id:
        req_links.append(pc.customer_id == customer_id)
    if email_norm:
        req_links.append(func.lower(pc.email) == email_norm)
    if req_links:
        subject.request_ids = list(conn.scalars(select(pc.id).where(or_(*req_links)).order_by(pc.received_at)))
    if email_norm:
        wc = t.inbound_webhooks.c
        subject.webhook_ids = list(conn.scalars(select(wc.id).where(
            func.lower(cast(wc.payload, String)).contains(email_norm, autoescape=True)).order_by(wc.id)))
    if subject.empty:
        raise SubjectNotFound("Portside holds nothing about that person")
    return subject
