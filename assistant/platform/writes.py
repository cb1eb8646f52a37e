"""Writes to the store platform, through the outbox: idempotent, retried, never lost.

A confirmed action is queued in the outbox under its action id (a second "yes" or a second worker queues nothing
new) and delivered at once, so the shopper hears the platform's answer in the same turn. When the platform is
throttling or down, the row stays in the outbox and is retried with back-off; when it refuses for a reason a
retry will not change (userErrors), the row is closed with the platform's reason, which the caller shows the
shopper and hands to staff. The embedded SQL store is written directly: there is no other system to wait for.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Literal

from pydantic import TypeAdapter

from assistant.runtime import Services
from assistant.storage.outbox import GiveUp, RetryLater
from connectors.writes import PlatformRejected, PlatformUnavailable, PlatformWrite, WriteResult

TOPIC = "platform.write"
log = logging.getLogger("portside.platform")
_WRITE: TypeAdapter[PlatformWrite] = TypeAdapter(PlatformWrite)


@dataclass(frozen=True)
class Submitted:
    status: Literal["done", "queued", "rejected"]
    platform: str
    result: WriteResult | None = None
    reason: str | None = None  # the platform's words when it refused, or why the write is still queued


def dedupe_key(write: PlatformWrite) -> str:
    return f"{TOPIC}:{write.kind}:{write.action_id}"


class PlatformWrites:
    def __init__(self, services: Services) -> None:
        self.services = services
        self._results: dict[str, WriteResult] = {}
        self._lock = threading.Lock()
        services.outbox.handler(TOPIC, self._deliver)

    def submit(self, write: PlatformWrite) -> Submitted:
        store = self.services.store
        if not store.remote:
            return Submitted("done", store.name, store.apply(write))
        key = dedupe_key(write)
        self.services.outbox.add(TOPIC, key, {"write": write.model_dump(mode="json")})
        status, error = self.services.outbox.deliver_now(key)
        if status == "done":
            with self._lock:
                result = self._results.pop(key, None)
            return Submitted("done", store.name, result or WriteResult(platform=store.name, action_id=write.action_id,
                                                           already_done=True))
        if status == "gave_up":
            self.services.metrics.incr("platform_writes_rejected")
            return Submitted("rejected", store.name, reason=(error or "").removeprefix("rejected: "))
        self.services.metrics.incr("platform_writes_queued")
        return Submitted("queued", store.name, reason=error)

    def _deliver(self, payload: dict[str, object]) -> None:
        write = _WRITE.validate_python(payload["write"])
        try:
            result = self.services.store.apply(write)
        except PlatformRejected as exc:
            raise GiveUp(f"rejected: {exc}") from None
        except PlatformUnavailable as exc:
            raise RetryLater(exc.retry_after, str(exc)) from None
        self.services.metrics.incr("platform_writes_done")
        with self._lock:
            self._results[dedupe_key(write)] = result
            if len(self._results) > 1000:  # results of background deliveries nobody waits for
                self._results.clear()
