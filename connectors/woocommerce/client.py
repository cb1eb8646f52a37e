"""A small WooCommerce REST API v3 client: authentication, retries with back-off, pagination.

Over HTTPS WooCommerce takes the key and secret as HTTP Basic auth; over plain HTTP it refuses them and wants
OAuth 1.0a "one-legged" signatures (HMAC-SHA256, key = secret + "&"), which oauthlib makes. 429 (hosts and WAFs
rate-limit even though WooCommerce core does not) and 5xx are retried within a time budget, honouring
Retry-After; past it the caller gets PlatformUnavailable and a write stays in the outbox.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256, SIGNATURE_TYPE_QUERY, Client

from connectors.writes import PlatformRejected, PlatformUnavailable


class WooError(PlatformRejected):
    def __init__(self, status: int, body: Any) -> None:
        code = body.get("code") if isinstance(body, dict) else None
        message = body.get("message") if isinstance(body, dict) else str(body)[:200]
        super().__init__(f"WooCommerce answered {status}: {message}", code=code)
        self.status = status


class WooClient:
    def __init__(self, url: str, key: str, secret: str, *, timeout: float = 10.0, budget: float = 20.0,
                 attempts: int = 5, sleep: Callable[[float], None] = time.sleep) -> None:
        if not url or not key or not secret:
            raise ValueError("WooCommerce needs PORTSIDE_WOO_URL, PORTSIDE_WOO_KEY and PORTSIDE_WOO_SECRET")
        self.base = url.rstrip("/") + "/wp-json/"
        self.tls = url.lower().startswith("https://")
        self.oauth = None if self.tls else Client(key, client_secret=secret, signature_method=SIGNATURE_HMAC_SHA256,
                                                  signature_type=SIGNATURE_TYPE_QUERY)
        self.http = httpx.Client(timeout=timeout, auth=(key, secret) if self.tls else None,
                                 headers={"User-Agent": "portside", "Accept": "application/json"})
        self.budget, self.attempts, self.sleep = budget, attempts, sleep
        self.calls = 0

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, route: str, *, params: dict[str, Any] | None = None, json: Any = None,
                budget: float | None = None) -> httpx.Response:
        """`route` like "wc/v3/orders/12". Returns the response of a 2xx; raises otherwise."""
        deadline = time.monotonic() + (self.budget if budget is None else budget)
        query = urlencode({k: v for k, v in (params or {}).items() if v is not None})
        last = "no attempt"
        for attempt in range(self.attempts):
            url = self.base + route + (f"?{query}" if query else "")
            if self.oauth is not None:  # a fresh nonce and timestamp for every attempt
                url, _, _ = self.oauth.sign(url, http_method=method)
            try:
                response = self.http.request(method, url, json=json)
                self.calls += 1
            except httpx.TimeoutException:
                last = "WooCommerce did not answer in time"
            except httpx.TransportError as exc:
                last = f"cannot reach WooCommerce: {exc}"
            else:
                if response.status_code < 300:
                    return response
                body = _json(response)
                if response.status_code >= 500 and isinstance(body, dict) and body.get("code") not in (
                        None, "internal_server_error"):
                    raise WooError(response.status_code, body)  # WooCommerce's own refusal, sent as a 500
                if response.status_code == 429 or response.status_code >= 500:
                    last = f"WooCommerce answered HTTP {response.status_code}"
                    wait = _float(response.headers.get("Retry-After"))
                    if wait is not None:
                        self._pause(wait, deadline, last)
                        continue
                else:
                    raise WooError(response.status_code, body)
            self._pause(min(8.0, 0.25 * 2 ** attempt) * (0.5 + random.random()), deadline, last)
        raise PlatformUnavailable(last, retry_after=5.0)

    def get(self, route: str, **params: Any) -> Any:
        return self.request("GET", route, params=params).json()

    def pages(self, route: str, params: dict[str, Any], start: int = 1) -> Any:
        """(page number, items, total pages) for every page from `start`, by X-WP-TotalPages."""
        page = start
        while True:
            response = self.request("GET", route, params={**params, "page": page})
            total = int(response.headers.get("X-WP-TotalPages") or 1)
            yield page, response.json(), total
            if page >= total:
                return
            page += 1

    def _pause(self, seconds: float, deadline: float, why: str) -> None:
        if time.monotonic() + seconds > deadline:
            raise PlatformUnavailable(why, retry_after=max(1.0, seconds))
        self.sleep(seconds)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
