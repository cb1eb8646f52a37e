"""Compute the insights for a period from the conversation tables. Loading is one query per table; every number is
then a pure function of the loaded rows, so each can be checked against a seeded history."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from assistant.insights.business_time import business_seconds
from assistant.insights.model import ConversationStats, Filters, ReturnStats, Series
from assistant.policy.config import BusinessHours, Policy
from assistant.storage import schema as t
from connectors.sql import schema as st

if TYPE_CHECKING:
    from assistant.runtime import Services

REOPEN_WINDOW = timedelta(hours=72)


@dataclass
class Conversation:
    id: str
    created_at: datetime
    updated_at: datetime
    language: str | None
    customer_id: str | None
    country: str | None
    channel: str | None
    csat: int | None
    intents: list[str] = field(default_factory=list)  # of the shopper's messages, in order
    handoffs: list[dict[str, Any]] = field(default_factory=list)
    first_staff_at: datetime | None = None

    @property
    def intent(self) -> str | None:
        """What the conversation was about: the shopper's most frequent intent, the first one on a tie."""
        counts = Counter(i for i in self.intents if i not in {"greeting", "other"})
        return max(counts, key=lambda i: (counts[i], -self.intents.index(i))) if counts else None


def load(conn: Connection, filters: Filters) -> list[Conversation]:
    s, c = t.sessions.c, st.customers.c
    rows = conn.execute(select(s.id, s.created_at, s.updated_at, s.language, s.customer_id, s.csat, s.client,
                               c.country).outerjoin(st.customers, c.id == s.customer_id)
                        .where(s.created_at >= filters.since).where(s.created_at < filters.until)).all()
    convs = {r.id: Conversation(r.id, r.created_at, r.updated_at, r.language, r.customer_id, r.country,
                                r.client or "web", r.csat) for r in rows}
    convs = {k: v for k, v in convs.items() if _keep(v, filters)}
    ids = list(convs)
    for chunk in _chunks(ids):
        m = t.messages.c
        for sid, role, intent, at in conn.execute(select(m.session_id, m.role, m.intent, m.created_at)
                                                  .where(m.session_id.in_(chunk)).order_by(m.id)):
            conv = convs[sid]
            if role == "shopper" and intent:
                conv.intents.append(intent)
            if role == "staff" and conv.first_staff_at is None:
                conv.first_staff_at = at
        h = t.handoffs.c
        for row in conn.execute(select(h.session_id, h.reason, h.created_at, h.resolved_at)
                                .where(h.session_id.in_(chunk)).order_by(h.created_at)).mappings():
            convs[row["session_id"]].handoffs.append(dict(row))
    return list(convs.values())


def _keep(conv: Conversation, filters: Filters) -> bool:
    return ((not filters.language or conv.language == filters.language)
            and (not filters.country or conv.country == filters.country.upper())
            and (not filters.channel or conv.channel == filters.channel))


def _chunks(ids: list[str], size: int = 500) -> list[list[str]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)] or []


def reopened(conv: Conversation, by_customer: dict[str, list[Conversation]]) -> bool:
    if conv.customer_id is None:
        return False
    return any(conv.updated_at < other.created_at <= conv.updated_at + REOPEN_WINDOW
               for other in by_customer[conv.customer_id] if other.id != conv.id)


