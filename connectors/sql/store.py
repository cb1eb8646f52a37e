"""SQL implementation of the store protocols (SQLite by default, any SQLAlchemy URL works)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from connectors.models import Address, Customer, Duties, Order, OrderItem, Product, Shipment, StoreData
from connectors.sql import schema as t
from connectors.tracking.models import TrackingUpdate
from connectors.writes import CancelOrder, ChangeAddress, PlatformWrite, WriteResult


@dataclass
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class UpsertReport:
    customers: UpsertCounts = field(default_factory=UpsertCounts)
    products: UpsertCounts = field(default_factory=UpsertCounts)
    orders: UpsertCounts = field(default_factory=UpsertCounts)


def _customer_row(c: Customer) -> dict[str, Any]:
    return {**c.model_dump(), "email_norm": c.email.strip().lower()}


def _order_row(o: Order) -> dict[str, Any]:
    return {
        "id": o.id, "customer_id": o.customer_id, "status": o.status, "placed_at": o.placed_at,
        "currency": o.currency, "total": o.total, "payment_method": o.payment_method,
        "shipping_address": o.shipping_address.model_dump(mode="json", exclude_none=True),
        "duties": o.duties.model_dump(mode="json") if o.duties else None,
    }


def _shipment_row(order_id: str, seq: int, s: Shipment) -> dict[str, Any]:
    return {
        "tracking_number": s.tracking_number, "order_id": order_id, "seq": seq, "carrier": s.carrier,
        "status": s.status, "item_skus": list(s.item_skus), "estimated_delivery": s.estimated_delivery,
        "delivered_at": s.delivered_at, "events": [e.model_dump(mode="json") for e in s.events],
    }


class SqlStore:
    """Orders, customers, shipments and products in one relational database.

    As the embedded default it is also the store's write side: a cancellation or an address change is written
    here; returns, refunds and decisions live in Portside's own return records, so there is nothing more to do."""

    name = "sql"
    remote = False  # writes land in our own database: no outbox, no platform to wait for

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._prefixes: list[str] | None = None

    def create_schema(self) -> None:
        """Create an empty database at the newest revision; refuse one that is behind (portside db upgrade)."""
        from assistant.storage.migrate import prepare

        prepare(self.engine)

    # -- reads ---------------------------------------------------------------------------------
    def get_order(self, order_id: str) -> Order | None:
        with self.engine.connect() as conn:
            orders = self._load_orders(conn, [order_id])
        return orders[0] if orders else None

    def orders_for_customer(self, customer_id: str) -> list[Order]:
        with self.engine.connect() as conn:
            ids = conn.scalars(
                select(t.orders.c.id).where(t.orders.c.customer_id == customer_id)
                .order_by(t.orders.c.placed_at.desc())
            ).all()
            return self._load_orders(conn, list(ids))

    def orders_for_email(self, email: str) -> list[Order]:
        customer = self.customer_by_email(email)
        return self.orders_for_customer(customer.id) if customer else []

    def find_shipment(self, tracking_number: str) -> tuple[Order, Shipment] | None:
        with self.engine.connect() as conn:
            order_id = conn.scalar(
                select(t.shipments.c.order_id).where(t.shipments.c.tracking_number == tracking_number.strip())
            )
            if order_id is None:
                return None
            order = self._load_orders(conn, [order_id])[0]
        shipment = next(s for s in order.shipments if s.tracking_number == tracking_number.strip())
        return order, shipment

    def get_customer(self, customer_id: str) -> Customer | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.customers).where(t.customers.c.id == customer_id)).mappings().first()
        return _customer(row) if row else None

    def customer_by_email(self, email: str) -> Customer | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.customers).where(t.customers.c.email_norm == email.strip().lower())
            ).mappings().first()
        return _customer(row) if row else None

    def get_product(self, sku: str) -> Product | None:
        return self.get_products([sku]).get(sku)

    def get_products(self, skus: list[str]) -> dict[str, Product]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.products).where(t.products.c.sku.in_(skus))).mappings().all()
        return {r["sku"]: Product.model_validate(dict(r)) for r in rows}

    def find_order_ids(self, candidates: Sequence[str]) -> list[str]:
        """Which of these ids exist (in the given order)."""
        with self.engine.connect() as conn:
            found = self.existing_ids(conn, "orders", list(dict.fromkeys(candidates)))
        return [c for c in dict.fromkeys(candidates) if c in found]

    def order_prefixes(self) -> list[str]:
        """Id prefixes in use ("BR-", "MX-"), to resolve a bare order number. Cached: it scans the id index."""
        if self._prefixes is None:
            with self.engine.connect() as conn:
                ids = conn.scalars(select(t.orders.c.id).where(t.orders.c.id.like("%-%")).limit(200_000)).all()
            self._prefixes = sorted({i.split("-", 1)[0] + "-" for i in ids})
        return self._prefixes

    def products_of(self, product_id: str) -> list[Product]:
        """All variants of one product."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.products).where(t.products.c.product_id == product_id)
                                .order_by(t.products.c.sku)).mappings().all()
        return [Product.model_validate(dict(r)) for r in rows]

    def list_customers(self, limit: int = 1000) -> list[Customer]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.customers).order_by(t.customers.c.id).limit(limit)).mappings().all()
        return [_customer(r) for r in rows]

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                name: conn.scalar(select(func.count()).select_from(table)) or 0
                for name, table in (("customers", t.customers), ("products", t.products),
                                    ("orders", t.orders), ("shipments", t.shipments))
            }

    def existing_ids(self, conn: Connection, kind: str, ids: Sequence[str]) -> set[str]:
        table, col = {"customers": (t.customers, t.customers.c.id), "products": (t.products, t.products.c.sku),
                      "orders": (t.orders, t.orders.c.id)}[kind]
        found: set[str] = set()
        for chunk in _chunks(list(ids), 500):
            found.update(conn.scalars(select(col).where(col.in_(chunk))).all())
        return found

    def email_owners(self, conn: Connection, emails: Sequence[str]) -> dict[str, str]:
        norm = [e.strip().lower() for e in emails]
        owners: dict[str, str] = {}
        for chunk in _chunks(norm, 500):
            rows = conn.execute(select(t.customers.c.email_norm, t.customers.c.id)
                                .where(t.customers.c.email_norm.in_(chunk)))
            owners.update({email: cid for email, cid in rows})
        return owners

    def _load_orders(self, conn: Connection, ids: list[str]) -> list[Order]:
        if not ids:
            return []
        rows = conn.execute(select(t.orders).where(t.orders.c.id.in_(ids))).mappings().all()
        items = conn.execute(
            select(t.order_items).where(t.order_items.c.order_id.in_(ids)).order_by(t.order_items.c.line)
        ).mappings().all()
        ships = conn.execute(
            select(t.shipments).where(t.shipments.c.order_id.in_(ids)).order_by(t.shipments.c.seq)
        ).mappings().all()
        by_id = {r["id"]: _order(r, [i for i in items if i["order_id"] == r["id"]],
                                 [s for s in ships if s["order_id"] == r["id"]]) for r in rows}
        return [by_id[i] for i in ids if i in by_id]

    # -- writes --------------------------------------------------------------------------------
    def clear(self, conn: Connection) -> None:
        for table in (t.shipments, t.order_items, t.orders, t.products, t.customers):
            conn.execute(delete(table))

    def upsert(self, conn: Connection, data: StoreData, report: UpsertReport | None = None,
               progress: Any = None) -> UpsertReport:
        """Insert or update everything in `data` inside the caller's transaction; unchanged rows are left."""
        report = report or UpsertReport()
        self._upsert_simple(conn, t.customers, t.customers.c.id, "id",
                            [_customer_row(c) for c in data.customers], report.customers)
        self._upsert_simple(conn, t.products, t.products.c.sku, "sku",
                            [p.model_dump() for p in data.products], report.products)
        for batch in _chunks(data.orders, 500):
            existing = {o.id: o for o in self._load_orders(conn, [o.id for o in batch])}
            for order in batch:
                old = existing.get(order.id)
                if old == order:
                    report.orders.unchanged += 1
                else:
                    self._write_order(conn, order, replace=old is not None)
                    if old is None:
                        report.orders.created += 1
                    else:
                        report.orders.updated += 1
                if progress is not None:
                    progress(1)
        return report

    def _upsert_simple(self, conn: Connection, table: Any, key_col: Any, key: str,
                       rows: list[dict[str, Any]], counts: UpsertCounts) -> None:
        for batch in _chunks(rows, 500):
            existing = {
                r[key]: dict(r)
                for r in conn.execute(select(table).where(key_col.in_([r[key] for r in batch]))).mappings()
            }
            for row in batch:
                old = existing.get(row[key])
                if old is None:
                    conn.execute(insert(table).values(**row))
                    counts.created += 1
                elif {k: old.get(k) for k in row} != row:
                    conn.execute(update(table).where(key_col == row[key]).values(**row))
                    counts.updated += 1
                else:
                    counts.unchanged += 1

    def _write_order(self, conn: Connection, order: Order, *, replace: bool) -> None:
        if replace:
            conn.execute(delete(t.order_items).where(t.order_items.c.order_id == order.id))
            conn.execute(delete(t.shipments).where(t.shipments.c.order_id == order.id))
            conn.execute(update(t.orders).where(t.orders.c.id == order.id).values(**_order_row(order)))
        else:
            conn.execute(insert(t.orders).values(**_order_row(order)))
        if order.items:
            conn.execute(insert(t.order_items), [
                {"order_id": order.id, "line": n, **item.model_dump()} for n, item in enumerate(order.items, 1)
            ])
        if order.shipments:
            conn.execute(insert(t.shipments), [
                _shipment_row(order.id, n, s) for n, s in enumerate(order.shipments, 1)
            ])

    def apply_tracking(self, upd: TrackingUpdate) -> ShipmentChange | None:
        """Write a tracker's update onto the shipment (status, delivery, events merged by time and words); the order
        becomes delivered when its last parcel is. None when the store has no such shipment."""
        with self.engine.begin() as conn:
            row = conn.execute(select(t.shipments).where(t.shipments.c.tracking_number == upd.tracking_number)
                               ).mappings().first()
            if row is None:
                return None
            known = {(datetime.fromisoformat(e["at"]), e.get("description")) for e in row["events"]}
            added = [{"at": e.at.isoformat(), "status": e.status, "location": e.location, "description": e.description}
                     for e in upd.events if (e.at, e.description) not in known]
            events = sorted([*row["events"], *added], key=lambda e: datetime.fromisoformat(e["at"]))
            conn.execute(update(t.shipments).where(t.shipments.c.tracking_number == upd.tracking_number).values(
                status=upd.status, events=events, delivered_at=upd.delivered_at or row["delivered_at"],
                estimated_delivery=upd.estimated_delivery or row["estimated_delivery"]))
            order = conn.execute(select(t.orders.c.status, t.orders.c.customer_id)
                                 .where(t.orders.c.id == row["order_id"])).one()
            statuses = set(conn.scalars(select(t.shipments.c.status).where(t.shipments.c.order_id == row["order_id"])))
            if order.status == "shipped" and statuses == {"delivered"}:
                conn.execute(update(t.orders).where(t.orders.c.id == row["order_id"]).values(status="delivered"))
        return ShipmentChange(order_id=row["order_id"], customer_id=order.customer_id,
                              tracking_number=upd.tracking_number, before=row["status"], after=upd.status,
                              new_events=len(added))

    def open_shipments(self) -> list[OpenShipment]:
        """Shipments still on their way (not delivered, lost or back with us), with their last scan."""
        done = ("delivered", "lost", "returned_to_sender")
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.shipments.c.tracking_number, t.shipments.c.order_id, t.shipments.c.carrier,
                                       t.shipments.c.status, t.shipments.c.events, t.orders.c.customer_id,
                                       t.orders.c.shipping_address)
                                .join(t.orders, t.orders.c.id == t.shipments.c.order_id)
                                .where(t.shipments.c.status.not_in(done))).all()
        out = []
        for r in rows:
            stamps = [datetime.fromisoformat(e["at"]) for e in r.events]
            out.append(OpenShipment(tracking_number=r.tracking_number, order_id=r.order_id, carrier=r.carrier,
                                    status=r.status, customer_id=r.customer_id,
                                    country=(r.shipping_address or {}).get("country", ""),
                                    last_event_at=max(stamps) if stamps else None))
        return out

    def apply(self, write: PlatformWrite) -> WriteResult:
        if isinstance(write, CancelOrder):
            self.set_order_status(write.order_id, "cancelled")
        elif isinstance(write, ChangeAddress):
            self.set_shipping_address(write.order_id, write.address)
        return WriteResult(platform=self.name, action_id=write.action_id, order=self.get_order(write.order_id))

    def set_order_status(self, order_id: str, status: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(t.orders).where(t.orders.c.id == order_id).values(status=status))

    def set_shipping_address(self, order_id: str, address: Address) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(t.orders).where(t.orders.c.id == order_id).values(
                shipping_address=address.model_dump(mode="json", exclude_none=True)))


@dataclass(frozen=True)
class ShipmentChange:
    order_id: str
    customer_id: str
    tracking_number: str
    before: str
    after: str
    new_events: int


@dataclass(frozen=True)
class OpenShipment:
    tracking_number: str
    order_id: str
    customer_id: str
    carrier: str
    status: str
    country: str
    last_event_at: datetime | None


def _customer(row: Any) -> Customer:
    return Customer.model_validate({k: v for k, v in dict(row).items() if k != "email_norm"})


def _order(row: Any, items: Iterable[Any], ships: Iterable[Any]) -> Order:
    return Order(
        id=row["id"], customer_id=row["customer_id"], status=row["status"], placed_at=row["placed_at"],
        currency=row["currency"], total=row["total"], payment_method=row["payment_method"],
        shipping_address=Address.model_validate(row["shipping_address"]),
        duties=Duties.model_validate(row["duties"]) if row["duties"] else None,
        items=[OrderItem(sku=i["sku"], name=i["name"], quantity=i["quantity"], unit_price=i["unit_price"])
               for i in items],
        shipments=[Shipment.model_validate({**dict(s), "item_skus": s["item_skus"], "events": s["events"]})
                   for s in ships],
    )


def _chunks(seq: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i:i + size]
