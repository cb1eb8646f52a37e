"""A Portside whose store is the fake Shopify: an empty mirror, the session's KB and classifier, a fake Slack, and
the app served on 127.0.0.1 so the fake can post its signed webhooks to it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest

from assistant.api.app import create_app
from assistant.runtime import Services
from tests.assistant.helpers import serve
from tests.conftest import NOW
from tests.fakes.shopify import DEFAULT_TOKEN, FakeShopify
from tests.fakes.shopify.store import Order
from tests.fakes.slack import FakeSlack
from tests.fakes.woocommerce import FakeWooCommerce

WEBHOOK_SECRET = "shopify-app-client-secret"
SLACK_SECRET = "slack-signing-secret"
DELIVERED = NOW - timedelta(days=5)


@dataclass
class Seeded:
    unfulfilled: Order  # #1001: can be cancelled
    drone: Order  # #1002: delivered, above the auto-approve limit: a return waits for staff
    address: Order  # #1003: unfulfilled, for an address change
    socks: Order  # #1004: delivered, cheap: refund without return
    fulfilled_later: Order  # #1005: unfulfilled in the mirror, fulfilled on Shopify after the mirror read it


@pytest.fixture
def shop() -> Iterator[FakeShopify]:
    with FakeShopify(now=lambda: NOW) as fake:
        yield fake


@pytest.fixture
def seeded(shop: FakeShopify) -> Seeded:
    ana = shop.add_customer(email="ana@example.com", first_name="Ana", last_name="Lima", locale="en")
    address = {"first_name": "Ana", "last_name": "Lima", "address1": "Rua Augusta 100", "city": "São Paulo",
               "zip": "01304-000", "country_code": "BR"}
    shirt = shop.add_product(title="Linen shirt", product_type="Apparel", price="49.90", sku="LS-1")
    drone = shop.add_product(title="Camera drone", product_type="Electronics", price="450.00", sku="DR-1")
    socks = shop.add_product(title="Wool socks", product_type="Apparel", price="9.00", sku="SK-1")

    def order(variant: object, delivered: bool = False) -> Order:
        o = shop.add_order(customer=ana, line_items=[{"variant": variant, "quantity": 1}],
                           shipping_address=address, created_at=NOW - timedelta(days=9))
        if delivered:
            shop.add_fulfillment(o, tracking=[("UPS", f"1Z999AA1012345678{o.number % 10}", "https://ups.example")],
                                 created_at=NOW - timedelta(days=8), delivered_at=DELIVERED)
        return o

    return Seeded(order(shirt.variants[0]), order(drone.variants[0], True), order(shirt.variants[0]),
                  order(socks.variants[0], True), order(shirt.variants[0]))


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def shopify(services: Services, demo_kb, intent_classifier, shop: FakeShopify,  # type: ignore[no-untyped-def]
            slack: FakeSlack) -> Services:
    s = services.settings
    s.store, s.shopify_shop, s.shopify_token = "shopify", shop.shop_domain, DEFAULT_TOKEN
    s.shopify_api_url, s.shopify_webhook_secret = shop.graphql_url, WEBHOOK_SECRET
    s.slack_bot_token, s.slack_signing_secret, s.slack_channel, s.slack_api_url = ("xoxb-test", SLACK_SECRET, "C123",
                                                                                   slack.url)
    services.__dict__["kb"] = demo_kb
    services.__dict__["intents"] = intent_classifier
    services.platform.client.budget = 1.5  # type: ignore[attr-defined]  # a down shop: queue fast, don't wait
    return services


@pytest.fixture
def client(shopify: Services) -> httpx.AsyncClient:
    app = create_app(services=shopify)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 5555)),
                             base_url="http://test")


@pytest.fixture
def served(shopify: Services) -> Iterator[str]:
    yield from serve(shopify)


# ---- WooCommerce ---------------------------------------------------------------------------------------------
WOO_SECRET = "woo-webhook-secret"


@pytest.fixture
def woo() -> Iterator[FakeWooCommerce]:
    with FakeWooCommerce(clock=lambda: NOW) as fake:
        yield fake


@pytest.fixture
def woocommerce(services: Services, demo_kb, intent_classifier,  # type: ignore[no-untyped-def]
                woo: FakeWooCommerce) -> Services:
    s = services.settings
    s.store, s.woo_url, s.woo_key, s.woo_secret = "woocommerce", woo.url, woo.consumer_key, woo.consumer_secret
    s.woo_webhook_secret = WOO_SECRET
    services.__dict__["kb"] = demo_kb
    services.__dict__["intents"] = intent_classifier
    services.platform.client.budget = 1.5  # type: ignore[attr-defined]
    return services


@pytest.fixture
def woo_client(woocommerce: Services) -> httpx.AsyncClient:
    app = create_app(services=woocommerce)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 5555)),
                             base_url="http://test")


@pytest.fixture
def woo_served(woocommerce: Services) -> Iterator[str]:
    yield from serve(woocommerce)
