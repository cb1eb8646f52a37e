"""A fake Shopify Admin GraphQL API (2025-10) on 127.0.0.1, strict where Shopify is strict.

Only /admin/api/2025-10/graphql.json is served: any other version answers 404, so a client built for another
version fails loudly instead of being answered with the wrong schema. Requests need X-Shopify-Access-Token, pay
their calculated cost from a leaky bucket, and are validated against schema.graphql with graphql-ruby's error
shapes. Seed the shop with add_customer / add_product / add_order / add_fulfillment / add_return / add_refund.
"""

from __future__ import annotations

import functools
import json
import re
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from graphql import (
    DocumentNode,
    GraphQLSchema,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    build_schema,
    execute,
    get_operation_ast,
    parse,
)

from tests.fakes.http import loopback_server

from . import webhooks
from .cost import MAX_QUERY_COST, LeakyBucket, query_cost
from .errors import coerce_variables, literal_id_errors, max_cost_exceeded, throttled, validation_errors
from .mutations import Mutations
from .store import Customer, Fulfillment, Order, Return, Store, gid, parse_gid
from .views import Context, Views, scope_middleware

API_VERSION = "2025-10"
DEFAULT_TOKEN = "shpat_fake_admin_token"
ALL_SCOPES = frozenset({"read_orders", "write_orders", "read_customers", "write_customers", "read_products",
                        "write_products", "read_returns", "write_returns", "read_fulfillments",
                        "read_merchant_managed_fulfillment_orders"})
INVALID_TOKEN = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
BAD_REQUEST = {"errors": {"query": "Required parameter missing or invalid"}}
_PATH = re.compile(r"^/admin/api/([^/]+)/graphql\.json$")
_SCHEMA = Path(__file__).with_name("schema.graphql")
_FAILURE_BODIES = {500: b'{"errors":"An unexpected error occurred"}', 429: b'{"errors":"Exceeded 2 calls per second '
                   b'for api client. Reduce request rates to resume uninterrupted service."}'}


@functools.cache
def _schema() -> GraphQLSchema:
    """Built once per test session: it's read-only, and building it is the slow part of starting a fake."""
    schema = build_schema(_SCHEMA.read_text())
    for name in ("Node", "DisplayableError", "ReturnLineItemType"):
        schema.get_type(name).resolve_type = lambda value, *_: value.get("__typename")  # type: ignore[union-attr]
    return schema


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


Response = tuple[int, dict[str, str], bytes]


