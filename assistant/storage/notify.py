"""Cross-process wake-ups for pushed events: PostgreSQL LISTEN/NOTIFY or Redis pub/sub.

The events table stays the source of truth; a notification only says "session X may have a new event", so a lost
one costs at most the bus's safety poll. PostgreSQL's NOTIFY is sent inside the event's own transaction and is
delivered on commit, so a listener never wakes before the row is readable."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from sqlalchemy import Connection, Engine, text

log = logging.getLogger("portside.notify")
CHANNEL = "portside_events"
Wake = Callable[[str], None]


class Notifier(Protocol):
    name: str

    def send(self, conn: Connection, session_id: str) -> None:
        """Announce an event for the session; called inside the transaction that wrote it."""

    def start(self, wake: Wake) -> None:
        """Call `wake(session_id)` from a background thread for every announcement, from any process."""

    def close(self) -> None: ...


class _Listener:
    """A daemon thread that (re)connects and listens until closed; errors back off instead of dying."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, wake: Wake) -> None:
        if self._thread is not None:
            return

        def loop() -> None:
            delay = 0.5
            while not self._stop.is_set():
                try:
                    self.listen(wake, self._stop)
                    delay = 0.5
                except Exception as exc:  # the server restarted or the network blinked: listen again
                    log.warning("%s listener: %s; reconnecting in %.1fs", self.name, exc, delay)
                    self._stop.wait(delay)
                    delay = min(delay * 2, 10.0)

        self._thread = threading.Thread(target=loop, name=f"portside-{self.name}-listen", daemon=True)
        self._thread.start()

    def listen(self, wake: Wake, stop: threading.Event) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self._stop.set()


class PostgresNotifier(_Listener):
    name = "postgres"

    def __init__(self, engine: Engine) -> None:
        super().__init__("postgres")
        self.dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

    def send(self, conn: Connection, session_id: str) -> None:
        conn.execute(text("SELECT pg_notify(:c, :s)"), {"c": CHANNEL, "s": session_id})

    def listen(self, wake: Wake, stop: threading.Event) -> None:
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            while not stop.is_set():
                for note in conn.notifies(timeout=1.0):
                    wake(note.payload)


class RedisNotifier(_Listener):
    name = "redis"

    def __init__(self, url: str) -> None:
        super().__init__("redis")
        import redis

        self.url = url
        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)

    def send(self, conn: Connection, session_id: str) -> None:
        # Published once the transaction commits, so a listener never reads before the row exists.
        from sqlalchemy import event

        event.listen(conn, "commit", lambda _conn: self._publish(session_id), once=True)

    def _publish(self, session_id: str) -> None:
        try:
            self.client.publish(CHANNEL, session_id)
        except Exception as exc:  # the row is stored; the safety poll will find it
            log.warning("redis publish failed: %s", exc)

    def listen(self, wake: Wake, stop: threading.Event) -> None:
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=5)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            pubsub.subscribe(CHANNEL)
            while not stop.is_set():
                message = pubsub.get_message(timeout=1.0)
                if message and message.get("type") == "message":
                    data = message["data"]
                    wake(data.decode() if isinstance(data, bytes) else str(data))
        finally:
            pubsub.close()
            client.close()

    def close(self) -> None:
        super().close()
        self.client.close()


def make_notifier(engine: Engine, redis_url: str | None) -> Notifier | None:
    """Redis when configured, else PostgreSQL's own LISTEN/NOTIFY, else none (one process: in-memory wake-ups)."""
    if redis_url:
        return RedisNotifier(redis_url)
    if engine.dialect.name == "postgresql":
        return PostgresNotifier(engine)
    return None
