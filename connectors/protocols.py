"""The small interfaces the assistant calls. Any data source (SQL, Shopify, a custom API) implements them."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from connectors.models import Customer, Order, Product, Shipment


@runtime_checkable
class OrderSource(Protocol):
    def get_order(self, order_id: str) -> Order | None: ...

    def orders_for_customer(self, customer_id: str) -> list[Order]: ...

    def orders_for_email(self, email: str) -> list[Order]: ...

    def find_shipment(self, tracking_number: str) -> tuple[Order, Shipment] | None: ...


@runtime_checkable
class CustomerSource(Protocol):
    def get_customer(self, customer_id: str) -> Customer | None: ...

    def customer_by_email(self, email: str) -> Customer | None: ...


@runtime_checkable
class ProductSource(Protocol):
    def get_product(self, sku: str) -> Product | None: ...

    def get_products(self, skus: list[str]) -> dict[str, Product]: ...
