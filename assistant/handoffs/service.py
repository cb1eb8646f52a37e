"""Create handoffs with a complete packet (persisted before anything is sent), and the staff actions."""

from __future__ import annotations

import secrets
from datetime import datetime, time
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import and_, insert, or_, select, update

from assistant import i18n
from assistant.audit import Actor, as_actor
from assistant.policy.config import BusinessHours
from assistant.runtime import Services
from assistant.storage import schema as t
from assistant.storage.conversations import CSAT_PROMPT
from assistant.tools.context import ToolContext

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
STATES = ("open", "claimed", "resolved")


class HandoffError(ValueError):
    pass


@cache
def reasons() -> dict[str, dict[str, str]]:
    text = resources.files("assistant.handoffs").joinpath("reasons.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text))


def within_hours(now: datetime, hours: BusinessHours) -> bool:
    local = now.astimezone(ZoneInfo(hours.timezone))
    start, end = time.fromisoformat(hours.start), time.fromisoformat(hours.end)
    return DAYS[local.weekday()] in hours.days and start <= local.time() < end


def hours_text(hours: BusinessHours) -> str:
    days = hours.days
    span = f"{days[0].title()}-{days[-1].title()}" if len(days) > 1 else days[0].title()
    return f"{span} {hours.start}-{hours.end} ({hours.timezone})"


def when_text(services: Services, lang: str) -> str:
    policy = services.policy.handoff
    if within_hours(services.clock.now(), policy.business_hours):
        return i18n.t(lang, "handoff_when_open", minutes=policy.expected_wait_minutes)
    return i18n.t(lang, "handoff_when_closed", hours=hours_text(policy.business_hours))


class HandoffService:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.engine = services.engine

    # -- creation ------------------------------------------------------------------------------
    def open_for_session(self, session_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.handoffs).where(t.handoffs.c.session_id == session_id)
                               .where(t.handoffs.c.state != "resolved")
                               .order_by(t.handoffs.c.created_at.desc())).mappings().first()
        return dict(row) if row else None

    def create(self, ctx: ToolContext, reason: str, *, shopper_words: str, order_id: str | None = None,
               return_draft: dict[str, Any] | None = None, security: dict[str, Any] | None = None,
               task: dict[str, Any] | None = None, named_orders: list[str] | None = None) -> dict[str, Any]:
        """One handoff per conversation at a time: a second trigger joins the open one."""
        if reason not in reasons():
            raise HandoffError(f"unknown handoff reason {reason!r}")
        existing = self.open_for_session(ctx.session_id)
        if existing:
            return self.public(existing, ctx.language)
        packet = self.packet(ctx, reason, shopper_words, order_id or ctx.state.current_order_id, return_draft)
        if security:
            packet["security"] = security  # an attack on an order's verification: what was tried, what is locked
        if task:
            packet["task"] = task  # the task under way and what the shopper already gave: staff don't ask again
        if named_orders:
            packet["named_orders"] = named_orders  # numbers the shopper wrote, not proved theirs: staff check them
            if packet["order"] is None:
                packet["summary"] += f" The shopper names order {', '.join(named_orders)} (not verified as theirs)."
        now = self.services.clock.now()
        row = {
            "id": "hf_" + secrets.token_hex(6), "session_id": ctx.session_id, "reason": reason,
            "priority": reasons()[reason]["priority"], "state": "open", "language": ctx.language,
            "customer_id": ctx.state.customer_id, "order_id": packet["order"]["id"] if packet["order"] else None,
            "summary": packet["summary"], "packet": packet, "created_at": now, "updated_at": now,
        }
        with self.engine.begin() as conn:  # the packet and its notifications commit together
            conn.execute(insert(t.handoffs).values(**row))
            conn.execute(update(t.sessions).where(t.sessions.c.id == ctx.session_id).values(status="handoff"))
            for hook in self.services.handoff_hooks:
                hook(conn, row)
        ctx.state.handoff_id = row["id"]
        ctx.record({"type": "handoff", "handoff_id": row["id"], "reason": reason, "priority": row["priority"]})
        return self.public(row, ctx.language)

    def public(self, row: dict[str, Any], lang: str) -> dict[str, Any]:
        return {"id": row["id"], "reason": row["reason"], "priority": row["priority"], "state": row["state"],
                "expected": when_text(self.services, lang)}

    def packet(self, ctx: ToolContext, reason: str, shopper_words: str, order_id: str | None,
               return_draft: dict[str, Any] | None) -> dict[str, Any]:
        store, conv = self.services.store, self.services.conversations
        customer = store.get_customer(ctx.state.customer_id) if ctx.state.customer_id else None
        order = store.get_order(order_id) if order_id and ctx.state.customer_id else None
        if order is not None and customer is not None and order.customer_id != customer.id:
            order = None  # never put another customer's order in front of staff as this shopper's
        transcript = [m.as_json() for m in conv.transcript(ctx.session_id)]
        earlier = []
        if customer is not None:
            for s in conv.sessions_of_customer(customer.id, exclude=ctx.session_id, limit=5):
                msgs = conv.transcript(s.id, limit=50)
                first = next((m.text for m in msgs if m.role == "shopper"), "")
                intents = sorted({m.intent for m in msgs if m.intent})
                earlier.append({"session_id": s.id, "date": s.created_at.date().isoformat(), "status": s.status,
                                "summary": f"{', '.join(intents) or 'chat'}: \"{first[:140]}\"", "csat": s.csat})
        summary = self.summary(reason, ctx, customer, order)
        return {
            "reason": reason, "priority": reasons()[reason]["priority"], "language": ctx.language,
            "summary": summary, "shopper_words": shopper_words,
            "verification": {"verified": ctx.state.verified, "method": ctx.state.verified_via,
                             "failed_attempts": ctx.state.verify_failures},
            "customer": customer.model_dump(mode="json") if customer else None,
            "order": order.model_dump(mode="json") if order else None,
            "return_draft": return_draft, "earlier_conversations": earlier, "transcript": transcript,
            "suggested_reply": self.suggested_reply(reason, ctx.language, order.id if order else None),
        }

    @staticmethod
    def summary(reason: str, ctx: ToolContext, customer: Any, order: Any) -> str:
        parts = [reasons()[reason]["summary"]]
        who = (f"Customer {customer.name} ({customer.country}), verified by {ctx.state.verified_via}"
               if customer else "Unverified guest")
        parts.append(f"{who}; writes in {ctx.language}.")
        if order is not None:
            ship = "; ".join(f"{s.carrier} {s.tracking_number} {s.status}" for s in order.shipments) or "no shipment"
            parts.append(f"Order {order.id}: {order.status}, {order.total:.2f} {order.currency} by "
                         f"{order.payment_method}; {ship}.")
        return " ".join(parts)

    @staticmethod
    def suggested_reply(reason: str, lang: str, order_id: str | None) -> str:
        key = f"suggest.{reason}"
        text = i18n.t(lang, key, order_id=order_id or "") if i18n.has(lang, key) else i18n.t(lang, "suggest.generic")
        return text

    # -- staff actions -------------------------------------------------------------------------
    def get(self, handoff_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.handoffs).where(t.handoffs.c.id == handoff_id)).mappings().first()
        return dict(row) if row else None

    def list(self, state: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        query = select(t.handoffs).order_by(t.handoffs.c.created_at).limit(limit)
        if state:
            if state not in STATES:
                raise HandoffError(f"state must be one of {', '.join(STATES)}")
            query = query.where(t.handoffs.c.state == state)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def _require(self, handoff_id: str) -> dict[str, Any]:
        row = self.get(handoff_id)
        if row is None:
            raise KeyError(handoff_id)
        return row

    def claim(self, handoff_id: str, staff: Actor | str) -> dict[str, Any]:
        """Claim an open handoff. Conditional on its state, so two staff claiming at once: one wins, the other gets
        HandoffError naming the winner."""
        actor = as_actor(staff)
        row = self._require(handoff_id)
        c = t.handoffs.c
        claimable = or_(c.state == "open", and_(c.state == "claimed", c.claimed_by == actor.shown))
        if not self._set(handoff_id, claimable, (actor, "handoff.claim"), state="claimed", claimed_by=actor.shown):
            row = self._require(handoff_id)
            if row["state"] == "resolved":
                raise HandoffError("handoff is already resolved")
            raise HandoffError(f"already claimed by {row['claimed_by']}")
        self.services.events.publish(row["session_id"], "handoff", {"id": handoff_id, "state": "claimed",
                                                                    "agent": actor.shown})
        return self._require(handoff_id)

    def reply(self, handoff_id: str, staff: Actor | str, text: str) -> dict[str, Any]:
        actor = as_actor(staff)
        row = self._require(handoff_id)
        if row["state"] == "resolved":
            raise HandoffError("handoff is already resolved")
        if not text.strip():
            raise HandoffError("reply text is empty")
        if row["state"] == "open":
            self._set(handoff_id, t.handoffs.c.state == "open", (actor, "handoff.claim"), state="claimed",
                      claimed_by=actor.shown)
        msg = self.services.conversations.add_message(row["session_id"], "staff", text.strip(),
                                                      language=row["language"], meta={"author": actor.shown,
                                                                                      "handoff_id": handoff_id})
        self.services.audit.record(actor, "handoff.reply", handoff_id, message_id=msg.id, chars=len(text.strip()))
        self.services.events.publish(row["session_id"], "staff_message", msg.as_json())
        return msg.as_json()

    def resolve(self, handoff_id: str, staff: Actor | str) -> dict[str, Any]:
        actor = as_actor(staff)
        row = self._require(handoff_id)
        now = self.services.clock.now()
        # Conditional: of two resolves at once only one tells the shopper and reopens the bot.
        if self._set(handoff_id, t.handoffs.c.state != "resolved", (actor, "handoff.resolve"), state="resolved",
                     resolved_at=now, claimed_by=row["claimed_by"] or actor.shown):
            conv = self.services.conversations
            session = conv.get_session(row["session_id"])
            if session is not None:
                session.state.handoff_id = None
                session.state.low_confidence_streak = 0
                session.status = "bot"
                conv.save_session(session)
                lang = session.state.language or row["language"] or "en"
                msg = conv.add_message(session.id, "assistant", i18n.t(lang, "handoff_resolved"), language=lang,
                                       meta={"handoff_id": handoff_id, CSAT_PROMPT: True})
                self.services.events.publish(session.id, "handoff", {"id": handoff_id, "state": "resolved"})
                self.services.events.publish(session.id, "message", msg.as_json())
        return self._require(handoff_id)

    def _set(self, handoff_id: str, condition: Any, audit: tuple[Actor, str], **values: Any) -> bool:
        """Update the handoff where `condition` holds, with its audit entry in the same transaction; True when this
        call changed it."""
        with self.engine.begin() as conn:
            done = conn.execute(update(t.handoffs).where(t.handoffs.c.id == handoff_id).where(condition)
                                .values(updated_at=self.services.clock.now(), **values)).rowcount == 1
            if done:
                self.services.audit.record(audit[0], audit[1], handoff_id, conn=conn)
        if done:
            self.services.handoff_changed(handoff_id,
                                          f"{values.get('state', 'update')}:{values.get('claimed_by', '')}")
        return done
