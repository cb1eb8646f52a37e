"""Periodic background jobs of one server process (tracker registration, stall checks, the daily digest).

Every job is safe to run on several servers at once: its effects are deduplicated in the database (outbox keys,
notice keys), so each server may run the scheduler.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("portside.jobs")


@dataclass
class Job:
    name: str
    every: float  # seconds
    fn: Callable[[], object]
    next_at: float = 0.0


class Scheduler:
    def __init__(self) -> None:
        self.jobs: list[Job] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def every(self, seconds: float, name: str, fn: Callable[[], object], *, first_after: float = 5.0) -> None:
        self.jobs.append(Job(name, seconds, fn, time.monotonic() + first_after))

    def run_due(self) -> int:
        ran = 0
        for job in self.jobs:
            if time.monotonic() >= job.next_at:
                job.next_at = time.monotonic() + job.every
                try:
                    job.fn()
                except Exception:  # a failing job must not stop the others
                    log.exception("job %s failed", job.name)
                ran += 1
        return ran

    def start(self, tick: float = 1.0) -> None:
        if self._thread is not None or not self.jobs:
            return

        def loop() -> None:
            while not self._stop.wait(tick):
                self.run_due()

        self._thread = threading.Thread(target=loop, name="portside-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
