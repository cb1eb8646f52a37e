"""A small Shopify Admin GraphQL client: the access-token header, the cost-based throttle, retries with back-off.

Shopify answers a query that would overdraw the app's bucket with a THROTTLED error and reports the bucket in
`extensions.cost.throttleStatus` (maximumAvailable, currentlyAvailable, restoreRate). We wait for the bucket to
refill before such a query instead of hammering it, and retry 429/5xx/timeouts a few times within a time budget;
past the budget the caller gets PlatformUnavailable (a write then stays in the outbox and is retried later).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from connectors.writes import PlatformRejected, PlatformUnavailable

API_VERSION = "2025-10"
log = logging.getLogger("portside.shopify")


class GraphQLErrors(PlatformRejected):
    """The API refused the query itself (validation, access denied): a bug or a missing scope, not a hiccup."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        first = errors[0] if errors else {}
        super().__init__("; ".join(str(e.get("message", e)) for e in errors)[:500],
                         code=(first.get("extensions") or {}).get("code"))
        self.errors = errors


class ShopifyClient:
    def __init__(self, shop: str, token: str, *, api_url: str | None = None, timeout: float = 10.0,
                 budget: float = 20.0, attempts: int = 5, sleep: Callable[[float], None] = time.sleep) -> None:
        if not shop or not token:
            raise ValueError("Shopify needs PORTSIDE_SHOPIFY_SHOP and PORTSIDE_SHOPIFY_TOKEN")
        self.url = api_url or f"https://{shop}/admin/api/{API_VERSION}/graphql.json"
        self.http = httpx.Client(timeout=timeout, headers={"X-Shopify-Access-Token": token,
                                                           "Content-Type": "application/json",
                                                           "User-Agent": "portside"})
        self.budget = budget
        self.attempts = attempts
        self.sleep = sleep
        self._lock = threading.Lock()
        self._available: float | None = None  # the bucket as last reported, and when
        self._restore = 50.0
        self._seen_at = 0.0
        self.calls = 0
        self.throttled = 0
        self._costs: dict[tuple[str, Any], float] = {}

    def close(self) -> None:
        self.http.close()

    def execute(self, query: str, variables: dict[str, Any] | None = None, *, cost: float = 50.0,
                budget: float | None = None) -> dict[str, Any]:
        """Run one operation and return its `data`. `cost` is what we expect it to take from the bucket."""
        deadline = time.monotonic() + (self.budget if budget is None else budget)
        last = "no attempt"
        key = (query, first_size(variables))
        cost = self._costs.get(key, cost)  # what Shopify charged for this query last time beats our estimate
        for attempt in range(self.attempts):
            self._wait_for_bucket(cost, deadline)
            try:
                response = self.http.post(self.url, json={"query": query, "variables": variables or {}})
                self.calls += 1
            except httpx.TimeoutException:
                last = "Shopify did not answer in time"
            except httpx.TransportError as exc:
                last = f"cannot reach Shopify: {exc}"
            else:
                status = response.status_code
                if status in (401, 403):
                    raise PlatformRejected("Shopify refused the access token (check PORTSIDE_SHOPIFY_TOKEN and the "
                                           "app's scopes)", code=str(status))
                if status == 404:
                    raise PlatformRejected(f"no Shopify Admin API at {self.url} (shop domain or API version)",
                                           code="404")
                if status == 429 or status >= 500:
                    last = f"Shopify answered HTTP {status}"
                    retry_after = _float(response.headers.get("Retry-After"))
                    if retry_after is not None:
                        self._pause(retry_after, deadline, last)
                        continue
                elif status != 200:
                    raise PlatformRejected(f"Shopify answered HTTP {status}: {response.text[:200]}", code=str(status))
                else:
                    body = response.json()
                    self._note_cost(body, key)
                    errors = body.get("errors")
                    if isinstance(errors, list) and any(_code(e) == "THROTTLED" for e in errors):
                        self.throttled += 1
                        last = "Shopify throttled the request"
                        continue  # _wait_for_bucket waits for the refill the throttle status asks for
                    if errors:
                        raise GraphQLErrors(errors if isinstance(errors, list) else [{"message": str(errors)}])
                    return dict(body.get("data") or {})
            self._pause(min(8.0, 0.25 * 2 ** attempt) * (0.5 + random.random()), deadline, last)
        raise PlatformUnavailable(last, retry_after=5.0)

    def _note_cost(self, body: dict[str, Any], key: tuple[str, Any]) -> None:
        cost = (body.get("extensions") or {}).get("cost") or {}
        if cost.get("requestedQueryCost") is not None:
            self._costs[key] = float(cost["requestedQueryCost"])
        status = cost.get("throttleStatus")
        if status:
            with self._lock:
                self._available = float(status["currentlyAvailable"])
                self._restore = float(status.get("restoreRate") or 50.0)
                self._seen_at = time.monotonic()

    def _wait_for_bucket(self, cost: float, deadline: float) -> None:
        with self._lock:
            if self._available is None:
                return
            now = time.monotonic()
            available = self._available + (now - self._seen_at) * self._restore
            short = cost - available
        if short > 0:
            self._pause(short / self._restore, deadline, "waiting for Shopify's rate limit")

    def _pause(self, seconds: float, deadline: float, why: str) -> None:
        if time.monotonic() + seconds > deadline:
            raise PlatformUnavailable(why, retry_after=max(1.0, seconds))
        self.sleep(seconds)


def first_size(variables: dict[str, Any] | None) -> Any:
    return (variables or {}).get("first")


def _code(error: Any) -> str | None:
    return ((error or {}).get("extensions") or {}).get("code") if isinstance(error, dict) else None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
