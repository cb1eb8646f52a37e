"""The audit log: who changed what, when, from which channel. Append-only (database triggers refuse UPDATE and
DELETE); entries hold ids and counts, never a shopper's personal data, so they outlive an erasure."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, Engine, insert, select

from assistant.clock import Clock
from assistant.storage import schema as t

Channel = Literal["api", "slack", "cli", "system", "webhook", "chat"]


@dataclass(frozen=True)
class Actor:
    """Who acts: a named staff token, a Slack user, the operator at the command line, or Portside itself."""

    name: str
    channel: Channel
    scopes: frozenset[str] = field(default_factory=frozenset)
    display: str = ""  # how colleagues and shoppers see them ("ana"); defaults to the name

    @property
    def shown(self) -> str:
        return self.display or self.name

    def can(self, scope: str) -> bool:
        return scope in self.scopes or "admin" in self.scopes


SYSTEM = Actor("system", "system", frozenset({"admin"}))


def cli_actor() -> Actor:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        user = "unknown"
    return Actor(f"cli:{user}", "cli", frozenset({"admin"}))


class AuditLog:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def record(self, actor: Actor, action: str, target: str | None = None, *, conn: Connection | None = None,
               **detail: Any) -> None:
        """Append one entry; inside `conn`'s transaction when given, so the entry and the change commit together."""
        details = {k: v for k, v in detail.items() if v is not None}
        if actor.display and actor.display != actor.name:
            details["as"] = actor.display
        row = {"at": self.clock.now(), "actor": actor.name[:160], "channel": actor.channel, "action": action,
               "target": target, "detail": details}
        if conn is not None:
            conn.execute(insert(t.audit_log).values(**row))
            return
        with self.engine.begin() as c:
            c.execute(insert(t.audit_log).values(**row))

    def entries(self, *, since: datetime | None = None, actor: str | None = None, action: str | None = None,
                target: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
        c = t.audit_log.c
        query = select(t.audit_log).order_by(c.id).limit(limit)
        if since is not None:
            query = query.where(c.at >= since)
        if actor:
            query = query.where(c.actor == actor)
        if action:
            query = query.where(c.action == action)
        if target:
            query = query.where(c.target == target)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]


def as_actor(who: Actor | str) -> Actor:
    """Callers inside Portside pass an Actor; a bare name (scripts, older callers) acts as the system."""
    return who if isinstance(who, Actor) else Actor(who, "system", display=who)
