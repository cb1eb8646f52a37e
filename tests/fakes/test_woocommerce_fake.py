"""Tests of the WooCommerce fake itself: it must accept what a real store accepts and reject what it rejects."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from tests.fakes.woocommerce import FakeWooCommerce, sign_request, webhook_signature

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def shop(clock: Clock) -> Iterator[FakeWooCommerce]:
    with FakeWooCommerce(clock=clock) as fake:
        yield fake


def signed(shop: FakeWooCommerce, method: str, path: str, params: dict[str, Any] | None = None, **kw: Any) -> str:
    """A URL under /wp-json/wc/v3/ (or a full URL) signed with the shop's key, now."""
    url = path if path.startswith("http") else shop.api_url + path
    if params:
        url += ("&" if "?" in url else "?") + urlencode(params)
    return sign_request(method, url, kw.pop("key", shop.consumer_key), kw.pop("secret", shop.consumer_secret), **kw)


def call(
    shop: FakeWooCommerce, method: str, path: str, params: dict[str, Any] | None = None, **kw: Any
) -> httpx.Response:
    body = kw.pop("json", None)
    return httpx.request(method, signed(shop, method, path, params, **kw), json=body, timeout=5)


def seed_order(shop: FakeWooCommerce, **overrides: Any) -> Any:
    mug = shop.add_product("Blue Mug", sku="MUG-1", price="12.50", categories=["Kitchen"])
    fields: dict[str, Any] = {
        "status": "processing",
        "billing": {"first_name": "Ana", "last_name": "Lima", "email": "ana@example.com", "country": "PT"},
        "shipping": {
            "first_name": "Ana",
            "last_name": "Lima",
            "address_1": "Rua A 1",
            "city": "Lisboa",
            "postcode": "1000-001",
            "country": "PT",
        },
        "line_items": [{"product_id": mug.id, "quantity": 2}],
        "shipping_total": "5.00",
    }
    return shop.add_order(**{**fields, **overrides})


def error(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["code"], body["message"]


# --- authentication ------------------------------------------------------------------------------------------


def test_signed_request_is_accepted_and_returns_the_order(shop: FakeWooCommerce) -> None:
    order = seed_order(shop)
    response = call(shop, "GET", f"orders/{order.id}")
    assert response.status_code == 200
    data = response.json()
    assert data["id"] == order.id and data["number"] == str(order.id) and data["status"] == "processing"
    assert data["total"] == "30.00" and data["shipping_total"] == "5.00" and data["currency"] == "USD"
    assert data["date_created_gmt"] == "2026-11-26T12:00:00" and data["date_created"] == "2026-11-26T14:00:00"
    assert data["billing"]["email"] == "ana@example.com" and data["shipping"]["city"] == "Lisboa"
    assert data["payment_method"] == "cod" and data["payment_method_title"] == "Cash on delivery"
    item = data["line_items"][0]
    assert (item["sku"], item["quantity"], item["total"], item["price"]) == ("MUG-1", 2, "25.00", 12.5)
    assert data["refunds"] == [] and isinstance(data["meta_data"], list)


def test_unknown_consumer_key_is_401(shop: FakeWooCommerce) -> None:
    response = call(shop, "GET", "orders", key="ck_nope")
    assert error(response) == (401, "woocommerce_rest_authentication_error", "Consumer key is invalid.")


def test_signature_made_with_the_wrong_secret_is_401(shop: FakeWooCommerce) -> None:
    response = call(shop, "GET", "orders", secret="cs_wrong")
    assert error(response) == (
        401,
        "woocommerce_rest_authentication_error",
        "Invalid signature - provided signature does not match.",
    )


def test_query_changed_after_signing_is_401(shop: FakeWooCommerce) -> None:
    url = signed(shop, "GET", "orders", {"status": "processing"})
    response = httpx.get(url.replace("status=processing", "status=completed"))
    assert response.status_code == 401 and "signature" in response.json()["message"]


def test_replayed_nonce_is_401(shop: FakeWooCommerce) -> None:
    url = signed(shop, "GET", "orders", nonce="abc123nonce")
    assert httpx.get(url).status_code == 200
    assert error(httpx.get(url)) == (
        401,
        "woocommerce_rest_authentication_error",
        "Invalid nonce - nonce has already been used.",
    )


def test_timestamp_outside_fifteen_minutes_is_401(shop: FakeWooCommerce) -> None:
    now = int(time.time())
    assert error(call(shop, "GET", "orders", timestamp=now - 16 * 60))[2] == "Invalid timestamp."
    assert error(call(shop, "GET", "orders", timestamp=now + 16 * 60))[2] == "Invalid timestamp."
    assert call(shop, "GET", "orders", timestamp=now - 14 * 60).status_code == 200


def test_oauth_window_can_follow_a_test_clock(clock: Clock) -> None:
    with FakeWooCommerce(clock=clock, oauth_clock=lambda: clock().timestamp()) as shop:
        at_t0 = int(T0.timestamp())
        assert call(shop, "GET", "orders", timestamp=at_t0).status_code == 200
        assert call(shop, "GET", "orders").status_code == 401  # signed with the real time, far from T0


def test_incomplete_oauth_parameters_are_401(shop: FakeWooCommerce) -> None:
    response = httpx.get(shop.api_url + "orders", params={"oauth_consumer_key": shop.consumer_key})
    status, code, message = error(response)
    assert (status, code) == (401, "woocommerce_rest_authentication_missing_parameter")
    assert message.startswith("Missing OAuth parameters oauth_timestamp, oauth_nonce")


def test_oauth_parameters_in_the_authorization_header_and_hmac_sha1(shop: FakeWooCommerce) -> None:
    url = signed(shop, "GET", "orders", {"per_page": "5"}, signature_method="HMAC-SHA1")
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query)
    header = "OAuth " + ", ".join(f'{k}="{quote(v, safe="")}"' for k, v in pairs if k.startswith("oauth_"))
    plain = urlunsplit(parts._replace(query=urlencode([(k, v) for k, v in pairs if not k.startswith("oauth_")])))
    assert httpx.get(plain, headers={"Authorization": header}).status_code == 200


