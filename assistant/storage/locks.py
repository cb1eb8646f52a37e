"""Per-session turn ordering that holds across server processes, not only across threads of one.

On PostgreSQL a turn holds a session-level advisory lock on its own connection: a second worker handling the same
session waits, and a worker that dies releases the lock with its connection. SQLite is the one-process embedded
default, so the in-process lock is the whole story there (SQLite also serialises writers itself)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text


class SessionLocks:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._local: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _thread_lock(self, session_id: str) -> threading.Lock:
        with self._guard:
            return self._local.setdefault(session_id, threading.Lock())

    @contextmanager
    def hold(self, session_id: str) -> Iterator[None]:
        with self._thread_lock(session_id):
            if self.engine.dialect.name != "postgresql":
                yield
                return
            key = {"k": f"portside.session:{session_id}"}
            with self.engine.connect() as conn:
                conn.execute(text("SELECT pg_advisory_lock(hashtextextended(:k, 0))"), key)
                conn.commit()
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(hashtextextended(:k, 0))"), key)
                    conn.commit()