def _json(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    return status, {"Content-Type": "application/json; charset=utf-8", **(headers or {})}, json.dumps(body).encode()


class FakeShopify:
    def __init__(self, *, shop_domain: str = "portside-test.myshopify.com",
                 tokens: Mapping[str, Iterable[str]] | None = None, bucket_size: float = 1000.0,
                 restore_rate: float = 50.0, max_query_cost: int = MAX_QUERY_COST,
                 clock: Callable[[], float] = time.monotonic, now: Callable[[], datetime] | None = None,
                 currency: str = "USD", shop_id: int = 60001) -> None:
        self.shop_domain = shop_domain
        self.shop_id = shop_id
        self.tokens = {t: frozenset(s) for t, s in (tokens or {DEFAULT_TOKEN: ALL_SCOPES}).items()}
        self.max_query_cost = max_query_cost
        self.bucket = LeakyBucket(bucket_size, restore_rate, clock)
        self.store = Store(now or (lambda: datetime.now(UTC)), shop_domain, currency)
        self.views = Views(self.store)
        self.schema = _schema()
        self._root = {**self._queries(), **Mutations(self.store, self.views).resolvers()}
        self.requests: list[RecordedRequest] = []
        self.mutations: list[tuple[str, dict[str, Any]]] = []
        self.webhooks_sent: list[tuple[str, str, httpx.Response]] = []
        self._failures: list[int] = []
        self._delays: list[float] = []
        self._lock = threading.RLock()
        # Seeding goes straight to the store; these are the documented entry points.
        self.add_customer = self.store.add_customer
        self.add_product = self.store.add_product
        self.add_variant = self.store.add_variant
        self.add_order = self.store.add_order
        self.add_fulfillment = self.store.add_fulfillment
        self.add_return = self.store.add_return
        self.add_refund = self.store.add_refund
        self.server = loopback_server(self.answer)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.graphql_url = f"{self.url}/admin/api/{API_VERSION}/graphql.json"
        # A short poll interval keeps shutdown (one per test) quick.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self) -> FakeShopify:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ---- test hooks --------------------------------------------------------------------------------
    def fail_next(self, n: int = 1, status: int = 500) -> None:
        """The next `n` requests get a bare HTTP `status` (500, 502, 503, 429...) before anything else runs."""
        self._failures += [status] * n

    def delay_next(self, seconds: float, n: int = 1) -> None:
        """The next `n` requests wait `seconds` before answering, to trip client timeouts."""
        self._delays += [seconds] * n

    def throttle(self) -> None:
        """Empty the bucket: the next costly request is THROTTLED (it refills at the restore rate)."""
        self.bucket.set_available(0)

    def called(self, name: str) -> list[dict[str, Any]]:
        return [args for mutation, args in self.mutations if mutation == name]

    # ---- webhooks ----------------------------------------------------------------------------------
    def webhook_payload(self, topic: str, resource: Any = None) -> dict[str, Any]:
        """The REST-shaped body Shopify sends for `topic`, built from a store record."""
        store = self.store
        if topic.startswith("orders/") and isinstance(resource, Order):
            return webhooks.order_payload(store, resource)
        if topic.startswith("fulfillments/") and isinstance(resource, Fulfillment):
            return webhooks.fulfillment_payload(store.orders[resource.order_id], resource)
        if topic.startswith("returns/") and isinstance(resource, Return):
            return webhooks.return_payload(store, store.orders[resource.order_id], resource)
        if topic == "customers/data_request" and isinstance(resource, Customer):
            return webhooks.customers_data_request_payload(store, self.shop_id, resource)
        if topic == "customers/redact" and isinstance(resource, Customer):
            return webhooks.customers_redact_payload(store, self.shop_id, resource)
        if topic == "shop/redact":
            return webhooks.shop_payload(store, self.shop_id)
        raise ValueError(f"no payload builder for {topic} and {type(resource).__name__}")

    def send_webhook(self, url: str, topic: str, payload: Any, secret: str, webhook_id: str | None = None,
                     **options: Any) -> httpx.Response:
        """POST like Shopify does. `payload` is a body dict or a store record to build one from."""
        body = payload if isinstance(payload, dict) else self.webhook_payload(topic, payload)
        response = webhooks.deliver(url, topic, body, secret, shop_domain=self.shop_domain, webhook_id=webhook_id,
                                    **options)
        self.webhooks_sent.append((topic, url, response))
        return response

    # ---- HTTP --------------------------------------------------------------------------------------
    def answer(self, method: str, path: str, headers: Mapping[str, str], raw: bytes) -> Response:
        lowered = {k.lower(): v for k, v in headers.items()}
        with self._lock:
            self.requests.append(RecordedRequest(method, path, dict(headers), raw.decode(errors="replace")))
            delay = self._delays.pop(0) if self._delays else 0.0
            failure = self._failures.pop(0) if self._failures else None
        if delay:
            time.sleep(delay)
        if failure is not None:
            body = _FAILURE_BODIES.get(failure, f"<html><body><h1>{failure}</h1></body></html>".encode())
            kind = "application/json" if failure in _FAILURE_BODIES else "text/html"
            return failure, {"Content-Type": kind, **({"Retry-After": "2.0"} if failure == 429 else {})}, body
        scopes = self.tokens.get(lowered.get("x-shopify-access-token", ""))
        if scopes is None:
            return _json(401, INVALID_TOKEN)
        match = _PATH.match(path.split("?")[0])
        if not match or match.group(1) != API_VERSION:
            return _json(404, {"errors": "Not Found"})
        request = self._request_body(method, lowered.get("content-type", ""), raw)
        if request is None:
            return _json(400, BAD_REQUEST)
        headers_out = {"X-Shopify-API-Version": API_VERSION, "X-Request-Id": str(uuid.uuid4())}
        with self._lock:
            try:
                return _json(200, self._graphql(request, scopes), headers_out)
            except Exception:  # a bug in the fake: answer like Shopify's 500, and show it in the test output
                traceback.print_exc()
                return _json(500, {"errors": "An unexpected error occurred"}, headers_out)

    @staticmethod
    def _request_body(method: str, content_type: str, raw: bytes) -> dict[str, Any] | None:
        if method != "POST":
            return None
        if "application/graphql" in content_type:
            return {"query": raw.decode()}
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            return None
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return None
        return body

    def _graphql(self, request: Mapping[str, Any], scopes: frozenset[str]) -> dict[str, Any]:
        try:
            document = parse(request["query"])
        except GraphQLSyntaxError as error:
            found = re.search(r"found (.+?)\.?$", error.message)
            loc = error.locations[0] if error.locations else None
            where = f" at [{loc.line}, {loc.column}]" if loc else ""
            return {"errors": [{"message": f"Parse error on {found.group(1) if found else 'input'}{where}",
                                "locations": [{"line": loc.line, "column": loc.column}] if loc else []}]}
        operation = get_operation_ast(document, request.get("operationName"))
        if operation is None:
            return {"errors": [{"message": "An operation name is required" if not request.get("operationName")
                                else f'No operation named "{request["operationName"]}"'}]}
        problems = validation_errors(self.schema, document) or literal_id_errors(self.schema, document)
        if problems:
            return {"errors": problems}
        variables, problems = coerce_variables(self.schema, operation, request.get("variables") or {})
        if problems:
            return {"errors": problems}
        return self._run(document, operation, request, variables, scopes)

    def _run(self, document: DocumentNode, operation: OperationDefinitionNode, request: Mapping[str, Any],
             variables: dict[str, Any], scopes: frozenset[str]) -> dict[str, Any]:
        requested = query_cost(self.schema, document, operation, variables)
        if requested > self.max_query_cost:
            return {"errors": [max_cost_exceeded(requested, self.max_query_cost)]}
        if not self.bucket.try_take(requested):
            return {"errors": [throttled()], "extensions": {"cost": self._cost(requested, None)}}
        context = Context(self.store, scopes, self.mutations)
        result = execute(self.schema, document, root_value=self._root, context_value=context,
                         variable_values=request.get("variables") or {}, operation_name=request.get("operationName"),
                         middleware=[scope_middleware])
        actual = query_cost(self.schema, document, operation, variables, result.data)
        self.bucket.give_back(requested - actual)
        body: dict[str, Any] = {}
        if result.errors:
            body["errors"] = [e.formatted for e in result.errors]
        body["data"] = result.data
        body["extensions"] = {"cost": self._cost(requested, actual)}
        if context.search_warnings:
            body["extensions"]["search"] = context.search_warnings
        return body

    def _cost(self, requested: int, actual: int | None) -> dict[str, Any]:
        return {"requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": self.bucket.status()}

    # ---- root queries ------------------------------------------------------------------------------
    def _queries(self) -> dict[str, Callable[..., Any]]:
        store, views = self.store, self.views

        def by_id(kind: str, table: Callable[[int], Any], render: Callable[..., Any]) -> Callable[..., Any]:
            def resolve(info: Any, id: str) -> Any:
                parsed = parse_gid(id)
                found = table(parsed[1]) if parsed and parsed[0] == kind else None
                return None if found is None else render(*found) if isinstance(found, tuple) else render(found)

            return resolve

        return {
            "order": by_id("Order", store.orders.get, views.order),
            "orders": views.orders,
            "customer": by_id("Customer", store.customers.get, views.customer),
            "customers": views.customers,
            "product": by_id("Product", store.products.get, views.product),
            "productVariant": by_id("ProductVariant", store.variant, views.variant),
            "productVariants": views.product_variants,
            "return": by_id("Return", store.find_return, views.return_),
            "node": lambda info, id: views.node(info.context, id),
            "job": lambda info, id: {"id": id, "done": True, "query": None},
            "shop": lambda info: {"id": gid("Shop", self.shop_id), "name": store.shop_name,
                                  "email": f"owner@{self.shop_domain}", "contactEmail": f"support@{self.shop_domain}",
                                  "myshopifyDomain": self.shop_domain, "currencyCode": store.currency,
                                  "ianaTimezone": "UTC", "url": f"https://{self.shop_domain}"},
            "currentAppInstallation": lambda info: {
                "id": gid("AppInstallation", self.shop_id),
                "accessScopes": [{"handle": s, "description": s.replace("_", " ").capitalize()}
                                 for s in sorted(info.context.scopes)]},
        }