def test_basic_auth_and_query_keys_are_ignored_over_plain_http(shop: FakeWooCommerce) -> None:
    # WooCommerce only reads Basic/query-string keys when is_ssl(); over HTTP the request is anonymous.
    expected = (401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
    assert error(httpx.get(shop.api_url + "orders", auth=(shop.consumer_key, shop.consumer_secret))) == expected
    keys = {"consumer_key": shop.consumer_key, "consumer_secret": shop.consumer_secret}
    assert error(httpx.get(shop.api_url + "orders", params=keys)) == expected


def test_behind_tls_basic_auth_works_and_a_wrong_secret_is_401() -> None:
    with FakeWooCommerce(behind_tls=True) as shop:
        assert httpx.get(shop.api_url + "orders", auth=(shop.consumer_key, shop.consumer_secret)).status_code == 200
        wrong = httpx.get(shop.api_url + "orders", auth=(shop.consumer_key, "cs_wrong"))
        assert error(wrong) == (401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.")


def test_array_query_parameters_sign_as_php_sees_them(shop: FakeWooCommerce) -> None:
    # PHP parses status[]=a into status[0]=a before WooCommerce signs, so an RFC signature over "status[]" fails,
    # as against a real store; the comma form signs fine.
    url = signed(shop, "GET", "orders?status%5B%5D=processing&status%5B%5D=completed")
    assert httpx.get(url).status_code == 401
    assert call(shop, "GET", "orders", {"status": "processing,completed"}).status_code == 200


def test_read_only_key_cannot_write(shop: FakeWooCommerce) -> None:
    order = seed_order(shop)
    shop.add_api_key("ck_ro", "cs_ro", "read")
    assert call(shop, "GET", "orders", key="ck_ro", secret="cs_ro").status_code == 200
    response = call(shop, "PUT", f"orders/{order.id}", key="ck_ro", secret="cs_ro", json={"status": "completed"})
    assert error(response) == (
        401,
        "woocommerce_rest_authentication_error",
        "The API key provided does not have write permissions.",
    )
    assert shop.orders[order.id].status == "processing" and shop.writes == []


# --- listing -------------------------------------------------------------------------------------------------


def test_pagination_over_three_pages_with_headers_and_links(shop: FakeWooCommerce) -> None:
    for i in range(25):
        shop.add_order(billing={"email": f"c{i}@example.com"}, date_created_gmt=T0 - timedelta(hours=i))
    seen: list[int] = []
    url = signed(shop, "GET", "orders", {"per_page": "10"})
    for page in (1, 2, 3):
        response = httpx.get(url)
        assert response.status_code == 200
        assert response.headers["X-WP-Total"] == "25" and response.headers["X-WP-TotalPages"] == "3"
        assert len(response.json()) == (10 if page < 3 else 5)
        seen += [o["id"] for o in response.json()]
        assert ("prev" in response.links) == (page > 1)
        if page < 3:
            # The next link repeats the request's query (oauth_* included): re-sign it before following.
            url = signed(shop, "GET", response.links["next"]["url"])
    assert len(set(seen)) == 25
    dates = [shop.orders[i].date_created for i in seen]
    assert dates == sorted(dates, reverse=True)  # default orderby=date, order=desc


def test_per_page_above_100_is_rejected(shop: FakeWooCommerce) -> None:
    response = call(shop, "GET", "orders", {"per_page": "101"})
    assert error(response)[:2] == (400, "rest_invalid_param")
    assert response.json()["data"]["params"] == {
        "per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"
    }


def test_unknown_status_filter_and_bare_dates_are_rejected(shop: FakeWooCommerce) -> None:
    bad = call(shop, "GET", "orders", {"status": "shipped"})
    assert bad.status_code == 400 and bad.json()["data"]["params"]["status"].startswith("status[0] is not one of any")
    date_only = call(shop, "GET", "orders", {"after": "2026-11-01"})
    assert date_only.status_code == 400 and date_only.json()["data"]["params"] == {"after": "Invalid date."}


def test_search_by_email_and_customer_email_filter(shop: FakeWooCommerce) -> None:
    ana = shop.add_customer("ana@example.com", "Ana", "Lima")
    shop.add_customer("bruno@example.com", "Bruno", "Reis")
    mine = seed_order(shop, customer_id=ana.id)
    shop.add_order(billing={"email": "bruno@example.com"})
    found = call(shop, "GET", "orders", {"search": "ana@example.com"}).json()
    assert [o["id"] for o in found] == [mine.id]
    by_customer = call(shop, "GET", "orders", {"customer": ana.id}).json()
    assert [o["id"] for o in by_customer] == [mine.id]
    customers = call(shop, "GET", "customers", {"email": "ANA@example.com"}).json()
    assert [c["id"] for c in customers] == [ana.id] and customers[0]["billing"]["email"] == "ana@example.com"
    assert call(shop, "GET", f"customers/{ana.id}").json()["email"] == "ana@example.com"
    assert error(call(shop, "GET", "customers/999")) == (404, "wc_user_invalid_id", "Invalid user ID.")


def test_modified_after_filter(shop: FakeWooCommerce) -> None:
    old = shop.add_order(date_created_gmt=T0 - timedelta(days=3))
    new = shop.add_order(date_created_gmt=T0 - timedelta(hours=1))
    since = (T0 - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
    found = call(shop, "GET", "orders", {"modified_after": since, "dates_are_gmt": "true"}).json()
    assert [o["id"] for o in found] == [new.id] and old.id not in [o["id"] for o in found]


def test_products_by_sku_and_categories(shop: FakeWooCommerce) -> None:
    mug = shop.add_product("Blue Mug", sku="MUG-1", price="12.50", categories=["Kitchen"], tags=["blue"])
    shop.add_product("Red Mug", sku="MUG-2", price="13.00", categories=["Kitchen"])
    found = call(shop, "GET", "products", {"sku": "MUG-1"}).json()
    assert [p["id"] for p in found] == [mug.id] and found[0]["price"] == "12.50"
    assert found[0]["categories"][0]["name"] == "Kitchen" and found[0]["tags"][0]["slug"] == "blue"
    categories = call(shop, "GET", "products/categories").json()
    assert {c["name"]: c["count"] for c in categories} == {"Kitchen": 2, "Uncategorized": 0}
    assert error(call(shop, "GET", "products/9999"))[:2] == (404, "woocommerce_rest_product_invalid_id")


# --- orders: reads and updates -------------------------------------------------------------------------------


def test_unknown_order_is_404_on_get_and_400_on_update(shop: FakeWooCommerce) -> None:
    assert error(call(shop, "GET", "orders/4242")) == (404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
    put = call(shop, "PUT", "orders/4242", json={"status": "cancelled"})
    assert error(put) == (400, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")


def test_put_cancelled_changes_status_adds_a_note_and_bumps_modified(shop: FakeWooCommerce, clock: Clock) -> None:
    order = seed_order(shop)
    clock.now = T0 + timedelta(minutes=30)
    response = call(shop, "PUT", f"orders/{order.id}", json={"status": "cancelled"})
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "cancelled" and data["date_modified_gmt"] == "2026-11-26T12:30:00"
    notes = call(shop, "GET", f"orders/{order.id}/notes").json()
    assert notes[0]["note"] == "Order status changed from Processing to Cancelled." and notes[0]["author"] == "system"
    assert shop.writes == [("PUT", f"/wp-json/wc/v3/orders/{order.id}", {"status": "cancelled"})]


def test_unknown_status_value_is_rejected_and_nothing_changes(shop: FakeWooCommerce) -> None:
    order = seed_order(shop)
    response = call(shop, "PUT", f"orders/{order.id}", json={"status": "shipped"})
    assert error(response)[:2] == (400, "rest_invalid_param")
    assert response.json()["data"]["params"]["status"] == (
        "status is not one of auto-draft, pending, processing, on-hold, completed, cancelled, refunded, failed, "
        "and checkout-draft."
    )
    assert shop.orders[order.id].status == "processing" and shop.writes == []


def test_put_shipping_updates_only_the_given_fields(shop: FakeWooCommerce) -> None:
    order = seed_order(shop)
    response = call(shop, "PUT", f"orders/{order.id}", json={"shipping": {"address_1": "Rua B 2", "city": "Porto"}})
    shipping = response.json()["shipping"]
    assert (shipping["address_1"], shipping["city"], shipping["postcode"]) == ("Rua B 2", "Porto", "1000-001")
    bad = call(shop, "PUT", f"orders/{order.id}", json={"billing": {"email": "not-an-email"}})
    assert bad.status_code == 400 and bad.json()["data"]["params"] == {"billing": "Invalid email address."}


def test_json_body_needs_a_json_content_type(shop: FakeWooCommerce) -> None:
    order = seed_order(shop)
    url = signed(shop, "PUT", f"orders/{order.id}")
    response = httpx.put(url, content=json.dumps({"status": "cancelled"}), headers={"Content-Type": "text/plain"})
    assert response.status_code == 200 and response.json()["status"] == "processing"  # body ignored, as WordPress does
    broken = httpx.put(
        signed(shop, "PUT", f"orders/{order.id}"), content=b"{", headers={"Content-Type": "application/json"}
    )
    assert error(broken)[:2] == (400, "rest_invalid_json")


# --- notes ---------------------------------------------------------------------------------------------------


def test_customer_note_is_created_listed_and_emailed(shop: FakeWooCommerce) -> None:
    order = seed_order(shop)
    created = call(
        shop, "POST", f"orders/{order.id}/notes", json={"note": "Your parcel left today.", "customer_note": True}
    )
    assert created.status_code == 201 and created.headers["Location"].endswith(f"/notes/{created.json()['id']}")
    assert created.json()["customer_note"] is True and created.json()["author"] == "system"
    call(shop, "POST", f"orders/{order.id}/notes", json={"note": "Internal: check stock"})
    internal = call(shop, "GET", f"orders/{order.id}/notes", {"type": "internal"}).json()
    assert [n["note"] for n in internal] == ["Internal: check stock"]
    assert shop.emails == [
        {"type": "customer_note", "order_id": order.id, "to": "ana@example.com", "note": "Your parcel left today."}
    ]
    missing = call(shop, "POST", f"orders/{order.id}/notes", json={"customer_note": True})
    assert error(missing) == (400, "rest_missing_callback_param", "Missing parameter(s): note")
    assert error(call(shop, "POST", "orders/4242/notes", json={"note": "x"}))[:2] == (
        404,
        "woocommerce_rest_order_invalid_id",
    )


# --- refunds -------------------------------------------------------------------------------------------------


def test_refund_once_then_over_refund_is_rejected(shop: FakeWooCommerce) -> None:
    order = seed_order(shop)
    first = call(
        shop, "POST", f"orders/{order.id}/refunds", json={"amount": "20.00", "reason": "Damaged", "api_refund": False}
    )
    assert first.status_code == 201 and first.json()["amount"] == "20.00" and first.json()["reason"] == "Damaged"
    over = call(shop, "POST", f"orders/{order.id}/refunds", json={"amount": "10.01", "api_refund": False})
    # WooCommerce passes the status as bare data, so WordPress answers 500 with "data": 500.
    assert over.status_code == 500
    assert over.json() == {
        "code": "woocommerce_rest_cannot_create_order_refund",
        "message": "Invalid refund amount.",
        "data": 500,
    }
    data = call(shop, "GET", f"orders/{order.id}").json()
    assert data["refunds"] == [{"id": first.json()["id"], "reason": "Damaged", "total": "-20.00"}]
    assert data["status"] == "processing"
    assert len(shop.writes_to("/refunds", "POST")) == 1


def test_refunding_the_rest_marks_the_order_refunded(shop: FakeWooCommerce) -> None:
    order = seed_order(shop)
    line = order.line_items[0]
    body = {"api_refund": False, "line_items": [{"id": line.id, "quantity": 2, "refund_total": 25}]}
    partial = call(shop, "POST", f"orders/{order.id}/refunds", json=body)
    assert partial.status_code == 201 and partial.json()["amount"] == "25.00"  # amount computed from line items
    assert partial.json()["line_items"][0]["quantity"] == -2
    rest = call(shop, "POST", f"orders/{order.id}/refunds", json={"amount": "5", "api_refund": False})
    assert rest.status_code == 201
    assert call(shop, "GET", f"orders/{order.id}").json()["status"] == "refunded"


def test_refund_amount_must_be_a_string_and_gateway_rules_apply(shop: FakeWooCommerce) -> None:
    order = seed_order(shop)
    numeric = call(shop, "POST", f"orders/{order.id}/refunds", json={"amount": 5})
    assert numeric.json()["data"]["params"] == {"amount": "amount is not of type string."}
    # api_refund defaults to true and Cash on delivery cannot refund automatically.
    cod = call(shop, "POST", f"orders/{order.id}/refunds", json={"amount": "5"})
    assert error(cod) == (
        500,
        "woocommerce_rest_cannot_create_order_refund",
        "The payment gateway for this order does not support automatic refunds.",
    )
    card = seed_order(shop, payment_method="stripe")
    ok = call(shop, "POST", f"orders/{card.id}/refunds", json={"amount": "5"})
    assert ok.status_code == 201 and "refunded_payment" not in ok.json()  # 'view'-only field, dropped on create
    again = call(shop, "GET", f"orders/{card.id}/refunds/{ok.json()['id']}").json()
    assert again["refunded_payment"] is True
    assert error(call(shop, "GET", f"orders/{card.id}/refunds/9999"))[:2] == (
        404,
        "woocommerce_rest_shop_order_refund_invalid_id",
    )
    wrong_order = call(shop, "GET", f"orders/{order.id}/refunds/{ok.json()['id']}")
    assert wrong_order.status_code == 500 and wrong_order.json()["code"] == "woocommerce_rest_invalid_order_refund_id"
    negative = call(shop, "POST", f"orders/{card.id}/refunds", json={"amount": "-1"})
    assert negative.status_code == 500 and negative.json()["data"] == 400
    assert shop.writes_to("/refunds") == [("POST", f"/wp-json/wc/v3/orders/{card.id}/refunds", {"amount": "5"})]


# --- Shipment Tracking ---------------------------------------------------------------------------------------


def test_shipment_tracking_list_and_create(shop: FakeWooCommerce) -> None:
    order = seed_order(shop)
    seeded = shop.add_tracking(order.id, "9400111899560000000000", "USPS", date_shipped="2026-11-25")
    base = f"{shop.tracking_api_url}orders/{order.id}/shipment-trackings"
    listed = call(shop, "GET", base).json()
    assert listed[0]["tracking_id"] == seeded["tracking_id"]
    assert (listed[0]["tracking_provider"], listed[0]["date_shipped"]) == ("USPS", "2026-11-25")
    assert (
        listed[0]["tracking_link"]
        == "https://tools.usps.com/go/TrackConfirmAction_input?qtc_tLabels1=9400111899560000000000"
    )
    custom = call(
        shop,
        "POST",
        base,
        json={
            "custom_tracking_provider": "CTT",
            "tracking_number": "RR1PT",
            "custom_tracking_link": "https://ctt.pt/track/%1$s",
        },
    )
    assert custom.status_code == 201 and custom.json()["tracking_link"] == "https://ctt.pt/track/RR1PT"
    meta = call(shop, "GET", f"orders/{order.id}").json()["meta_data"]
    assert [m["key"] for m in meta] == ["_wc_shipment_tracking_items"] and len(meta[0]["value"]) == 2
    missing = call(shop, "POST", base, json={"tracking_provider": "UPS"})
    assert error(missing) == (400, "rest_missing_callback_param", "Missing parameter(s): tracking_number")
    unknown = call(shop, "GET", f"{shop.tracking_api_url}orders/4242/shipment-trackings")
    assert error(unknown) == (404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")


def test_shipment_tracking_is_404_when_the_extension_is_off(clock: Clock) -> None:
    with FakeWooCommerce(clock=clock, shipment_tracking=False) as shop:
        order = seed_order(shop)
        response = call(shop, "GET", f"{shop.tracking_api_url}orders/{order.id}/shipment-trackings")
        assert error(response) == (404, "rest_no_route", "No route was found matching the URL and request method.")
        assert call(shop, "GET", "orders").status_code == 200


# --- failure injection ---------------------------------------------------------------------------------------


def test_fail_next_delay_and_rate_limit(shop: FakeWooCommerce) -> None:
    shop.fail_next(2, status=503)
    assert [call(shop, "GET", "orders").status_code for _ in range(3)] == [503, 503, 200]
    shop.fail_next(1, status=500)
    assert error(call(shop, "GET", "orders"))[:2] == (500, "internal_server_error")
    shop.rate_limit(retry_after=7, allow=1)
    assert call(shop, "GET", "orders").status_code == 200
    limited = call(shop, "GET", "orders")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    shop.clear_rate_limit()
    shop.delay_next(0.5)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(signed(shop, "GET", "orders"), timeout=0.1)


def test_failure_after_commit_applies_the_write(shop: FakeWooCommerce) -> None:
    order = seed_order(shop)
    shop.fail_next(1, status=502, after_commit=True)
    lost = call(shop, "POST", f"orders/{order.id}/refunds", json={"amount": "5", "api_refund": False})
    assert lost.status_code == 502 and lost.headers["Content-Type"].startswith("text/html")
    assert len(shop.orders[order.id].refunds) == 1 and len(shop.writes_to("/refunds")) == 1


# --- webhooks ------------------------------------------------------------------------------------------------


class Receiver:
    """A webhook endpoint on 127.0.0.1 that keeps the raw bodies and headers it receives."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/woo"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_webhook_is_signed_with_the_secret(shop: FakeWooCommerce) -> None:
    order = seed_order(shop, billing={"email": "ana@example.com", "first_name": "Ana", "last_name": "Müller"})
    receiver = Receiver()
    try:
        response = shop.send_webhook(receiver.url, "order.updated", shop.order_json(order.id), "s3cret", webhook_id=7)
    finally:
        receiver.close()
    assert response.status_code == 200
    headers, body = receiver.received[0]
    assert headers["x-wc-webhook-topic"] == "order.updated" and headers["x-wc-webhook-resource"] == "order"
    assert headers["x-wc-webhook-event"] == "updated" and headers["x-wc-webhook-id"] == "7"
    assert headers["x-wc-webhook-source"] == shop.url and headers["x-wc-webhook-delivery-id"]
    assert headers["x-wc-webhook-signature"] == webhook_signature(body, "s3cret")
    assert headers["x-wc-webhook-signature"] != webhook_signature(body, "other-secret")
    assert b"\\/" in body and b"M\\u00fcller" in body  # PHP's json_encode escaping: verify the raw bytes
    assert json.loads(body) == call(shop, "GET", f"orders/{order.id}").json()
    with pytest.raises(ValueError):
        shop.send_webhook(receiver.url, "order.shipped", {}, "s3cret")


# --- WordPress plumbing --------------------------------------------------------------------------------------


def test_unknown_route_is_rest_no_route(shop: FakeWooCommerce) -> None:
    assert error(call(shop, "GET", "subscriptions"))[:2] == (404, "rest_no_route")
    assert error(call(shop, "DELETE", "orders"))[:2] == (404, "rest_no_route")


def test_fields_argument_trims_the_response(shop: FakeWooCommerce) -> None:
    order = seed_order(shop)
    data = call(shop, "GET", f"orders/{order.id}", {"_fields": "id,status,billing.email"}).json()
    assert data == {"id": order.id, "status": "processing", "billing": {"email": "ana@example.com"}}
