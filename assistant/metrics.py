"""Process counters (engine fallbacks, grounding fallbacks…), incremented from the server's worker threads."""

from __future__ import annotations

import threading


class Counters(dict[str, int]):
    """A dict of counts whose increments are atomic: `d[k] = d.get(k, 0) + 1` from two threads can lose one."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def incr(self, name: str, by: int = 1) -> int:
        with self._lock:
            value = self.get(name, 0) + by
            self[name] = value
            return value

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self)
