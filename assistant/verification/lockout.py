"""Failed verifications counted per order, per customer and per client address, across chat sessions.

A session-level counter alone lets an attacker open a new chat for every three guesses. Here every failure
counts against each key it touches; a key that reaches its limit is locked for `lockout_minutes`, doubling with
each further lockout up to `max_lockout_hours`. While any key of an attempt is locked, the attempt is refused
without checking the details, so a locked order can't be verified even with the right postal code: the scan
stops. Failures older than `forget_after_hours` no longer count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, func, select, update

from assistant.clock import Clock
from assistant.policy.config import VerificationPolicy
from assistant.storage import schema as t
from assistant.storage.upsert import insert_ignore


@dataclass(frozen=True)
class Keys:
    """What one verification attempt is counted against."""

    order: str  # the order's id, or the reference as typed when no such order exists: both fail alike
    customer: str | None  # the order's customer, when the order exists
    client: str | None  # the client's network address

    def all(self) -> list[str]:
        keys = [f"order:{self.order}"]
        if self.customer:
            keys.append(f"customer:{self.customer}")
        if self.client:
            keys.append(f"client:{self.client}")
        return keys


@dataclass(frozen=True)
class Failure:
    locked_until: datetime | None  # set when this failure locked a key (or one was locked already)
    newly_locked: list[str]  # keys this failure locked
    failures: dict[str, int]  # failures per key, after this one
    counted: tuple[str, ...] = ()  # keys this failure was added to (an already locked key counts nothing)


class Lockout:
    def __init__(self, engine: Engine, clock: Clock, policy: VerificationPolicy) -> None:
        self.engine = engine
        self.clock = clock
        self.policy = policy

    def _limit(self, key: str) -> int:
        kind = key.split(":", 1)[0]
        p = self.policy
        return {"order": p.max_failures_per_order, "customer": p.max_failures_per_customer,
                "client": p.max_failures_per_client}[kind]

    def _duration(self, level: int) -> timedelta:
        minutes = self.policy.lockout_minutes * 2 ** min(level, 20)
        return min(timedelta(minutes=minutes), timedelta(hours=self.policy.max_lockout_hours))

    def locked_until(self, keys: Keys) -> datetime | None:
        """The latest end of a lockout in force on any of these keys, or None."""
        now = self.clock.now()
        with self.engine.connect() as conn:
            ends = conn.scalars(select(t.verify_failures.c.locked_until)
                                .where(t.verify_failures.c.key.in_(keys.all()))
                                .where(t.verify_failures.c.locked_until > now)).all()
        return max(ends) if ends else None

    def fail(self, keys: Keys) -> Failure:
        """Count a failed attempt against every key; lock those that reach their limit."""
        now = self.clock.now()
        newly: list[str] = []
        counts: dict[str, int] = {}
        ends: list[datetime] = []
        counted: list[str] = []
        with self.engine.begin() as conn:
            for key in keys.all():
                failures, until, locked_now = self._count(conn, key, now)
                counts[key] = failures
                if until is not None:
                    ends.append(until)
                if locked_now:
                    newly.append(key)
                if locked_now or until is None:
                    counted.append(key)
        return Failure(max(ends) if ends else None, newly, counts, tuple(counted))

    def unfail(self, failure: Failure) -> None:
        """Take back one counted failure (an engine attempt that failed mid-turn and is answered again). Relative
        updates, so failures other chats count meanwhile are kept."""
        c = t.verify_failures.c
        with self.engine.begin() as conn:
            for key in failure.counted:
                if key in failure.newly_locked:
                    conn.execute(update(t.verify_failures).where(c.key == key).values(
                        locked_until=None, level=func.max(c.level - 1, 0) if conn.dialect.name == "sqlite"
                        else func.greatest(c.level - 1, 0), failures=self._limit(key) - 1))
                else:
                    conn.execute(update(t.verify_failures).where(c.key == key, c.failures > 0)
                                 .values(failures=c.failures - 1))

    def _count(self, conn: Connection, key: str, now: datetime) -> tuple[int, datetime | None, bool]:
        """Add one failure to `key` (inside the caller's transaction): (failures counted, lockout end if locked,
        whether this failure locked it).
        The increment is one UPDATE, so attempts on several servers at once are all counted."""
        c = t.verify_failures.c
        row = conn.execute(select(c.failures, c.level, c.last_at, c.locked_until).where(c.key == key)).first()
        if row is None:  # another attempt may create it at the same moment: then we count on its row
            insert_ignore(conn, t.verify_failures, {"key": key, "failures": 0, "level": 0, "last_at": now}, ["key"])
            row = conn.execute(select(c.failures, c.level, c.last_at, c.locked_until).where(c.key == key)).first()
        assert row is not None
        if row.locked_until is not None and row.locked_until > now:
            return row.failures, row.locked_until, False  # already locked: nothing more to count
        forget = timedelta(hours=self.policy.forget_after_hours)
        if now - row.last_at > forget:  # a quiet period: start over, lockouts forgotten too
            conn.execute(update(t.verify_failures).where(c.key == key).values(failures=0, level=0))
        conn.execute(update(t.verify_failures).where(c.key == key)
                     .values(failures=c.failures + 1, last_at=now))
        failures, level = conn.execute(select(c.failures, c.level).where(c.key == key)).one()
        if failures < self._limit(key):
            return failures, None, False
        until = now + self._duration(level)
        conn.execute(update(t.verify_failures).where(c.key == key)
                     .values(failures=0, level=level + 1, locked_until=until))
        return failures, until, True

    def succeed(self, keys: Keys) -> None:
        """The owner proved it: their order's and customer's counts start over (the client's do not, or one
        known order would reset an attacker's count)."""
        drop = [k for k in keys.all() if not k.startswith("client:")]
        with self.engine.begin() as conn:
            conn.execute(delete(t.verify_failures).where(t.verify_failures.c.key.in_(drop))
                         .where(t.verify_failures.c.locked_until.is_(None)
                                | (t.verify_failures.c.locked_until <= self.clock.now())))
