"""Retention: transcripts, their events and resolved handoffs older than PORTSIDE_RETENTION_DAYS are deleted by a
daily job. A conversation counts from its last message, and one whose handoff is still open is kept. Returns, the
audit log and erasure records are not transcripts and stay (the books and the accountability need them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, exists, func, select

from assistant.audit import SYSTEM, Actor, AuditLog
from assistant.storage import schema as t

if TYPE_CHECKING:
    from assistant.runtime import Services


@dataclass(frozen=True)
class Purge:
    cutoff: datetime
    sessions: int
    messages: int
    events: int
    handoffs: int
    dry_run: bool

    def as_dict(self) -> dict[str, object]:
        return {"cutoff": self.cutoff.isoformat(), "sessions": self.sessions, "messages": self.messages,
                "events": self.events, "handoffs": self.handoffs, "dry_run": self.dry_run}


def purge(conn: Connection, now: datetime, days: int, actor: Actor, audit: AuditLog, *, dry_run: bool) -> Purge:
    if days < 1:
        raise ValueError("retention needs at least 1 day")
    cutoff = now - timedelta(days=days)
    s, h = t.sessions.c, t.handoffs.c
    open_handoff = exists().where(h.session_id == s.id).where(h.state != "resolved")
    stale = list(conn.scalars(select(s.id).where(s.updated_at < cutoff).where(~open_handoff)))
    handoff_ids = list(conn.scalars(select(h.id).where(h.state == "resolved").where(
        (h.resolved_at < cutoff) | h.session_id.in_(stale))))

    def counted(table: object, column: object, keys: list[str]) -> int:
        if not keys:
            return 0
        return int(conn.scalar(select(func.count()).select_from(table).where(column.in_(keys))) or 0)  # type: ignore[arg-type,attr-defined]

    result = Purge(cutoff, len(stale), counted(t.messages, t.messages.c.session_id, stale),
                   counted(t.events, t.events.c.session_id, stale), len(handoff_ids), dry_run)
    if dry_run:
        return result
    if handoff_ids:
        conn.execute(delete(t.slack_posts).where(t.slack_posts.c.handoff_id.in_(handoff_ids)))
        conn.execute(delete(t.handoffs).where(h.id.in_(handoff_ids)))
    if stale:
        conn.execute(delete(t.events).where(t.events.c.session_id.in_(stale)))
        conn.execute(delete(t.messages).where(t.messages.c.session_id.in_(stale)))
        conn.execute(delete(t.sessions).where(s.id.in_(stale)))
    if stale or handoff_ids:
        audit.record(actor, "retention.purge", None, conn=conn, days=days, sessions=result.sessions,
                     messages=result.messages, events=result.events, handoffs=result.handoffs)
    return result


def run_retention(services: Services, *, dry_run: bool = False, actor: Actor = SYSTEM,
                  days: int | None = None) -> Purge:
    with services.engine.begin() as conn:
        return purge(conn, services.clock.now(), days or services.settings.retention_days, actor, services.audit,
                     dry_run=dry_run)
