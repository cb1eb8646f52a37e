"""Ops questions staff ask in Slack: `order <id>`, `track <number>`, `customer <email>`, `kb <question>`,
`handoffs`, `stats [today|7d]`. Plain functions returning mrkdwn text, so they are easy to test."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select

from assistant.audit import SYSTEM, Actor
from assistant.runtime import Services
from assistant.slack.blocks import esc, order_lines
from assistant.storage import schema as t

HELP = ("Usage: `/portside order <id>` · `track <number>` · `customer <email>` · `kb <question>` · `handoffs` · "
        "`stats [today|7d]` · `stuck [country|carrier]` · `privacy [fulfil <id> | refuse <id> <reason>]`")


def answer(services: Services, text: str, actor: Actor = SYSTEM) -> str:
    command, _, arg = text.strip().partition(" ")
    if command.lower() == "privacy":
        return privacy(services, arg.strip(), actor)
    fn = COMMANDS.get(command.lower())
    if fn is None:
        return HELP
    return fn(services, arg.strip())


def privacy(services: Services, arg: str, actor: Actor) -> str:
    from assistant.privacy.requests import PrivacyError
    from assistant.slack.blocks import PRIVACY_KIND

    verb, _, rest = arg.partition(" ")
    request_id, _, note = rest.strip().partition(" ")
    if not verb:
        rows = services.privacy.list("open")
        return "\n".join(f"• `{esc(r['id'])}` {PRIVACY_KIND.get(r['kind'], esc(r['kind']))} · {esc(r['source'])} · "
                         f"due {r['due_at']:%Y-%m-%d} ({esc(r['law'] or 'GDPR')})" for r in rows) or \
            "No open privacy requests."
    if verb not in {"fulfil", "fulfill", "refuse"} or not request_id:
        return "Usage: `privacy` · `privacy fulfil <id>` · `privacy refuse <id> <reason>`"
    try:
        row = services.privacy.decide(request_id, verb != "refuse", actor, note)
    except KeyError:
        return f"No privacy request `{esc(request_id)}`."
    except PrivacyError as exc:
        return f":warning: {esc(exc)}"
    done = f"erased ({esc(', '.join(f'{k} {v}' for k, v in row.get('counts', {}).items()) or 'nothing left')})" \
        if row["kind"] == "redact" and row["state"] == "fulfilled" else row["state"]
    return f"`{esc(request_id)}`: {done}."


def order(services: Services, arg: str) -> str:
    if not arg:
        return "Usage: `order <id>`"
    found = services.store.get_order(arg.lstrip("#").upper()) or services.store.get_order(arg.lstrip("#"))
    if found is None:
        return f"No order `{esc(arg)}`."
    customer = services.store.get_customer(found.customer_id)
    who = (f"{esc(customer.name)} &lt;{esc(customer.email)}&gt; ({esc(customer.country)})" if customer
           else esc(found.customer_id))
    return f"{order_lines(found.model_dump(mode='json'))}\nCustomer: {who}"


def track(services: Services, arg: str) -> str:
    found = services.store.find_shipment(arg.upper()) if arg else None
    if found is None:
        return f"No shipment `{esc(arg)}`." if arg else "Usage: `track <number>`"
    o, s = found
    last = s.latest_event
    event = (esc(f"{last.at:%Y-%m-%d %H:%M} {last.status} {last.location or ''} {last.description or ''}") if last
             else "—")
    return f"`{esc(s.tracking_number)}` ({esc(s.carrier)}) for order {esc(o.id)}: *{esc(s.status)}*\nLatest: {event}"


def customer(services: Services, arg: str) -> str:
    c = services.store.customer_by_email(arg) if arg else None
    if c is None:
        return f"No customer `{esc(arg)}`." if arg else "Usage: `customer <email>`"
    orders = services.store.orders_for_customer(c.id)
    lines = [f"*{esc(c.name)}* &lt;{esc(c.email)}&gt; · {esc(c.country)} · {esc(c.language)} · {len(orders)} orders"]
    lines += [esc(f"• {o.id} {o.placed_at:%Y-%m-%d} {o.status} {o.total:.2f} {o.currency}") for o in orders[:10]]
    return "\n".join(lines)


def kb(services: Services, arg: str) -> str:
    if not arg:
        return "Usage: `kb <question>`"
    hits = services.kb.search(arg, k=3, lang="en")
    if not hits:
        return "Nothing in the knowledge base."
    return "\n".join(f"• *{esc(h.title)}* ({esc(h.heading)}) <{h.url}|{esc(h.doc_id)}>\n  {esc(h.citation.snippet)}"
                     for h in hits)


def handoffs(services: Services, arg: str) -> str:
    rows = [r for r in services.handoffs.list() if r["state"] != "resolved"]
    if not rows:
        return "No open handoffs. :tada:"
    return "\n".join(f"• `{r['id']}` {r['created_at']:%m-%d %H:%M} {r['priority']} {r['reason']} ({r['state']}"
                     f"{' by ' + esc(r['claimed_by']) if r['claimed_by'] else ''}) {esc(r['summary'][:90])}"
                     for r in rows)


def stats(services: Services, arg: str) -> str:
    period = arg or "today"
    if period not in {"today", "7d"}:
        return "Usage: `stats [today|7d]`"
    now = services.clock.now()
    since = now.replace(hour=0, minute=0, second=0, microsecond=0) if period == "today" else now - timedelta(days=7)
    with services.engine.connect() as conn:
        sessions = conn.execute(select(t.sessions.c.id, t.sessions.c.csat)
                                .where(t.sessions.c.created_at >= since)).all()
        ids = [s[0] for s in sessions]
        handed = conn.execute(select(t.handoffs.c.id, t.handoffs.c.session_id, t.handoffs.c.reason,
                                     t.handoffs.c.created_at).where(t.handoffs.c.created_at >= since)).all()
        first_staff = dict(conn.execute(
            select(t.messages.c.session_id, func.min(t.messages.c.created_at))
            .where(t.messages.c.role == "staff").where(t.messages.c.session_id.in_([h[1] for h in handed]))
            .group_by(t.messages.c.session_id)).all())
    handed_sessions = {h[1] for h in handed}
    contained = sum(1 for i in ids if i not in handed_sessions)
    waits = [(first_staff[h[1]] - h[3]).total_seconds() / 60 for h in handed if h[1] in first_staff]
    csat = [s[1] for s in sessions if s[1]]
    reasons = Counter(h[2] for h in handed)
    returns = services.returns.reason_stats(since)[:5]
    lines = [
        f"*Stats ({esc(period)})*",
        f"Conversations: {len(ids)} · containment: {contained / len(ids):.0%}" if ids else "Conversations: 0",
        "Handoffs by reason: " + (", ".join(f"{r} {n}" for r, n in reasons.most_common()) or "none"),
        f"Median first response: {statistics.median(waits):.0f} min" if waits else "Median first response: —",
        f"CSAT: {statistics.fmean(csat):.1f}/5 ({len(csat)} ratings)" if csat else "CSAT: —",
        "Top return reasons: " + (esc(", ".join(f"{r['reason']} · {r['sku']} · {r['country']} ({r['count']})"
                                                for r in returns)) or "none"),
    ]
    return "\n".join(lines)


def stuck(services: Services, arg: str) -> str:
    from assistant.tracking.stuck import split_filter, stuck_parcels, stuck_text

    country, carrier = split_filter(arg)
    return stuck_text(stuck_parcels(services.tracking, country=country, carrier=carrier))


COMMANDS: dict[str, Callable[[Services, str], str]] = {
    "order": order, "track": track, "customer": customer, "kb": kb, "handoffs": handoffs, "stats": stats,
    "stuck": stuck,
}
