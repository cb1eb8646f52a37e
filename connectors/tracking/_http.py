"""HTTP plumbing shared by the tracker clients: one request, failures as TrackerError, no retries here.

Portside's outbox retries writes and reads run under a time budget, so a client that retried on its own would
double the load on a struggling provider and blow the budget.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from connectors.tracking.models import InvalidSignature, TrackerError

DEFAULT_TIMEOUT = 10.0  # seconds; fetch() passes its own budget
CONNECT_TIMEOUT = 5.0


def make_client(base_url: str, headers: Mapping[str, str], timeout: float,
                transport: httpx.BaseTransport | None = None) -> httpx.Client:
    return httpx.Client(
        base_url=base_url.rstrip("/") + "/", headers=dict(headers), transport=transport,
        timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)),
    )


def send(client: httpx.Client, provider: str, method: str, path: str, *, timeout: float | None = None,
         **kwargs: Any) -> httpx.Response:
    """One request. Timeouts and connection failures are retryable TrackerErrors."""
    options: dict[str, Any] = dict(kwargs)
    if timeout is not None:
        options["timeout"] = httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout))
    try:
        return client.request(method, path, **options)
    except httpx.TimeoutException as exc:
        raise TrackerError(f"{provider}: no answer in time ({type(exc).__name__})", retryable=True) from exc
    except httpx.TransportError as exc:
        raise TrackerError(f"{provider}: connection failed ({type(exc).__name__})", retryable=True) from exc


def status_error(provider: str, response: httpx.Response, message: str, *,
                 retry_after: float | None = None) -> TrackerError:
    """429 and 5xx may work later; any other 4xx (bad key, bad request) will not until someone changes something."""
    status = response.status_code
    text = f"{provider}: HTTP {status}: {message}"
    if status == 429:
        return TrackerError(text, retryable=True, retry_after=retry_after)
    if status >= 500:
        return TrackerError(text, retryable=True, retry_after=retry_after_header(response.headers))
    return TrackerError(text, retryable=False)


def retry_after_header(headers: httpx.Headers, now: float | None = None) -> float | None:
    """Seconds from a standard Retry-After header (delta-seconds or an HTTP date)."""
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def json_body(provider: str, response: httpx.Response) -> Any:
    """The parsed body; an unparseable one (a proxy's error page, a cut connection) is worth another try."""
    try:
        return response.json()
    except ValueError as exc:
        raise TrackerError(f"{provider}: HTTP {response.status_code} with a body that is not JSON",
                           retryable=True) from exc


def header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive lookup: web frameworks hand headers over in any case."""
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


def same_signature(expected: str, given: str | None) -> bool:
    """Constant-time comparison of two signatures (as bytes, so non-ASCII input cannot raise)."""
    if not given:
        return False
    return hmac.compare_digest(expected.encode(), given.strip().encode("utf-8", "replace"))


def require_secret(provider: str, secret: str | None) -> str:
    if not secret:
        raise InvalidSignature(f"{provider}: no webhook secret configured, refusing an unverifiable webhook")
    return secret


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
