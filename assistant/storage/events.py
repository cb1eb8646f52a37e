"""Server-pushed events (staff messages, handoff state, typing) fan out through the database.

Any server process can publish; every process streams a session's events by reading rows after the last id it
sent. In-process subscribers are woken at once; other processes are woken by PostgreSQL NOTIFY or Redis pub/sub
when there is one (assistant/storage/notify.py), and notice within the poll interval otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select

from assistant.clock import Clock
from assistant.storage import schema as t
from assistant.storage.notify import Notifier

POLL_SECONDS = 0.25
SAFETY_POLL_SECONDS = 2.0  # with a notifier, the poll only catches a lost notification


@dataclass(frozen=True)
class Event:
    id: int
    session_id: str
    kind: str
    payload: dict[str, Any]
    created_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {"event_id": self.id, "type": self.kind, "data": self.payload, "at": self.created_at.isoformat()}


async def woken(flag: asyncio.Event, timeout: float) -> bool:
    try:
        await asyncio.wait_for(flag.wait(), timeout)
    except TimeoutError:
        return False
    return True


class EventBus:
    def __init__(self, engine: Engine, clock: Clock, notifier: Notifier | None = None) -> None:
        self.engine = engine
        self.clock = clock
        self.notifier = notifier
        self.poll_seconds = SAFETY_POLL_SECONDS if notifier else POLL_SECONDS
        self._lock = threading.Lock()
        self._waiters: dict[str, list[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}
        self._pollers: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}
        self._seen = 0  # newest event id this process has looked at (for events other processes write)

    def publish(self, session_id: str, kind: str, payload: dict[str, Any]) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(insert(t.events).values(session_id=session_id, kind=kind, payload=payload,
                                                          created_at=self.clock.now()))
            event_id = int(result.inserted_primary_key[0])  # type: ignore[index]
            if self.notifier is not None:
                self.notifier.send(conn, session_id)
        self._wake(session_id)
        return event_id

    def since(self, session_id: str, after_id: int = 0, limit: int = 200) -> list[Event]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.events).where(t.events.c.session_id == session_id)
                                .where(t.events.c.id > after_id).order_by(t.events.c.id).limit(limit)).mappings()
            return [Event(r["id"], r["session_id"], r["kind"], r["payload"], r["created_at"]) for r in rows]

    def last_id(self, session_id: str) -> int:
        with self.engine.connect() as conn:
            value = conn.scalar(select(t.events.c.id).where(t.events.c.session_id == session_id)
                                .order_by(t.events.c.id.desc()).limit(1))
        return int(value or 0)

    async def wait(self, session_id: str, timeout: float = 2.0) -> bool:
        """Return when an event for the session may be waiting: published here (at once) or by another process
        (by its notifier, or this loop's single poller within the poll interval), or after `timeout`. True when
        woken."""
        async with self.subscription(session_id) as flag:
            return await woken(flag, timeout)

    @contextlib.asynccontextmanager
    async def subscription(self, session_id: str) -> AsyncIterator[asyncio.Event]:
        """A flag set when an event for the session may be waiting. Subscribe before reading `since`, so an
        event written between the read and the wait still sets it."""
        loop = asyncio.get_running_loop()
        if loop not in self._pollers or self._pollers[loop].done():
            self._pollers[loop] = loop.create_task(self._poll())
            if self.notifier is not None:
                self.notifier.start(self._wake)
        flag = asyncio.Event()
        with self._lock:
            self._waiters.setdefault(session_id, []).append((loop, flag))
        try:
            yield flag
        finally:
            with self._lock:
                waiters = self._waiters.get(session_id, [])
                if (loop, flag) in waiters:
                    waiters.remove((loop, flag))
                if not waiters:
                    self._waiters.pop(session_id, None)

    async def _poll(self) -> None:
        """One query per interval for the whole process, however many sessions are connected."""
        from fastapi.concurrency import run_in_threadpool

        if not self._seen:
            self._seen = await run_in_threadpool(self._max_id)
        while True:
            await asyncio.sleep(self.poll_seconds)
            with self._lock:
                if not self._waiters:
                    continue
            try:
                rows = await run_in_threadpool(self._sessions_after, self._seen)
            except Exception:  # the database blinked: try again next tick
                continue
            for session_id, newest in rows:
                self._seen = max(self._seen, newest)
                self._wake(session_id)

    def _max_id(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.max(t.events.c.id))) or 0)

    def _sessions_after(self, after: int) -> list[tuple[str, int]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.events.c.session_id, func.max(t.events.c.id)).where(t.events.c.id > after)
                                .group_by(t.events.c.session_id)).all()
        return [(str(r[0]), int(r[1])) for r in rows]

    def _wake(self, session_id: str) -> None:
        with self._lock:
            waiters = list(self._waiters.get(session_id, []))
        for loop, flag in waiters:
            loop.call_soon_threadsafe(flag.set)
