"""Relational schema of the store. Every lookup path the assistant uses has an index."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    TypeDecorator,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend (SQLite keeps no offset)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)

metadata = MetaData()

customers = Table(
    "customers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False),
    Column("email_norm", String(320), nullable=False, unique=True),
    Column("phone", String(64)),
    Column("country", String(2), nullable=False),
    Column("language", String(8), nullable=False),
    Column("postal_code", String(32)),
)

products = Table(
    "products",
    metadata,
    Column("sku", String(64), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("category", String(64), nullable=False),
    Column("price", Float, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("final_sale", Boolean, nullable=False),
    Column("product_id", String(64), index=True),
    Column("variant", String(100)),
)

orders = Table(
    "orders",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False),
    Column("status", String(32), nullable=False),
    Column("placed_at", UTCDateTime(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("total", Float, nullable=False),
    Column("payment_method", String(64), nullable=False),
    Column("shipping_address", JSON, nullable=False),
    Column("duties", JSON),
    Index("ix_orders_customer", "customer_id", "placed_at"),
)

order_items = Table(
    "order_items",
    metadata,
    Column("order_id", String(64), ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("sku", String(64), nullable=False),
    Column("name", String(300), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Float, nullable=False),
)

shipments = Table(
    "shipments",
    metadata,
    Column("tracking_number", String(64), primary_key=True),
    Column("order_id", String(64), ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("carrier", String(100), nullable=False),
    Column("status", String(32), nullable=False),
    Column("item_skus", JSON, nullable=False),
    Column("estimated_delivery", Date),
    Column("delivered_at", UTCDateTime()),
    # Events are an append-only log read whole with their shipment, so they live beside it.
    Column("events", JSON, nullable=False),
    Index("ix_shipments_order", "order_id", "seq"),
)

# A store mirrored from a platform (Shopify, WooCommerce): where each order came from and when it was last read,
# so a stale order is read again and a write can find the platform's own id.
mirror_orders = Table(
    "mirror_orders",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("platform", String(32), nullable=False),
    Column("remote_id", String(200), nullable=False),
    Column("synced_at", UTCDateTime(), nullable=False),
    Index("ix_mirror_orders_remote", "platform", "remote_id"),
)

# One backfill per platform: the cursor after the last page written, so an interrupted sync resumes there.
sync_runs = Table(
    "sync_runs",
    metadata,
    Column("platform", String(32), primary_key=True),
    Column("since", UTCDateTime()),
    Column("cursor", String(500)),
    Column("orders_done", Integer, nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime()),
)
