"""Tests of the fake Shopify Admin API itself: it must refuse what Shopify refuses, in Shopify's shapes."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.fakes.shopify import DEFAULT_TOKEN, FakeShopify, verify_webhook

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ORDER = """query Order($id: ID!) {
  order(id: $id) {
    id name cancelledAt cancelReason closed displayFinancialStatus updatedAt tags
    shippingAddress { address1 city countryCodeV2 }
    lineItems(first: 10) { nodes { id currentQuantity refundableQuantity } }
    returns(first: 5) { nodes { id status } }
  }
}"""
CANCEL = """mutation Cancel($id: ID!) {
  orderCancel(orderId: $id, reason: CUSTOMER, restock: true, refundMethod: {originalPaymentMethodsRefund: true}) {
    job { id done }
    orderCancelUserErrors { field message code }
  }
}"""
RETURN_REQUEST = """mutation Request($input: ReturnRequestInput!) {
  returnRequest(input: $input) {
    return { id name status returnLineItems(first: 5) { nodes { quantity returnReason } } }
    userErrors { field message code }
  }
}"""


def gql(fake: FakeShopify, query: str, variables: dict[str, Any] | None = None,
        token: str | None = DEFAULT_TOKEN) -> httpx.Response:
    headers = {"X-Shopify-Access-Token": token} if token is not None else {}
    return httpx.post(fake.graphql_url, json={"query": query, "variables": variables or {}}, headers=headers)


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    clock = {"now": T0}
    with FakeShopify(now=lambda: clock["now"]) as shop:
        ana = shop.add_customer(email="ana@example.com", first_name="Ana", last_name="Lima", locale="pt-BR")
        shirt = shop.add_product(title="Linen shirt", product_type="Shirts", price="49.90", sku="LS-1")
        for day in range(7):
            shop.add_order(customer=ana if day % 2 == 0 else None,
                           email=None if day % 2 == 0 else f"x{day}@example.com",
                           line_items=[{"variant": shirt.variants[0], "quantity": 2}],
                           created_at=T0 - timedelta(days=7 - day), updated_at=T0 - timedelta(days=7 - day))
        shop.add_fulfillment(shop.store.orders[5001], tracking=[("UPS", "1Z999", "https://ups.example/1Z999")])
        clock["now"] = T0 + timedelta(hours=1)
        yield shop


# ---- transport and auth -------------------------------------------------------------------------------
def test_missing_or_wrong_token_is_401_with_shopify_body(fake: FakeShopify) -> None:
    for token in (None, "shpat_wrong"):
        response = gql(fake, "{ shop { name } }", token=token)
        assert response.status_code == 401
        assert response.json() == {"errors": "[API] Invalid API key or access token "
                                              "(unrecognized login or wrong password)"}


def test_only_version_2025_10_is_served(fake: FakeShopify) -> None:
    response = httpx.post(fake.graphql_url.replace("2025-10", "2024-01"), json={"query": "{ shop { name } }"},
                          headers={"X-Shopify-Access-Token": DEFAULT_TOKEN})
    assert response.status_code == 404
    assert gql(fake, "{ shop { name } }").headers["X-Shopify-API-Version"] == "2025-10"


def test_injected_failures_and_delays(fake: FakeShopify) -> None:
    fake.fail_next(2, status=503)
    assert gql(fake, "{ shop { name } }").status_code == 503
    assert gql(fake, "{ shop { name } }").status_code == 503
    assert gql(fake, "{ shop { name } }").status_code == 200
    fake.delay_next(0.5)
    with pytest.raises(httpx.TimeoutException):
        httpx.post(fake.graphql_url, json={"query": "{ shop { name } }"}, timeout=0.1,
                   headers={"X-Shopify-Access-Token": DEFAULT_TOKEN})


# ---- validation -----------------------------------------------------------------------------------
def test_misspelt_field_is_rejected_like_graphql_ruby(fake: FakeShopify) -> None:
    body = gql(fake, '{ order(id: "gid://shopify/Order/5001") { nmae } }').json()
    assert "data" not in body
    assert body["errors"] == [{"message": "Field 'nmae' doesn't exist on type 'Order'",
                               "locations": [{"line": 1, "column": 43}], "path": ["query", "order", "nmae"],
                               "extensions": {"code": "undefinedField", "typeName": "Order", "fieldName": "nmae"}}]


def test_wrong_argument_and_variable_type_are_rejected(fake: FakeShopify) -> None:
    bad_arg = gql(fake, "{ orders(firts: 5) { nodes { id } } }").json()["errors"][0]
    assert bad_arg["extensions"]["code"] == "argumentNotAccepted"
    assert bad_arg["message"] == "Field 'orders' doesn't accept argument 'firts'"
    mismatch = gql(fake, "query Q($id: String!) { order(id: $id) { id } }", {"id": "x"}).json()["errors"][0]
    assert mismatch["extensions"]["code"] == "variableMismatch"
    assert mismatch["message"] == "Type mismatch on variable $id and argument id (String! / ID!)"


def test_ids_must_be_global_ids(fake: FakeShopify) -> None:
    body = gql(fake, ORDER, {"id": "5001"}).json()
    error = body["errors"][0]
    assert error["extensions"]["code"] == "INVALID_VARIABLE"
    assert error["message"] == "Variable $id of type ID! was provided invalid value"
    assert error["extensions"]["problems"] == [{"path": [], "explanation": "Invalid global id '5001'"}]


def test_connections_need_first_or_last(fake: FakeShopify) -> None:
    body = gql(fake, "{ orders { nodes { id } } }").json()
    assert body["data"] is None
    assert body["errors"][0]["message"] == "you must provide one of first or last"


# ---- reading ----------------------------------------------------------------------------------------
def test_pagination_over_three_pages(fake: FakeShopify) -> None:
    query = """query Page($after: String) { orders(first: 3, after: $after, sortKey: ID) {
        edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }"""
    names, after, pages = [], None, 0
    while True:
        page = gql(fake, query, {"after": after}).json()["data"]["orders"]
        pages += 1
        names += [edge["node"]["name"] for edge in page["edges"]]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == 3
    assert names == [f"#{n}" for n in range(1001, 1008)]


@pytest.mark.parametrize(("search", "expected"), [
    ("name:#1003", ["#1003"]),
    ("name:1003", ["#1003"]),
    ("email:x1@example.com", ["#1002"]),
    ("customer_id:7001", ["#1001", "#1003", "#1005", "#1007"]),
    ("updated_at:>'2026-11-17T12:00:00Z'", ["#1001", "#1006", "#1007"]),  # #1001's fulfillment touched it
    ("status:open", [f"#{n}" for n in range(1001, 1008)]),
    ("fulfillment_status:fulfilled", ["#1001"]),
    ("email:x1@example.com OR email:x3@example.com", ["#1002", "#1004"]),
])
def test_orders_query_filter(fake: FakeShopify, search: str, expected: list[str]) -> None:
    data = gql(fake, "query S($q: String) { orders(first: 50, query: $q) { nodes { name } } }", {"q": search}).json()
    assert [n["name"] for n in data["data"]["orders"]["nodes"]] == expected


def test_unknown_search_field_is_ignored_with_a_warning(fake: FakeShopify) -> None:
    body = gql(fake, '{ orders(first: 50, query: "colour:red") { nodes { name } } }').json()
    assert len(body["data"]["orders"]["nodes"]) == 7  # Shopify drops the term, it doesn't match nothing
    assert body["extensions"]["search"][0]["warnings"] == [{"field": "colour",
                                                            "message": "Invalid search field for this query."}]


def test_cancelled_status_filter(fake: FakeShopify) -> None:
    gql(fake, CANCEL, {"id": "gid://shopify/Order/5002"})
    data = gql(fake, '{ orders(first: 50, query: "status:cancelled") { nodes { name } } }').json()["data"]
    assert [n["name"] for n in data["orders"]["nodes"]] == ["#1002"]


# ---- cost and throttling ---------------------------------------------------------------------------
def test_cost_extension_on_every_response(fake: FakeShopify) -> None:
    cost = gql(fake, "{ orders(first: 10) { edges { node { id lineItems(first: 5) { nodes { id } } } } } }"
               ).json()["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 2 + 10 * (1 + 2 + 5)
    assert cost["actualQueryCost"] == 2 + 7 * (1 + 2 + 1)  # 7 orders came back, each with one line item
    assert cost["throttleStatus"] == {"maximumAvailable": 1000.0, "currentlyAvailable": 1000 - cost["actualQueryCost"],
                                      "restoreRate": 50.0}


def test_throttled_when_bucket_is_empty_and_nothing_runs() -> None:
    seconds = [0.0]
    with FakeShopify(clock=lambda: seconds[0], restore_rate=50) as shop:  # frozen clock: no refill mid-test
        shop.add_order(email="a@example.com", line_items=[{"title": "Mug", "price": "12.00"}])
        shop.throttle()
        body = gql(shop, CANCEL, {"id": "gid://shopify/Order/5001"}).json()
        assert body["errors"] == [{"message": "Throttled", "extensions": {
            "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}]
        assert "data" not in body
        assert body["extensions"]["cost"] == {"requestedQueryCost": 10, "actualQueryCost": None, "throttleStatus": {
            "maximumAvailable": 1000.0, "currentlyAvailable": 0, "restoreRate": 50.0}}
        assert shop.mutations == [] and shop.store.orders[5001].cancelled_at is None
        seconds[0] = 0.2  # the bucket leaks back 50 points a second: 10 are there now
        assert gql(shop, CANCEL, {"id": "gid://shopify/Order/5001"}).json()["data"]["orderCancel"]["job"]
        assert len(shop.called("orderCancel")) == 1


def test_max_cost_exceeded(fake: FakeShopify) -> None:
    body = gql(fake, "{ orders(first: 250) { nodes { id lineItems(first: 250) { nodes { id } } } } }").json()
    error = body["errors"][0]
    assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert error["extensions"]["maxCost"] == 1000
    assert error["message"].startswith(f"Query cost is {error['extensions']['cost']}, which exceeds the single query "
                                       "max cost limit (1000).")
    assert fake.bucket.available > 999  # refused before anything was taken


# ---- scopes -----------------------------------------------------------------------------------------
def test_access_denied_for_a_missing_scope() -> None:
    with FakeShopify(tokens={"shpat_orders": {"read_orders"}}) as shop:
        ana = shop.add_customer(email="ana@example.com")
        shop.add_order(customer=ana, line_items=[{"title": "Mug", "price": "12.00"}])
        body = gql(shop, '{ order(id: "gid://shopify/Order/5001") { name customer { email } } }',
                   token="shpat_orders").json()
        assert body["data"]["order"] == {"name": "#1001", "customer": None}
        error = body["errors"][0]
        assert error["path"] == ["order", "customer"]
        assert error["extensions"] == {"code": "ACCESS_DENIED", "documentation": "https://shopify.dev/api/usage/access-scopes",
                                       "requiredAccess": "`read_customers` access scope."}
        denied = gql(shop, CANCEL, {"id": "gid://shopify/Order/5001"}, token="shpat_orders").json()
        assert denied["data"]["orderCancel"] is None
        assert denied["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
        assert shop.mutations == [] and shop.store.orders[5001].cancelled_at is None


def test_current_app_installation_lists_the_token_scopes() -> None:
    with FakeShopify(tokens={"shpat_x": {"read_orders", "write_returns"}}) as shop:
        body = gql(shop, "{ currentAppInstallation { accessScopes { handle } } }", token="shpat_x").json()
        handles = [s["handle"] for s in body["data"]["currentAppInstallation"]["accessScopes"]]
        assert handles == ["read_orders", "write_returns"]


# ---- mutations --------------------------------------------------------------------------------------
def test_order_cancel_works_once(fake: FakeShopify) -> None:
    first = gql(fake, CANCEL, {"id": "gid://shopify/Order/5002"}).json()["data"]["orderCancel"]
    assert first["orderCancelUserErrors"] == []
    assert first["job"]["id"].startswith("gid://shopify/Job/")
    order = gql(fake, ORDER, {"id": "gid://shopify/Order/5002"}).json()["data"]["order"]
    assert order["cancelReason"] == "CUSTOMER" and order["cancelledAt"] and order["closed"]
    assert order["displayFinancialStatus"] == "REFUNDED"
    assert order["updatedAt"] == "2026-11-20T10:00:00Z"
    second = gql(fake, CANCEL, {"id": "gid://shopify/Order/5002"}).json()["data"]["orderCancel"]
    assert second["job"] is None
    assert second["orderCancelUserErrors"][0]["code"] == "INVALID"
    assert len(fake.called("orderCancel")) == 1


def test_order_cancel_refused_for_a_fulfilled_order(fake: FakeShopify) -> None:
    result = gql(fake, CANCEL, {"id": "gid://shopify/Order/5001"}).json()["data"]["orderCancel"]
    assert result["orderCancelUserErrors"][0]["field"] == ["orderId"]
    assert fake.mutations == []


def test_order_update_changes_address_even_when_fulfilled(fake: FakeShopify) -> None:
    mutation = """mutation U($input: OrderInput!) { orderUpdate(input: $input) {
        order { shippingAddress { address1 city countryCodeV2 } updatedAt } userErrors { field message } } }"""
    address = {"address1": "Rua Nova 1", "city": "Porto", "countryCode": "PT"}
    result = gql(fake, mutation, {"input": {"id": "gid://shopify/Order/5001", "shippingAddress": address}}
                 ).json()["data"]["orderUpdate"]
    assert result["userErrors"] == []
    assert result["order"]["shippingAddress"] == {"address1": "Rua Nova 1", "city": "Porto", "countryCodeV2": "PT"}
    bad = gql(fake, mutation, {"input": {"id": "gid://shopify/Order/5001", "shippingAddress": {"countryCode": "XX"}}})
    assert bad.json()["errors"][0]["extensions"]["code"] == "INVALID_VARIABLE"


def test_return_request_over_quantity_gives_user_errors(fake: FakeShopify) -> None:
    fli = fake.store.orders[5001].fulfillments[0].line_items[0]
    line = {"fulfillmentLineItemId": f"gid://shopify/FulfillmentLineItem/{fli.id}", "returnReason": "SIZE_TOO_SMALL"}
    over = gql(fake, RETURN_REQUEST, {"input": {"orderId": "gid://shopify/Order/5001",
                                                "returnLineItems": [{**line, "quantity": 3}]}}).json()
    assert over["data"]["returnRequest"] == {"return": None, "userErrors": [
        {"field": ["input", "returnLineItems", "0", "quantity"], "message": "Return line item has an invalid quantity.",
         "code": "INVALID"}]}
    ok = gql(fake, RETURN_REQUEST, {"input": {"orderId": "gid://shopify/Order/5001",
                                              "returnLineItems": [{**line, "quantity": 2}]}}).json()
    assert ok["data"]["returnRequest"]["return"]["status"] == "REQUESTED"
    again = gql(fake, RETURN_REQUEST, {"input": {"orderId": "gid://shopify/Order/5001",
                                                 "returnLineItems": [{**line, "quantity": 1}]}}).json()
    assert again["data"]["returnRequest"]["userErrors"][0]["message"] == "Return line item has an invalid quantity."
    assert len(fake.called("returnRequest")) == 1


def test_return_request_on_an_unfulfilled_line_item(fake: FakeShopify) -> None:
    line_item = fake.store.orders[5002].line_items[0]
    body = gql(fake, RETURN_REQUEST, {"input": {"orderId": "gid://shopify/Order/5002", "returnLineItems": [
        {"fulfillmentLineItemId": f"gid://shopify/FulfillmentLineItem/{line_item.id}", "quantity": 1,
         "returnReason": "UNWANTED"}]}}).json()
    assert body["data"]["returnRequest"]["userErrors"][0]["code"] == "NOT_FOUND"


def test_approve_and_decline_only_requested_returns(fake: FakeShopify) -> None:
    order = fake.store.orders[5001]
    requested = fake.add_return(order, line_items=[(order.fulfillments[0].line_items[0], 1)])
    approve = """mutation A($id: ID!) { returnApproveRequest(input: {id: $id}) {
        return { status } userErrors { field message code } } }"""
    decline = """mutation D($id: ID!) { returnDeclineRequest(input: {id: $id, declineReason: FINAL_SALE}) {
        return { status decline { reason } } userErrors { field message code } } }"""
    gid = f"gid://shopify/Return/{requested.id}"
    assert gql(fake, approve, {"id": gid}).json()["data"]["returnApproveRequest"]["return"] == {"status": "OPEN"}
    refused = gql(fake, decline, {"id": gid}).json()["data"]["returnDeclineRequest"]
    assert refused["userErrors"] == [{"field": ["input", "id"], "code": "INVALID_STATE", "message":
                                      "Return is not declinable. Only non-refunded returns with status REQUESTED "
                                      "can be declined."}]
    again = gql(fake, approve, {"id": gid}).json()["data"]["returnApproveRequest"]["userErrors"]
    assert again[0]["code"] == "INVALID_STATE"


def test_refund_above_refundable_amount_is_refused(fake: FakeShopify) -> None:
    mutation = """mutation R($input: RefundInput!) { refundCreate(input: $input) {
        refund { totalRefundedSet { shopMoney { amount } } } userErrors { field message } } }"""
    transaction = {"orderId": "gid://shopify/Order/5003", "gateway": "shopify_payments", "kind": "REFUND"}
    too_much = gql(fake, mutation, {"input": {"orderId": "gid://shopify/Order/5003",
                                              "transactions": [{**transaction, "amount": "150.00"}]}}).json()
    assert too_much["data"]["refundCreate"]["userErrors"] == [
        {"field": None, "message": "Refund amount $150.00 is greater than net payment received $99.80"}]
    ok = gql(fake, mutation, {"input": {"orderId": "gid://shopify/Order/5003",
                                        "transactions": [{**transaction, "amount": "20.00"}]}}).json()
    assert ok["data"]["refundCreate"]["refund"]["totalRefundedSet"]["shopMoney"]["amount"] == "20.0"
    assert fake.store.orders[5003].financial_status == "PARTIALLY_REFUNDED"


def test_tags_add(fake: FakeShopify) -> None:
    mutation = """mutation T($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) {
        node { id } userErrors { field message } } }"""
    gql(fake, mutation, {"id": "gid://shopify/Order/5004", "tags": "vip, portside"})
    tags = gql(fake, ORDER, {"id": "gid://shopify/Order/5004"}).json()["data"]["order"]["tags"]
    assert tags == ["vip", "portside"]


# ---- webhooks ---------------------------------------------------------------------------------------
@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    received: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/webhooks/shopify", received
    server.shutdown()
    server.server_close()


def test_webhook_signature_verifies_only_with_the_secret(fake: FakeShopify, receiver: Any) -> None:
    url, received = receiver
    order = fake.store.orders[5001]
    response = fake.send_webhook(url, "orders/updated", order, "app-secret", webhook_id="wh-1")
    assert response.status_code == 200
    headers, body = received[0]
    assert verify_webhook(body, "app-secret", headers["x-shopify-hmac-sha256"])
    assert not verify_webhook(body, "another-secret", headers["x-shopify-hmac-sha256"])
    assert headers["x-shopify-topic"] == "orders/updated"
    assert headers["x-shopify-shop-domain"] == "portside-test.myshopify.com"
    assert headers["x-shopify-webhook-id"] == "wh-1"
    assert headers["x-shopify-api-version"] == "2025-10"
    assert {"x-shopify-triggered-at", "x-shopify-event-id"} <= set(headers)
    payload = json.loads(body)
    assert payload["admin_graphql_api_id"] == "gid://shopify/Order/5001"
    assert payload["fulfillments"][0]["tracking_number"] == "1Z999"


def test_webhook_payload_builders(fake: FakeShopify) -> None:
    order = fake.store.orders[5001]
    requested = fake.add_return(order, line_items=[(order.fulfillments[0].line_items[0], 1)], reason="COLOR")
    returned = fake.webhook_payload("returns/request", requested)
    assert returned["status"] == "requested" and returned["order"]["id"] == 5001
    assert returned["return_line_items"][0]["return_reason"] == "color"
    fulfillment = fake.webhook_payload("fulfillments/create", order.fulfillments[0])
    assert fulfillment["tracking_company"] == "UPS" and fulfillment["status"] == "success"
    redact = fake.webhook_payload("customers/redact", fake.store.customers[7001])
    assert redact["orders_to_redact"] == [5001, 5003, 5005, 5007]
    assert fake.webhook_payload("shop/redact") == {"shop_id": fake.shop_id,
                                                    "shop_domain": "portside-test.myshopify.com"}
