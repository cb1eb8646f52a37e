"""Tell the shopper about a parcel once per event: a message in every open chat of that customer (pushed to the
widget live), and a handoff when the policy says a person must act."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from assistant import i18n
from assistant.policy.config import NoticeKind
from assistant.runtime import Services
from assistant.storage import schema as t
from assistant.storage.conversations import Session
from assistant.tools.context import ToolContext
from assistant.tracking.notices import needs_person

log = logging.getLogger("portside.tracking")
OPEN_FOR = timedelta(hours=24)


@dataclass(frozen=True)
class Money:
    """An amount formatted in each reader's language."""

    amount: float
    currency: str  # a chat touched within this is "open": the shopper may still have the widget up


class Notifier:
    def __init__(self, services: Services) -> None:
        self.services = services

    def notify(self, kind: NoticeKind, *, order_id: str, customer_id: str, tracking_number: str,
               values: dict[str, Any]) -> bool:
        """Send the notice unless this parcel already had one of this kind; True when sent now."""
        now = self.services.clock.now()
        try:  # the primary key makes "once per event" hold across retries, webhooks and servers
            with self.services.engine.begin() as conn:
                conn.execute(insert(t.tracking_notices).values(tracking_number=tracking_number, kind=kind,
                                                               order_id=order_id, created_at=now))
        except IntegrityError:
            return False
        sessions = self.open_sessions(customer_id)
        for session in sessions:
            self._tell(session, kind, order_id, tracking_number, values)
        reason = needs_person(kind, self.services.policy.tracking)
        if reason:
            self._hand_off(customer_id, reason, order_id, sessions[0] if sessions else None, kind)
        return True

    def open_sessions(self, customer_id: str) -> list[Session]:
        since = self.services.clock.now() - OPEN_FOR
        with self.services.engine.connect() as conn:
            ids = conn.scalars(select(t.sessions.c.id).where(t.sessions.c.customer_id == customer_id)
                               .where(t.sessions.c.status != "closed").where(t.sessions.c.updated_at >= since)
                               .order_by(t.sessions.c.updated_at.desc())).all()
        conv = self.services.conversations
        return [s for s in (conv.get_session(i) for i in ids) if s is not None]

    def _tell(self, session: Session, kind: str, order_id: str, tracking: str, values: dict[str, Any]) -> None:
        lang = session.state.language or "en"
        shown = {k: i18n.money(v.amount, v.currency, lang) if isinstance(v, Money) else v for k, v in values.items()}
        text = i18n.t(lang, f"notice.{kind}", order_id=order_id, tracking=tracking, **shown)
        msg = self.services.conversations.add_message(session.id, "assistant", text, language=lang,
                                                      meta={"notice": kind, "order_id": order_id})
        self.services.events.publish(session.id, "message", msg.as_json())

    def _hand_off(self, customer_id: str, reason: str, order_id: str, session: Session | None, kind: str) -> None:
        """A person takes it: in the shopper's latest chat, or in a chat opened for them (staff replies there reach
        the widget when the shopper comes back to it)."""
        conv = self.services.conversations
        if session is None:
            session = conv.create_session(client="tracking")
            session.state.customer_id, session.state.verified_via = customer_id, "token"
            customer = self.services.store.get_customer(customer_id)
            session.state.language = customer.language if customer else "en"
            conv.save_session(session)
        lang = session.state.language or "en"
        ctx = ToolContext(self.services, session.id, session.state, lang, message=f"[tracking: {kind}]")
        session.state.current_order_id = order_id
        self.services.handoffs.create(ctx, reason, shopper_words=f"[tracking: {kind}]", order_id=order_id)
        session.status = "handoff"
        conv.save_session(session)
