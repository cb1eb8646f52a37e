from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.runtime import Services
from connectors.importer import import_data, parse_document
from connectors.protocols import CustomerSource, OrderSource, ProductSource
from connectors.sql.store import SqlStore

pytestmark = pytest.mark.both_databases

FIXTURE = Path(__file__).parent.parent / "fixtures" / "mini_store.json"


@pytest.fixture
def store(services: Services) -> SqlStore:
    import_data(services.store, parse_document(json.loads(FIXTURE.read_text(encoding="utf-8"))))
    return services.store


def test_implements_the_protocols(store: SqlStore) -> None:
    assert isinstance(store, OrderSource)
    assert isinstance(store, CustomerSource)
    assert isinstance(store, ProductSource)


def test_get_order_round_trips_everything(store: SqlStore) -> None:
    order = store.get_order("BR-100234")
    assert order is not None
    assert order.shipping_address.city == "São Paulo"
    assert order.items[0].unit_price == 259.9
    s = order.shipments[0]
    assert s.tracking_number == "LB123456789BR" and s.delivered_at is not None
    assert s.delivered_at.tzinfo is not None and s.delivered_at.isoformat() == "2026-10-18T15:20:00+00:00"
    assert order.duties is not None and order.duties.status == "prepaid"
    assert store.get_order("BR-000000") is None


def test_offsets_are_normalised_to_utc(store: SqlStore) -> None:
    order = store.get_order("MX-200001")
    assert order is not None and order.placed_at.isoformat() == "2026-11-20T16:00:00+00:00"


def test_orders_by_customer_and_email(store: SqlStore) -> None:
    assert [o.id for o in store.orders_for_customer("cus_001")] == ["BR-100234"]
    assert [o.id for o in store.orders_for_email("  LUIS@example.COM ")] == ["MX-200001"]
    assert store.orders_for_email("nobody@example.com") == []
    assert store.orders_for_customer("cus_404") == []


def test_shipment_by_tracking_number(store: SqlStore) -> None:
    found = store.find_shipment("MX1234567890")
    assert found is not None
    order, shipment = found
    assert order.id == "MX-200001" and shipment.status == "customs_hold"
    assert store.find_shipment("XX0000000") is None


def test_customers_and_products(store: SqlStore) -> None:
    assert store.customer_by_email("ana@EXAMPLE.com").id == "cus_001"  # type: ignore[union-attr]
    assert store.get_customer("cus_404") is None
    assert store.get_product("EAR-1").category == "electronics"  # type: ignore[union-attr]
    assert set(store.get_products(["EAR-1", "SOCK-3", "NOPE"])) == {"EAR-1", "SOCK-3"}


def test_every_lookup_path_is_indexed(store: SqlStore) -> None:
    from sqlalchemy import text

    with store.engine.connect() as conn:
        plans = {
            "order_by_id": "SELECT * FROM orders WHERE id = 'x'",
            "orders_by_customer": "SELECT id FROM orders WHERE customer_id = 'x' ORDER BY placed_at DESC",
            "customer_by_email": "SELECT * FROM customers WHERE email_norm = 'x'",
            "shipment_by_tracking": "SELECT order_id FROM shipments WHERE tracking_number = 'x'",
            "items_by_order": "SELECT * FROM order_items WHERE order_id IN ('x')",
            "shipments_by_order": "SELECT * FROM shipments WHERE order_id IN ('x')",
        }
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET enable_seqscan = off"))  # tiny tables: otherwise a scan is simply cheaper
        for name, sql in plans.items():
            if conn.dialect.name == "postgresql":
                plan = " ".join(str(r[0]) for r in conn.execute(text("EXPLAIN " + sql)))
                assert "Index" in plan and "Seq Scan" not in plan, (name, plan)
            else:
                plan = " ".join(str(r[-1]) for r in conn.execute(text("EXPLAIN QUERY PLAN " + sql)))
                assert "USING" in plan and "SCAN" not in plan.replace("SCAN CONSTANT", ""), (name, plan)
