"""Store domain model. The same models validate the JSON import format (extra fields are ignored)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

OrderStatus = Literal[
    "pending_payment", "processing", "shipped", "delivered", "cancelled", "refunded", "return_in_progress"
]
ShipmentStatus = Literal[
    "label_created", "in_transit", "customs_hold", "out_for_delivery", "delivered", "delivery_failed",
    "lost", "returned_to_sender",
]
DutiesStatus = Literal["none", "prepaid", "unpaid", "paid"]

ORDER_STATUSES: tuple[str, ...] = OrderStatus.__args__  # type: ignore[attr-defined]
SHIPMENT_STATUSES: tuple[str, ...] = ShipmentStatus.__args__  # type: ignore[attr-defined]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Customer(_Model):
    id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = None
    country: str = Field(pattern=r"^[A-Z]{2}$")
    language: str = Field(default="en", pattern=r"^[a-z]{2}$")
    postal_code: str | None = None


class Product(_Model):
    sku: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1)
    category: str = "general"
    price: float = Field(ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    final_sale: bool = False
    product_id: str | None = None  # groups variants of one product (exchanges)
    variant: str | None = None


class Address(_Model):
    name: str
    line1: str
    line2: str | None = None
    city: str
    region: str | None = None
    postal_code: str | None = None
    country: str = Field(pattern=r"^[A-Z]{2}$")


class OrderItem(_Model):
    sku: str = Field(min_length=1)
    name: str
    quantity: int = Field(ge=1)
    unit_price: float = Field(ge=0)


class TrackingEvent(_Model):
    at: AwareDatetime
    status: ShipmentStatus
    location: str | None = None
    description: str | None = None


class Shipment(_Model):
    carrier: str
    tracking_number: str = Field(min_length=4, max_length=64)
    status: ShipmentStatus
    item_skus: list[str] = Field(default_factory=list)
    estimated_delivery: date | None = None
    delivered_at: AwareDatetime | None = None
    events: list[TrackingEvent] = Field(default_factory=list)

    @property
    def latest_event(self) -> TrackingEvent | None:
        return max(self.events, key=lambda e: e.at) if self.events else None


class Duties(_Model):
    amount: float = Field(default=0, ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    status: DutiesStatus = "none"


class Order(_Model):
    id: str = Field(min_length=1, max_length=64)
    customer_id: str
    status: OrderStatus
    placed_at: AwareDatetime
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    total: float = Field(ge=0)
    payment_method: str
    shipping_address: Address
    items: list[OrderItem] = Field(min_length=1)
    shipments: list[Shipment] = Field(default_factory=list)
    duties: Duties | None = None

    def shipment_for(self, sku: str) -> Shipment | None:
        return next((s for s in self.shipments if sku in s.item_skus), None)


class StoreData(_Model):
    """The whole JSON import document."""

    customers: list[Customer] = Field(default_factory=list)
    products: list[Product] = Field(default_factory=list)
    orders: list[Order] = Field(default_factory=list)
