"""Table-driven tests for every rule and boundary of the default policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assistant.policy.config import load_policy
from assistant.policy.rules import can_cancel, can_change_address, evaluate_exchange, evaluate_return
from connectors.models import Address, Order, OrderItem, Product, Shipment

POLICY = load_policy()
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

PRODUCTS = {
    "MUG": Product(sku="MUG", name="Mug", category="home", price=20, currency="USD"),
    "EAR": Product(sku="EAR", name="Earbuds", category="electronics", price=50, currency="USD"),
    "DRESS": Product(sku="DRESS", name="Dress", category="apparel", price=35, currency="USD", final_sale=True),
    "SOCK": Product(sku="SOCK", name="Socks", category="apparel", price=15, currency="USD"),
    "SOCK2": Product(sku="SOCK2", name="Socks+", category="apparel", price=15.01, currency="USD"),
    "TV": Product(sku="TV", name="TV", category="home", price=200, currency="USD"),
    "TV2": Product(sku="TV2", name="TV+", category="home", price=200.01, currency="USD"),
    "TEE-S": Product(sku="TEE-S", name="Tee S", category="apparel", price=19, currency="USD", product_id="TEE",
                     variant="S"),
    "TEE-M": Product(sku="TEE-M", name="Tee M", category="apparel", price=19, currency="USD", product_id="TEE",
                     variant="M"),
}


def order(sku: str, *, days_ago: int | None = 10, status: str = "delivered", country: str = "US",
          currency: str = "USD", price: float | None = None, payment: str = "card") -> Order:
    delivered = NOW - timedelta(days=days_ago) if days_ago is not None else None
    unit = price if price is not None else PRODUCTS[sku].price
    return Order(
        id="T-000001", customer_id="c1", status=status, placed_at=NOW - timedelta(days=60), currency=currency,  # type: ignore[arg-type]
        total=unit, payment_method=payment,
        shipping_address=Address(name="A", line1="l", city="c", postal_code="1", country=country),
        items=[OrderItem(sku=sku, name=sku, quantity=1, unit_price=unit)],
        shipments=[Shipment(carrier="X", tracking_number="TRK0001", status="delivered" if delivered else "in_transit",
                            item_skus=[sku], delivered_at=delivered)],
    )


@pytest.mark.parametrize(
    ("sku", "days", "reason", "eligible", "code"),
    [
        ("MUG", 30, "changed_mind", True, "eligible"),  # day 30: last day of the window
        ("MUG", 31, "changed_mind", False, "outside_window"),
        ("EAR", 15, "wrong_size", True, "eligible"),  # electronics: 15 days
        ("EAR", 16, "changed_mind", False, "outside_window"),
        ("DRESS", 5, "changed_mind", False, "final_sale"),
        ("DRESS", 5, "defective", True, "eligible"),  # final sale + defective
        ("DRESS", 5, "wrong_item", True, "eligible"),
        ("MUG", 90, "damaged", True, "eligible"),  # defect reasons: 90 days
        ("MUG", 91, "damaged", False, "outside_defect_window"),
        ("EAR", 60, "defective", True, "eligible"),
        ("MUG", 31, "late", False, "outside_window"),
        ("MUG", 3, "not_as_described", True, "eligible"),
    ],
)
def test_windows_final_sale_and_defects(sku: str, days: int, reason: str, eligible: bool, code: str) -> None:
    d = evaluate_return(POLICY, order(sku, days_ago=days), [(sku, 1)], PRODUCTS, reason, NOW)
    assert (d.eligible, d.reason_code) == (eligible, code)
    if not eligible:
        assert d.refund_amount == 0


def test_window_counts_calendar_days_in_utc() -> None:
    late_evening = datetime(2026, 10, 27, 23, 59, tzinfo=UTC)  # 30 calendar days before Nov 26
    o = order("MUG")
    o = o.model_copy(update={"shipments": [o.shipments[0].model_copy(update={"delivered_at": late_evening})]})
    assert evaluate_return(POLICY, o, [("MUG", 1)], PRODUCTS, "changed_mind", NOW).eligible
    assert not evaluate_return(POLICY, o, [("MUG", 1)], PRODUCTS, "changed_mind",
                               NOW + timedelta(days=1)).eligible


@pytest.mark.parametrize("status", ["pending_payment", "processing", "shipped", "cancelled", "refunded"])
def test_only_delivered_orders(status: str) -> None:
    d = evaluate_return(POLICY, order("MUG", days_ago=None, status=status), [("MUG", 1)], PRODUCTS, "damaged", NOW)
    assert (d.eligible, d.reason_code) == (False, "not_delivered")


@pytest.mark.parametrize(("sku", "keep"), [("SOCK", True), ("SOCK2", False)])
def test_refund_without_return_at_exactly_usd_15(sku: str, keep: bool) -> None:
    d = evaluate_return(POLICY, order(sku, country="CO"), [(sku, 1)], PRODUCTS, "changed_mind", NOW)
    assert d.eligible and d.return_required is (not keep)
    assert d.fee == (0 if keep else pytest.approx(6.0))  # nothing to ship, nothing to pay


def test_low_value_in_local_currency_uses_the_fx_table() -> None:
    brl_15_usd = 15 / POLICY.fx_to_usd["BRL"]
    keep = evaluate_return(POLICY, order("SOCK", country="BR", currency="BRL", price=round(brl_15_usd, 2)),
                           [("SOCK", 1)], PRODUCTS, "changed_mind", NOW)
    ship = evaluate_return(POLICY, order("SOCK", country="BR", currency="BRL", price=round(brl_15_usd + 1, 2)),
                           [("SOCK", 1)], PRODUCTS, "changed_mind", NOW)
    assert not keep.return_required and ship.return_required


@pytest.mark.parametrize(
    ("country", "reason", "fee_usd", "hub"),
    [("BR", "changed_mind", 0, "BR"), ("MX", "wrong_size", 0, "MX"), ("CO", "changed_mind", 6, None),
     ("FR", "changed_mind", 9, None), ("JP", "not_as_described", 9, None), ("CO", "damaged", 0, None),
     ("FR", "defective", 0, None)],
)
def test_return_fee_unless_hub_or_defect(country: str, reason: str, fee_usd: float, hub: str | None) -> None:
    d = evaluate_return(POLICY, order("MUG", country=country), [("MUG", 1)], PRODUCTS, reason, NOW)
    assert d.eligible and d.fee == pytest.approx(fee_usd)
    assert d.refund_amount == pytest.approx(20 - fee_usd)
    assert d.hub_country == hub and (d.hub is not None) == (hub is not None)
    assert d.free_label == (fee_usd == 0)


@pytest.mark.parametrize(("payment", "method"), [("boleto", "store_credit"), ("oxxo", "store_credit"),
                                                 ("cod", "store_credit"), ("card", "original"),
                                                 ("pix", "original"), ("paypal", "original")])
def test_cash_payments_are_refunded_as_store_credit(payment: str, method: str) -> None:
    d = evaluate_return(POLICY, order("MUG", payment=payment), [("MUG", 1)], PRODUCTS, "damaged", NOW)
    assert d.refund_method == method


@pytest.mark.parametrize(("sku", "approval"), [("TV", False), ("TV2", True)])
def test_auto_approve_up_to_usd_200(sku: str, approval: bool) -> None:
    d = evaluate_return(POLICY, order(sku), [(sku, 1)], PRODUCTS, "damaged", NOW)
    assert d.eligible and d.needs_approval is approval and d.refund_amount == PRODUCTS[sku].price


@pytest.mark.parametrize(
    ("target", "days", "reason", "done", "eligible", "code", "fee"),
    [  # Colombia: no return hub, USD 6 return fee
        ("TEE-M", 10, "wrong_size", 0, True, "eligible", 6.0),
        ("TEE-M", 10, "wrong_size", 1, False, "exchange_used", 0.0),  # once per order
        ("TEE-S", 10, "wrong_size", 0, False, "not_same_product", 0.0),  # the same variant
        ("MUG", 10, "wrong_size", 0, False, "not_same_product", 0.0),
        ("TEE-M", 30, "wrong_size", 0, True, "eligible", 6.0),
        ("TEE-M", 31, "wrong_size", 0, False, "outside_window", 0.0),
        ("TEE-M", 31, "defective", 0, False, "outside_window", 0.0),  # defects don't extend exchanges
        ("TEE-M", 10, "defective", 0, True, "eligible", 0.0),  # ...but make them free
    ],
)
def test_exchanges(target: str, days: int, reason: str, done: int, eligible: bool, code: str, fee: float) -> None:
    o = order("TEE-S", days_ago=days, country="CO")
    d = evaluate_exchange(POLICY, o, "TEE-S", PRODUCTS.get(target), PRODUCTS, reason, done, NOW)
    assert (d.eligible, d.reason_code) == (eligible, code)
    assert d.fee == pytest.approx(fee)


def test_exchange_in_a_hub_country_is_free_and_needs_a_delivered_order() -> None:
    assert evaluate_exchange(POLICY, order("TEE-S", country="DE"), "TEE-S", PRODUCTS["TEE-M"], PRODUCTS,
                             "wrong_size", 0, NOW).fee == 0
    shipped = order("TEE-S", days_ago=None, status="shipped")
    assert evaluate_exchange(POLICY, shipped, "TEE-S", PRODUCTS["TEE-M"], PRODUCTS, "wrong_size", 0,
                             NOW).reason_code == "not_delivered"


@pytest.mark.parametrize(
    ("status", "cancel", "address"),
    [("pending_payment", True, True), ("processing", True, True), ("shipped", False, False),
     ("delivered", False, False), ("cancelled", False, False), ("refunded", False, False)],
)
def test_cancel_and_address_change_only_before_shipping(status: str, cancel: bool, address: bool) -> None:
    o = order("MUG", days_ago=None, status=status).model_copy(update={"shipments": []})
    assert can_cancel(POLICY, o) is cancel
    assert can_change_address(POLICY, o) is address
