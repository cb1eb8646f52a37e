"""Rate limits per client IP and per session, with the `limits` library (memory, or Redis for several servers)."""

from __future__ import annotations

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from assistant.api.errors import ApiError


class RateLimiter:
    def __init__(self, per_session: str, per_ip: str, storage_uri: str = "memory://") -> None:
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self.per_session = parse(per_session)
        self.per_ip = parse(per_ip)

    def check(self, ip: str | None, session_id: str | None) -> None:
        for item, key in ((self.per_ip, f"ip:{ip}"), (self.per_session, f"session:{session_id}")):
            if key.endswith(":None"):
                continue
            if not self.limiter.hit(item, "chat", key):
                reset = self.limiter.get_window_stats(item, "chat", key).reset_time
                raise ApiError(429, "rate_limited", f"too many messages; limit is {item}",
                               headers={"Retry-After": str(max(1, int(reset) - int(_now())))})

    def count_new_session(self, session_id: str) -> None:
        """The message that created a session counts towards that session's limit too."""
        self.limiter.hit(self.per_session, "chat", f"session:{session_id}")


def _now() -> float:
    import time

    return time.time()
