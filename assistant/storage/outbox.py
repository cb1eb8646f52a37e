"""A persisted outbox: notifications to other systems are written in the same transaction as the change that
causes them, then delivered (and retried with back-off) by a worker. Nothing is lost when the other side is down,
and a dedupe key makes every notification happen at most once."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, or_, select, update

from assistant.clock import Clock, SystemClock
from assistant.storage import schema as t
from assistant.storage.upsert import insert_ignore

log = logging.getLogger("portside.outbox")
MAX_BACKOFF = timedelta(minutes=10)
LEASE = timedelta(minutes=2)  # longer than any handler's own timeouts and retries


class GiveUp(Exception):
    """Raised by a handler when the receiver refused for good (a retry would be refused again): the row is closed
    with the error kept, never retried."""


class RetryLater(Exception):
    """Raised by a handler when the receiver asked us to wait (e.g. HTTP 429 Retry-After)."""

    def __init__(self, seconds: float, message: str = "") -> None:
        super().__init__(message or f"retry in {seconds}s")
        self.seconds = seconds


def enqueue(conn: Connection, topic: str, dedupe_key: str, payload: dict[str, Any],
            now: datetime | None = None) -> None:
    """Add a notification inside the caller's transaction; a duplicate key is silently ignored.

    Delivery runs on real time (the worker's clock), not on a frozen PORTSIDE_NOW: a row queued "in the future" by a
    business clock would otherwise wait until the wall clock caught up."""
    now = now or SystemClock().now()
    values = {"topic": topic, "dedupe_key": dedupe_key, "payload": payload, "attempts": 0, "next_attempt_at": now,
              "created_at": now}
    insert_ignore(conn, t.outbox, values, ["dedupe_key"])


class Outbox:
    """Delivers due rows, each claimed first with a lease: several workers (threads or servers) running the outbox
    never deliver one row twice, and a worker that dies mid-delivery leaves its rows to others once the lease runs
    out. Within a worker, a failure stops the batch so later rows for the same receiver keep their order."""

    def __init__(self, engine: Engine, clock: Clock, lease: timedelta = LEASE) -> None:
        self.engine = engine
        self.clock = clock
        self.lease = lease
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"[:64]
        self.handlers: dict[str, Callable[[dict[str, Any]], None]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._run_lock = threading.Lock()

    def handler(self, topic: str, fn: Callable[[dict[str, Any]], None]) -> None:
        self.handlers[topic] = fn

    def add(self, topic: str, dedupe_key: str, payload: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            enqueue(conn, topic, dedupe_key, payload, self.clock.now())

    def pending(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.outbox).where(t.outbox.c.done_at.is_(None)).order_by(t.outbox.c.id))
            return [dict(r) for r in rows.mappings()]

    def claim(self, now: datetime, limit: int = 50) -> list[dict[str, Any]]:
        """Take up to `limit` due rows whose topic this worker handles and that nobody holds (or whose holder's
        lease ran out), in one statement: on PostgreSQL rows another worker is claiming are skipped, not waited
        for; SQLite runs one writer at a time anyway."""
        o = t.outbox.c
        due = (select(o.id).where(o.done_at.is_(None), o.next_attempt_at <= now, o.topic.in_(list(self.handlers)),
                                  or_(o.lease_until.is_(None), o.lease_until < now))
               .order_by(o.id).limit(limit).with_for_update(skip_locked=True))
        with self.engine.begin() as conn:
            rows = conn.execute(update(t.outbox).where(o.id.in_(due.scalar_subquery()))
                                .values(claimed_by=self.worker, lease_until=now + self.lease)
                                .returning(*t.outbox.c)).mappings().all()
        return sorted((dict(r) for r in rows), key=lambda r: r["id"])

    def deliver_now(self, dedupe_key: str) -> tuple[str, str | None]:
        """Deliver one row at once (a write the shopper is waiting for) instead of on the next tick: "done",
        "later" (failed or held by another worker; the outbox retries it) or "gave_up", with the error."""
        o = t.outbox.c
        now = SystemClock().now()
        with self.engine.begin() as conn:
            row = conn.execute(update(t.outbox).where(o.dedupe_key == dedupe_key, o.done_at.is_(None),
                                                      or_(o.lease_until.is_(None), o.lease_until < now))
                               .values(claimed_by=self.worker, lease_until=now + self.lease)
                               .returning(*t.outbox.c)).mappings().first()
            if row is None:
                done = conn.execute(select(o.done_at, o.last_error).where(o.dedupe_key == dedupe_key)).first()
        if row is None:
            if done is not None and done.done_at is not None:
                return ("gave_up", done.last_error) if done.last_error else ("done", None)
            return "later", "being delivered by another worker"
        return self._deliver(dict(row), now)

    def _deliver(self, row: dict[str, Any], now: datetime) -> tuple[str, str | None]:
        fn = self.handlers[row["topic"]]
        try:
            fn(row["payload"])
        except GiveUp as exc:
            self._finish(row, f"{exc}")
            log.warning("outbox %s %s refused: %s", row["topic"], row["dedupe_key"], exc)
            return "gave_up", str(exc)
        except RetryLater as exc:
            self._later(row, now + timedelta(seconds=max(1.0, exc.seconds)), str(exc))
            return "later", str(exc)
        except Exception as exc:  # down, timeout, 5xx: back off exponentially
            wait = min(MAX_BACKOFF, timedelta(seconds=2 ** min(row["attempts"], 10)))
            self._later(row, now + wait, f"{type(exc).__name__}: {exc}")
            log.warning("outbox %s %s failed (attempt %s): %s", row["topic"], row["dedupe_key"],
                        row["attempts"] + 1, exc)
            return "later", f"{type(exc).__name__}: {exc}"
        self._finish(row, None)
        return "done", None

    def _finish(self, row: dict[str, Any], error: str | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(t.outbox).where(t.outbox.c.id == row["id"]).values(
                done_at=self.clock.now(), attempts=row["attempts"] + 1, last_error=error and error[:2000],
                lease_until=None))

    def run_once(self, now: datetime | None = None) -> int:
        """Deliver what is due, in order; returns how many were delivered."""
        with self._run_lock:
            now = now or self.clock.now()
            if not self.handlers:
                return 0
            due = self.claim(now)
            delivered = 0
            for i, row in enumerate(due):
                outcome, _ = self._deliver(row, now)
                if outcome == "later":  # keep the order for this receiver: try the rest again later
                    self._release(due[i + 1:])
                    break
                delivered += outcome == "done"
            return delivered

    def _later(self, row: dict[str, Any], when: datetime, error: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(t.outbox).where(t.outbox.c.id == row["id"]).values(
                attempts=row["attempts"] + 1, next_attempt_at=when, last_error=error[:2000], claimed_by=None,
                lease_until=None))

    def _release(self, rows: list[dict[str, Any]]) -> None:
        """Hand back rows claimed but not tried, so another worker (or the next tick) takes them at once."""
        if not rows:
            return
        o = t.outbox.c
        with self.engine.begin() as conn:
            conn.execute(update(t.outbox).where(o.id.in_([r["id"] for r in rows]), o.claimed_by == self.worker)
                         .values(claimed_by=None, lease_until=None))
    def start(self, interval: float = 0.5) -> None:
        if self._thread is not None:
            return

        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.run_once()
                except Exception:  # never let the worker die
                    log.exception("outbox worker error")

        self._thread = threading.Thread(target=loop, name="portside-outbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
