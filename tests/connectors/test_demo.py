from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from assistant.runtime import Services
from connectors import demo
from connectors.importer import import_data
from connectors.models import ORDER_STATUSES, SHIPMENT_STATUSES, StoreData
from tests.conftest import NOW


def test_same_seed_same_store(services: Services) -> None:
    fx = services.policy.fx_to_usd
    a = demo.generate(orders=80, seed=11, now=NOW, fx=fx)
    b = demo.generate(orders=80, seed=11, now=NOW, fx=fx)
    c = demo.generate(orders=80, seed=12, now=NOW, fx=fx)
    assert a == b
    assert a != c


def test_demo_covers_the_cross_border_cases(services: Services) -> None:
    doc = demo.generate(orders=300, seed=7, now=NOW, fx=services.policy.fx_to_usd)
    data = StoreData.model_validate(doc)
    countries = {c.country for c in data.customers}
    assert len(countries) >= 15
    assert {c.language for c in data.customers} >= {
        "pt",
        "es",
        "en",
        "de",
        "fr",
        "ar",
        "id",
        "vi",
        "th",
        "zh",
    }
    assert set(Counter(o.status for o in data.orders)) == set(ORDER_STATUSES)
    assert {s.status for o in data.orders for s in o.shipments} == set(SHIPMENT_STATUSES)
    products = {p.sku: p for p in data.products}
    held_unpaid = [
        o
        for o in data.orders
        if o.duties and o.duties.status == "unpaid" and any(s.status == "customs_hold" for s in o.shipments)
    ]
    assert held_unpaid
    assert any(len(o.shipments) > 1 for o in data.orders)
    assert any(products[i.sku].final_sale for o in data.orders for i in o.items)
    assert any(services.policy.to_usd(i.unit_price, o.currency) <= 15 for o in data.orders for i in o.items)
    assert any(o.payment_method in {"boleto", "oxxo", "cod"} and o.status == "delivered" for o in data.orders)
    old = [
        s for o in data.orders for s in o.shipments if s.delivered_at and NOW - s.delivered_at > timedelta(90)
    ]
    assert old
    for o in data.orders:  # ids like BR-100234: the country prefix matches the shipping country
        prefix, digits = o.id.split("-")
        assert prefix == o.shipping_address.country and len(digits) == 6 and digits.isdigit()
        for s in o.shipments:
            assert all(e.at <= NOW for e in s.events)
            assert set(s.item_skus) <= {i.sku for i in o.items}
    currencies = {c.country: o.currency for o in data.orders for c in data.customers if c.id == o.customer_id}
    assert currencies["BR"] == "BRL" and currencies["MX"] == "MXN" and currencies["JP"] == "JPY"


def test_demo_imports_cleanly_and_twice_is_a_no_op(services: Services) -> None:
    doc = demo.generate(orders=120, seed=7, now=NOW, fx=services.policy.fx_to_usd)
    first = import_data(services.store, StoreData.model_validate(doc))
    assert first.orders.created == 120
    again = import_data(services.store, StoreData.model_validate(doc))
    assert again.orders.unchanged == 120 and again.customers.unchanged == first.customers.created


@pytest.mark.parametrize("seed", [1, 3, 7, 11, 42])
@pytest.mark.parametrize("orders", [60, 300])
def test_every_order_is_paid_with_a_method_its_country_accepts(services: Services, seed: int, orders: int) -> None:
    cash_methods = set(services.policy.returns.cash_payment_methods)
    doc = demo.generate(orders=orders, seed=seed, now=NOW, fx=services.policy.fx_to_usd,
                        cash_methods=cash_methods)
    accepted = {cc: set(m["payments"]) for cc, m in demo.markets().items()}
    for i, order in enumerate(doc["orders"]):
        country = order["shipping_address"]["country"]
        assert order["payment_method"] in accepted[country], order["id"]
        if demo.SCENARIOS[i % len(demo.SCENARIOS)].cash:  # paid in cash, where cash is accepted
            assert order["payment_method"] in cash_methods & accepted[country], (order["id"], order["payment_method"])


def test_cash_methods_come_from_the_policy(services: Services) -> None:
    default = demo.generate(orders=44, seed=7, now=NOW, fx=services.policy.fx_to_usd)
    explicit = demo.generate(orders=44, seed=7, now=NOW, fx=services.policy.fx_to_usd,
                             cash_methods=services.policy.returns.cash_payment_methods)
    assert default == explicit  # without cash_methods: the default policy's
    boleto_only = demo.generate(orders=44, seed=7, now=NOW, fx=services.policy.fx_to_usd, cash_methods=["boleto"])
    cash = [o for i, o in enumerate(boleto_only["orders"]) if demo.SCENARIOS[i % len(demo.SCENARIOS)].cash]
    assert cash and all(o["payment_method"] == "boleto" and o["id"].startswith("BR-") for o in cash)


def test_markets_take_cash_on_delivery_where_the_demo_help_centre_says() -> None:
    """knowledge/demo/docs/payment-methods.md lists the cash-on-delivery countries; the store must agree with it."""
    doc = (Path(__file__).parents[2] / "knowledge" / "demo" / "docs" / "payment-methods.md").read_text("utf-8")
    section = doc.split("## Cash on delivery", 1)[1].split("\n## ", 1)[0]
    names = {"ID": "Indonesia", "VN": "Vietnam", "TH": "Thailand", "PH": "Philippines", "SA": "Saudi Arabia",
             "AE": "United Arab Emirates", "EG": "Egypt"}
    listed = {cc for cc, name in names.items() if f"| {name} |" in section}
    assert listed == set(names)  # the doc still names these seven
    assert {cc for cc, m in demo.markets().items() if "cod" in m["payments"]} == listed
