from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from assistant.runtime import Services
from connectors.importer import ImportRejected, import_data, parse_document

FIXTURE = Path(__file__).parent.parent / "fixtures" / "mini_store.json"


def doc() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def problems_of(services: Services, raw: Any) -> list[str]:
    with pytest.raises(ImportRejected) as exc:
        import_data(services.store, parse_document(raw))
    return [str(p) for p in exc.value.problems]


def test_valid_file_imports_and_ignores_extra_fields(services: Services) -> None:
    report = import_data(services.store, parse_document(doc()))
    assert report.orders.created == 2 and report.customers.created == 2 and report.products.created == 2
    assert services.store.get_customer("cus_001").name == "Ana Souza"


def test_import_is_idempotent(services: Services) -> None:
    import_data(services.store, parse_document(doc()))
    before = services.store.get_order("BR-100234")
    report = import_data(services.store, parse_document(doc()))
    assert report.orders.as_dict() == {"created": 0, "updated": 0, "unchanged": 2}
    assert report.customers.as_dict() == {"created": 0, "updated": 0, "unchanged": 2}
    assert services.store.get_order("BR-100234") == before
    assert services.store.counts() == {"customers": 2, "products": 2, "orders": 2, "shipments": 2}


def test_changed_order_is_updated_in_place(services: Services) -> None:
    import_data(services.store, parse_document(doc()))
    changed = doc()
    changed["orders"][1]["status"] = "delivered"
    changed["orders"][1]["shipments"][0]["status"] = "delivered"
    report = import_data(services.store, parse_document(changed))
    assert report.orders.as_dict() == {"created": 0, "updated": 1, "unchanged": 1}
    order = services.store.get_order("MX-200001")
    assert order is not None and order.status == "delivered" and order.shipments[0].status == "delivered"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["orders"][0].__setitem__("total", "lots"), "$.orders[0].total"),
        (lambda d: d["orders"][0].__setitem__("status", "teleported"), "$.orders[0].status"),
        (
            lambda d: d["orders"][0]["shipments"][0].__setitem__("status", "flying"),
            "$.orders[0].shipments[0].status",
        ),
        (lambda d: d["orders"][0]["duties"].__setitem__("status", "maybe"), "$.orders[0].duties.status"),
        (lambda d: d["customers"][1].__setitem__("email", "not-an-email"), "$.customers[1].email"),
        (lambda d: d["orders"][1].__setitem__("placed_at", "2026-11-20T10:00:00"), "$.orders[1].placed_at"),
        (lambda d: d["orders"][0].__setitem__("items", []), "$.orders[0].items"),
        (lambda d: d["orders"][0]["items"][0].__setitem__("quantity", 0), "$.orders[0].items[0].quantity"),
    ],
)
def test_bad_types_and_enums_are_reported_with_json_paths(
    services: Services, mutate: Any, expected: str
) -> None:
    raw = doc()
    mutate(raw)
    problems = problems_of(services, raw)
    assert any(p.startswith(expected + ":") for p in problems), problems
    assert services.store.counts()["orders"] == 0


def test_every_problem_is_reported_at_once(services: Services) -> None:
    raw = doc()
    raw["orders"][0]["status"] = "nope"
    raw["orders"][1]["total"] = -5
    raw["customers"][0]["country"] = "Brazil"
    problems = problems_of(services, raw)
    assert {p.split(":")[0] for p in problems} >= {
        "$.orders[0].status",
        "$.orders[1].total",
        "$.customers[0].country",
    }


def test_missing_customer_reference(services: Services) -> None:
    raw = doc()
    raw["orders"][1]["customer_id"] = "cus_999"
    assert problems_of(services, raw) == ["$.orders[1].customer_id: unknown customer 'cus_999'"]


def test_reference_to_customer_already_in_store_is_fine(services: Services) -> None:
    import_data(services.store, parse_document(doc()))
    raw = {"orders": [copy.deepcopy(doc()["orders"][0]) | {"id": "BR-100235"}]}
    raw["orders"][0]["shipments"] = []
    report = import_data(services.store, parse_document(raw))
    assert report.orders.created == 1


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: d["orders"].append(copy.deepcopy(d["orders"][0])),
            "$.orders[2].id: duplicate id 'BR-100234'",
        ),
        (
            lambda d: d["customers"].append(d["customers"][0] | {"email": "x@example.com"}),
            "$.customers[2].id: duplicate id 'cus_001'",
        ),
        (
            lambda d: d["customers"][1].__setitem__("email", "ANA@example.com"),
            "$.customers[1].email: duplicate email 'ana@example.com'",
        ),
        (lambda d: d["products"].append(d["products"][0]), "$.products[2].sku: duplicate sku 'EAR-1'"),
    ],
)
def test_duplicate_ids(services: Services, mutate: Any, expected: str) -> None:
    raw = doc()
    mutate(raw)
    assert any(p.startswith(expected) for p in problems_of(services, raw))


def test_duplicate_tracking_number_and_unknown_sku(services: Services) -> None:
    raw = doc()
    raw["orders"][1]["shipments"][0]["tracking_number"] = "LB123456789BR"
    raw["orders"][1]["items"][0]["sku"] = "NOPE"
    problems = problems_of(services, raw)
    assert any(p.startswith("$.orders[1].shipments[0].tracking_number: duplicate") for p in problems)
    assert "$.orders[1].items[0].sku: unknown product 'NOPE'" in problems


def test_failed_replace_keeps_existing_data(services: Services) -> None:
    import_data(services.store, parse_document(doc()))
    raw = doc()
    raw["orders"][0]["customer_id"] = "ghost"
    raw["customers"] = []
    with pytest.raises(ImportRejected):
        import_data(services.store, parse_document(raw), replace=True)
    assert services.store.counts()["orders"] == 2


def test_replace_drops_what_the_file_does_not_have(services: Services) -> None:
    import_data(services.store, parse_document(doc()))
    raw = doc()
    raw["orders"] = raw["orders"][:1]
    import_data(services.store, parse_document(raw), replace=True)
    assert services.store.get_order("MX-200001") is None
    assert services.store.counts()["orders"] == 1


def test_email_owned_by_another_customer_in_store(services: Services) -> None:
    import_data(services.store, parse_document(doc()))
    raw = {"customers": [{"id": "cus_777", "name": "Impostor", "email": "ana@example.com", "country": "BR"}]}
    assert problems_of(services, raw) == ["$.customers[0].email: email already belongs to customer 'cus_001'"]


def test_not_an_object(services: Services) -> None:
    assert problems_of(services, [1, 2]) == ["$: the document must be a JSON object"]
