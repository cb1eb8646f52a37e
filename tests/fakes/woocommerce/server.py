"""FakeWooCommerce: a WordPress + WooCommerce REST API (and Shipment Tracking) on 127.0.0.1, plain HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from urllib.parse import urlsplit

import httpx

from tests.fakes.http import loopback_server

from . import oauth, php
from .routes import ROUTES, Route
from .shop import ApiKey, Shop
from .store import Site
from .wp import Request, WPError, check_args, filter_fields, no_route

WC_VERSION, WP_VERSION = "9.8.5", "6.8.1"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
WEBHOOK_RESOURCES = ("coupon", "customer", "order", "product")
WEBHOOK_EVENTS = ("created", "updated", "deleted", "restored")
CRITICAL_ERROR = {  # what WordPress's fatal-error handler answers to a REST request
    "code": "internal_server_error",
    "message": '<p>There has been a critical error on this website.</p><p><a href="https://wordpress.org/'
    'documentation/article/faq-troubleshooting/">Learn more about troubleshooting WordPress.</a></p>',
    "data": {"status": 500},
    "additional_errors": [],
}
PERMISSION_ERRORS = {
    "read": "The API key provided does not have read permissions.",
    "write": "The API key provided does not have write permissions.",
}


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, Any]
    body: Any
    status: int


def webhook_signature(body: bytes | str, secret: str) -> str:
    """X-WC-Webhook-Signature: base64(HMAC-SHA256(raw body, secret)), as WC_Webhook::generate_signature()."""
    raw = body.encode() if isinstance(body, str) else body
    key = php.specialchars_decode(secret).encode()
    return base64.b64encode(hmac.new(key, raw, hashlib.sha256).digest()).decode()


class FakeWooCommerce(Shop):
    """A WooCommerce store for tests. Clients authenticate with OAuth 1.0a (see `sign_request`), because
    WooCommerce refuses HTTP Basic and query-string keys over plain HTTP; `behind_tls=True` makes the store
    behave as if is_ssl() were true (a TLS-terminating proxy), which enables those two forms instead."""

    def __init__(
        self,
        *,
        consumer_key: str = "ck_fake_0123456789abcdef0123456789abcdef",
        consumer_secret: str = "cs_fake_0123456789abcdef0123456789abcdef",
        permissions: str = "read_write",
        shipment_tracking: bool = True,
        behind_tls: bool = False,
        site_timezone: tzinfo = timezone(timedelta(hours=2)),
        clock: Callable[[], datetime] | None = None,
        oauth_clock: Callable[[], float] = time.time,
        api_user: str = "shop-admin",
    ) -> None:
        self.server = loopback_server(lambda method, path, headers, body: self.handle(
            method, path, {k.lower(): v for k, v in headers.items()}, body))
        home = f"http://127.0.0.1:{self.server.server_address[1]}"
        super().__init__(Site(home, site_timezone), clock or (lambda: datetime.now(UTC)), api_user)
        self.url = home + "/"
        self.api_url = home + "/wp-json/wc/v3/"
        self.tracking_api_url = home + "/wp-json/wc-shipment-tracking/v3/"
        # A short poll interval keeps shutdown (and so each test's teardown) quick.
        self.thread = threading.Thread(target=lambda: self.server.serve_forever(poll_interval=0.05), daemon=True)
        # The OAuth timestamp window follows the wall clock, like the server's time(), even when `clock` (which
        # stamps created/modified dates) is frozen; pass oauth_clock to move it too.
        self.oauth_clock = oauth_clock
        self.shipment_tracking = shipment_tracking
        self.behind_tls = behind_tls
        self.keys: dict[str, ApiKey] = {}
        self.consumer_key, self.consumer_secret = consumer_key, consumer_secret
        self.add_api_key(consumer_key, consumer_secret, permissions)
        self.calls: list[Call] = []
        self.writes: list[tuple[str, str, Any]] = []
        self.webhook_deliveries: list[dict[str, Any]] = []
        self._failures: list[tuple[int, bool]] = []
        self._delays: list[float] = []
        self._rate_limit: dict[str, int] | None = None
        self._lock = threading.RLock()

    def __enter__(self) -> FakeWooCommerce:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- configuration and failure injection ---------------------------------------------------------------

    def add_api_key(self, consumer_key: str, consumer_secret: str, permissions: str = "read_write") -> ApiKey:
        if permissions not in ("read", "write", "read_write"):
            raise ValueError("permissions must be read, write or read_write")
        key = ApiKey(consumer_key, consumer_secret, permissions)
        self.keys[consumer_key] = key
        return key

    def fail_next(self, n: int = 1, status: int = 500, *, after_commit: bool = False) -> None:
        """Answer the next `n` requests with `status`. With after_commit the request is applied first and only
        the response is lost, as when a proxy times out on a write that the store did complete."""
        with self._lock:
            self._failures += [(status, after_commit)] * n

    def delay_next(self, seconds: float, n: int = 1) -> None:
        with self._lock:
            self._delays += [seconds] * n

    def rate_limit(self, retry_after: int = 5, *, allow: int = 0) -> None:
        """Opt-in: after `allow` more requests, answer 429 + Retry-After until clear_rate_limit(). WooCommerce core
        has no REST rate limit; hosts, WAFs and the Store API do, so clients must cope with it."""
        with self._lock:
            self._rate_limit = {"retry_after": retry_after, "allow": allow}

    def clear_rate_limit(self) -> None:
        with self._lock:
            self._rate_limit = None

    # --- REST representations (e.g. for webhook payloads) -------------------------------------------------

    def order_json(self, order_id: int, dp: int = 2) -> dict[str, Any]:
        return self.orders[order_id].to_json(self.site, dp)

    def customer_json(self, customer_id: int) -> dict[str, Any]:
        return self.customers[customer_id].to_json(self.site)

    def product_json(self, product_id: int) -> dict[str, Any]:
        return self.products[product_id].to_json(self.site, self.terms, 2)

    def writes_to(self, path_suffix: str, method: str | None = None) -> list[tuple[str, str, Any]]:
        return [w for w in self.writes if w[1].endswith(path_suffix) and (method is None or w[0] == method)]

    # --- webhooks ------------------------------------------------------------------------------------------

    def send_webhook(
        self,
        url: str,
        topic: str,
        resource_json: Any,
        secret: str,
        *,
        webhook_id: int = 1,
        delivery_id: str | None = None,
        timeout: float = 5.0,
    ) -> httpx.Response:
        """POST a delivery the way WC_Webhook::deliver() does: JSON body (PHP-encoded), signed, X-WC-* headers."""
        resource, _, event = topic.partition(".")
        if resource != "action" and (resource not in WEBHOOK_RESOURCES or event not in WEBHOOK_EVENTS):
            raise ValueError(f"not a WooCommerce webhook topic: {topic!r}")
        if isinstance(resource_json, bytes | str):
            body = resource_json.encode() if isinstance(resource_json, str) else resource_json
        else:
            body = php.json_encode(resource_json)
        delivery = delivery_id or hashlib.md5(f"{webhook_id}{time.time()}".encode()).hexdigest()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"WooCommerce/{WC_VERSION} Hookshot (WordPress/{WP_VERSION})",
            "X-WC-Webhook-Source": self.url,
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": resource,
            "X-WC-Webhook-Event": event,
            "X-WC-Webhook-Signature": webhook_signature(body, secret),
            "X-WC-Webhook-ID": str(webhook_id),
            "X-WC-Webhook-Delivery-ID": delivery,
        }
        with httpx.Client(timeout=timeout) as client:
            response = client.post(url, content=body, headers=headers)
        self.webhook_deliveries.append({"url": url, "headers": headers, "body": body, "status": response.status_code})
        return response

    def send_ping(self, url: str, webhook_id: int = 1, timeout: float = 5.0) -> httpx.Response:
        """The test ping WooCommerce sends when a webhook is saved: a form body `webhook_id=N`, no signature."""
        headers = {
            "User-Agent": f"WooCommerce/{WC_VERSION} Hookshot (WordPress/{WP_VERSION})",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        with httpx.Client(timeout=timeout) as client:
            return client.post(url, content=f"webhook_id={webhook_id}".encode(), headers=headers)

    # --- request handling ----------------------------------------------------------------------------------

    def handle(
        self, method: str, raw_target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        parts = urlsplit(raw_target)
        delay, failure = self._take_injections()
        if delay:
            time.sleep(delay)
        with self._lock:
            if failure is not None and not failure[1]:
                status, reply_headers, payload = _failure_response(failure[0])
                record_body: Any = None
            elif self._rate_limited():
                status, reply_headers, payload = self._too_many_requests()
                record_body = None
            else:
                status, reply_headers, payload, req = self._process(method, parts.path, parts.query, headers, body)
                record_body = req.body_for_record() if req else None
                if req and 200 <= status < 300 and req.method in WRITE_METHODS:
                    self.writes.append((req.method, parts.path, record_body))
                if failure is not None:  # after_commit: the store changed, the client never hears about it
                    status, reply_headers, payload = _failure_response(failure[0])
            query = {k: v for k, v in php.parse_str(parts.query).items()}
            self.calls.append(Call(method, parts.path, query, record_body, status))
        return status, reply_headers, payload

    def _take_injections(self) -> tuple[float, tuple[int, bool] | None]:
        with self._lock:
            delay = self._delays.pop(0) if self._delays else 0.0
            failure = self._failures.pop(0) if self._failures else None
        return delay, failure

    def _rate_limited(self) -> bool:
        if self._rate_limit is None:
            return False
        if self._rate_limit["allow"] > 0:
            self._rate_limit["allow"] -= 1
            return False
        return True

    def _too_many_requests(self) -> tuple[int, list[tuple[str, str]], bytes]:
        wait = self._rate_limit["retry_after"] if self._rate_limit else 1
        body = {
            "code": "rate_limit_exceeded",
            "message": f"Too many requests. Please wait {wait} seconds before trying again.",
            "data": {"status": 429},
        }
        headers = [("Content-Type", "application/json; charset=UTF-8"), ("Retry-After", str(wait))]
        return 429, headers, php.json_encode(body)

    def _process(
        self,
        method: str,
        path: str,
        query_string: str,
        headers: dict[str, str],
        body: bytes,
    ) -> tuple[int, list[tuple[str, str]], bytes, Request | None]:
        if not path.startswith("/wp-json"):
            return (
                404,
                [("Content-Type", "text/html; charset=UTF-8")],
                b"<html><body>Page not found</body></html>",
                None,
            )
        req = self._build_request(method, path, query_string, headers, body)
        allow = ""
        try:
            key = self._authenticate(req, method, path, headers) if _is_wc_route(req.route) else None
            if key is not None:
                self._check_key_permissions(key, req.method)
            route = self._match(req)
            allow = ", ".join(sorted(m for r in self._routes() if r.pattern.match(req.route) for m in r.methods))
            check_args(req, route.args)
            if route.permission is not None:
                denied = route.permission(self, req, key is not None)
                if denied is not None:
                    raise denied
            status, data, extra = route.handler(self, req)
            if req.query.get("_fields"):
                data = filter_fields(data, req.query["_fields"])
        except WPError as error:
            status, data, extra = error.status, error.body(), list(error.headers.items())
        except Exception:  # a PHP fatal error, as far as the client can tell; the trace helps whoever debugs
            traceback.print_exc()
            status, data, extra = 500, CRITICAL_ERROR, []
        return status, self._headers(extra, allow), php.json_encode(data), req

    def _headers(self, extra: list[tuple[str, str]], allow: str) -> list[tuple[str, str]]:
        base = [
            ("Content-Type", "application/json; charset=UTF-8"),
            ("X-Robots-Tag", "noindex"),
            ("Link", f'<{self.site.home}/wp-json/>; rel="https://api.w.org/"'),
            ("X-Content-Type-Options", "nosniff"),
            ("Access-Control-Expose-Headers", "X-WP-Total, X-WP-TotalPages, Link"),
            (
                "Access-Control-Allow-Headers",
                "Authorization, X-WP-Nonce, Content-Disposition, Content-MD5, Content-Type",
            ),
        ]
        if allow:
            base.append(("Allow", allow))
        return base + extra

    def _build_request(
        self, method: str, path: str, query_string: str, headers: dict[str, str], body: bytes
    ) -> Request:
        query = php.parse_str(query_string)
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        form = (
            php.parse_str(body.decode("utf-8", "replace"))
            if content_type == "application/x-www-form-urlencoded"
            else {}
        )
        json_body, json_error = None, False
        if (content_type == "application/json" or content_type.endswith("+json")) and body.strip():
            try:
                json_body = json.loads(body)
            except ValueError:
                json_error = True
        override = query.get("_method") or headers.get("x-http-method-override")
        effective = str(override).upper() if override else method
        route = path[len("/wp-json") :].rstrip("/") or "/"
        return Request(effective, path, route, query, form, json_body, json_error, headers)

    def _routes(self) -> list[Route]:
        return [r for r in ROUTES if self.shipment_tracking or not r.namespace.startswith("wc-shipment-tracking")]

    def _match(self, req: Request) -> Route:
        for route in self._routes():
            found = route.pattern.match(req.route)
            if found and req.method in route.methods:
                req.url_params = {k: v for k, v in found.groupdict().items() if v is not None}
                return route
        raise no_route()

    # --- authentication, as WC_REST_Authentication ---------------------------------------------------------

    def _authenticate(self, req: Request, http_method: str, path: str, headers: dict[str, str]) -> ApiKey | None:
        authorization = headers.get("authorization", "")
        pending: WPError | None = None
        if self.behind_tls:
            key, pending = self._basic_auth(req, authorization)
            if key is not None:
                return key
        post = req.form if http_method == "POST" else {}  # PHP fills $_POST for POST requests only
        params = oauth.collect_params(req.query, post, authorization)
        if params is None:
            if pending is not None:
                raise pending
            return None
        key = self.keys.get(str(params["oauth_consumer_key"]).strip())
        if key is None:
            raise oauth.auth_error("Consumer key is invalid.")
        # The signed URI is the site's home URL plus the raw request path, whatever Host the client used.
        scheme = "https" if self.behind_tls else "http"
        base_uri = f"{scheme}://{urlsplit(self.site.home).netloc}{path}"
        oauth.check_signature(http_method, base_uri, params, key.consumer_secret)
        key.nonces.check(params["oauth_timestamp"], str(params["oauth_nonce"]), self.oauth_clock())
        if pending is not None:  # an earlier Basic failure still wins in check_authentication_error()
            raise pending
        return key

    def _basic_auth(self, req: Request, authorization: str) -> tuple[ApiKey | None, WPError | None]:
        ck, cs = req.query.get("consumer_key"), req.query.get("consumer_secret")
        if php.php_empty(ck) or php.php_empty(cs):
            ck, cs = _basic_credentials(authorization)
        if php.php_empty(ck) or php.php_empty(cs):
            return None, None
        key = self.keys.get(str(ck).strip())
        if key is None:
            return None, None  # an unknown key is not an error here: the request just stays anonymous
        if not hmac.compare_digest(key.consumer_secret, str(cs)):
            return None, oauth.auth_error("Consumer secret is invalid.")
        return key, None

    def _check_key_permissions(self, key: ApiKey, method: str) -> None:
        needed = "read" if method in ("GET", "HEAD") else "write" if method in WRITE_METHODS else None
        if method == "OPTIONS":
            return
        if needed is None:
            raise oauth.auth_error("Unknown request method.")
        if key.permissions not in (needed, "read_write"):
            raise oauth.auth_error(PERMISSION_ERRORS[needed])


def _is_wc_route(route: str) -> bool:
    return route.startswith("/wc/") or route.startswith("/wc-")


def _basic_credentials(authorization: str) -> tuple[str | None, str | None]:
    if not authorization.lower().startswith("basic "):
        return None, None
    try:
        decoded = base64.b64decode(authorization[6:].strip()).decode()
    except ValueError:
        return None, None
    user, _, password = decoded.partition(":")
    return user, password


def _failure_response(status: int) -> tuple[int, list[tuple[str, str]], bytes]:
    if status == 500:
        return 500, [("Content-Type", "application/json; charset=UTF-8")], php.json_encode(CRITICAL_ERROR)
    reasons = {502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}
    reason = reasons.get(status, "Error")
    page = f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1>"
    page += "</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    return status, [("Content-Type", "text/html")], page.encode()
