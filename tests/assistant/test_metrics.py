"""Counters incremented from many threads at once lose nothing."""

from __future__ import annotations

import sys
import threading

from assistant.metrics import Counters


def test_concurrent_increments_are_all_counted() -> None:
    # Switch threads as often as possible: a plain dict's read-add-store loses most increments like this.
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    counters = Counters()
    barrier = threading.Barrier(8)

    def bump() -> None:
        barrier.wait()
        for _ in range(20_000):
            counters.incr("engine_fallbacks")

    threads = [threading.Thread(target=bump) for _ in range(8)]
    try:
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    finally:
        sys.setswitchinterval(old)
    assert counters["engine_fallbacks"] == 160_000 and counters.snapshot() == {"engine_fallbacks": 160_000}