def conversation_stats(convs: list[Conversation], hours: BusinessHours) -> ConversationStats:
    by_customer: dict[str, list[Conversation]] = defaultdict(list)
    for conv in convs:
        if conv.customer_id:
            by_customer[conv.customer_id].append(conv)
    handed = [c for c in convs if c.handoffs]
    automated = [c for c in convs if not c.handoffs and not reopened(c, by_customer)]
    reasons = Counter(h["reason"] for c in convs for h in c.handoffs)
    first = [business_seconds(c.handoffs[0]["created_at"], c.first_staff_at, hours) / 60
             for c in handed if c.first_staff_at and c.first_staff_at >= c.handoffs[0]["created_at"]]
    resolved = [business_seconds(h["created_at"], h["resolved_at"], hours) / 60
                for c in handed for h in c.handoffs if h["resolved_at"]]
    csat_lang: dict[str, list[int]] = defaultdict(list)
    csat_intent: dict[str, list[int]] = defaultdict(list)
    for conv in convs:
        if conv.csat:
            csat_lang[conv.language or "unknown"].append(conv.csat)
            csat_intent[conv.intent or "other"].append(conv.csat)
    n = len(convs)
    return ConversationStats(
        conversations=n, automated_resolution=len(automated) / n if n else None,
        handoff_rate=len(handed) / n if n else None, handoffs_by_reason=dict(reasons.most_common()),
        median_first_response_minutes=round(statistics.median(first), 1) if first else None,
        median_resolution_minutes=round(statistics.median(resolved), 1) if resolved else None,
        csat_by_language={k: round(statistics.fmean(v), 2) for k, v in sorted(csat_lang.items())},
        csat_by_intent={k: round(statistics.fmean(v), 2) for k, v in sorted(csat_intent.items())},
        csat_ratings=sum(len(v) for v in csat_lang.values()))


def return_stats(conn: Connection, filters: Filters, policy: Policy) -> ReturnStats:
    r = t.returns.c
    query = select(t.returns).where(r.created_at >= filters.since).where(r.created_at < filters.until)
    if filters.country:
        query = query.where(r.country == filters.country.upper())
    rows = [dict(x) for x in conn.execute(query).mappings()]
    if filters.language or filters.channel:
        sessions = {s.id for s in load(conn, filters)}
        rows = [x for x in rows if x["session_id"] in sessions]
    by_product: dict[str, Counter[str]] = defaultdict(Counter)
    by_country: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        reason = row["reason"] or "unspecified"
        for item in row["items"]:
            by_product[reason][item["sku"]] += int(item.get("quantity", 1))
        by_country[reason][row["country"] or "??"] += 1
    live = [x for x in rows if x["status"] != "rejected" and x["eligible"]]
    refund = sum(policy.to_usd(x["refund_amount"], x["currency"]) for x in live if x["currency"] in policy.fx_to_usd)
    approvals = [(x["updated_at"] - x["created_at"]).total_seconds() / 3600 for x in rows
                 if x["decided_by"] and x["status"] in {"approved", "refunded"}]
    return ReturnStats(
        returns=len(rows),
        by_reason_product={k: dict(v.most_common()) for k, v in sorted(by_product.items())},
        by_reason_country={k: dict(v.most_common()) for k, v in sorted(by_country.items())},
        refund_value_usd=round(refund, 2),
        refund_without_return_share=(sum(1 for x in live if not x["return_required"]) / len(live)) if live else None,
        median_approval_hours=round(statistics.median(approvals), 2) if approvals else None)


def over_time(convs: list[Conversation], filters: Filters, key: str) -> Series:
    days = []
    day = filters.since.date()
    while day < filters.until.date() or (day == filters.until.date() and filters.until.time() != datetime.min.time()):
        days.append(day.isoformat())
        day += timedelta(days=1)
    index = {d: i for i, d in enumerate(days)}
    counts: dict[str, list[int]] = {}
    for conv in convs:
        value = (conv.intent or "other") if key == "intent" else (conv.language or "unknown")
        slot = index.get(conv.created_at.date().isoformat())
        if slot is not None:
            counts.setdefault(value, [0] * len(days))[slot] += 1
    return Series(days=days, counts=dict(sorted(counts.items())))


def compute(services: Services, filters: Filters, *, gaps: bool = True) -> Any:
    from assistant.insights.gaps import knowledge_gaps
    from assistant.insights.model import Insights

    with services.engine.connect() as conn:
        convs = load(conn, filters)
        returns = return_stats(conn, filters, services.policy)
        found = knowledge_gaps(conn, services, [c.id for c in convs]) if gaps else []
    return Insights(filters=filters,
                    conversations=conversation_stats(convs, services.policy.handoff.business_hours),
                    returns=returns, gaps=found, intents_over_time=over_time(convs, filters, "intent"),
                    languages_over_time=over_time(convs, filters, "language"))
