"""Order lookup latency at scale: by id, by e-mail and by tracking number.

Builds a store of N orders (default 1,000,000) cloned from demo orders with unique ids, and a baseline store of
10,000 orders built the same way, then times SqlStore lookups (the same calls the assistant makes), and the same
lookups through the platform mirror (every order mirrored and fresh, so no live read may happen: the platform
behind it refuses to be called). Target: p95 < 5 ms at 1,000,000 orders.
Usage: python bench/order_lookup.py [--orders N] [--samples K]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.policy.config import load_policy  # noqa: E402
from bench.common import console, print_table, summary_ms  # noqa: E402
from connectors import demo  # noqa: E402
from connectors.models import StoreData  # noqa: E402
from connectors.platforms.mirror import MirroredStore  # noqa: E402
from connectors.sql import schema as t  # noqa: E402
from connectors.sql.engine import make_engine  # noqa: E402
from connectors.sql.store import SqlStore, _customer_row, _order_row, _shipment_row  # noqa: E402

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def build(path: Path, n_orders: int) -> tuple[SqlStore, list[str], list[str], list[str]]:
    template = StoreData.model_validate(
        demo.generate(orders=400, seed=1, now=NOW, fx=load_policy().fx_to_usd)
    )
    engine = make_engine(f"sqlite:///{path}")
    store = SqlStore(engine)
    store.create_schema()
    n_customers = max(1, n_orders // 4)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
        conn.execute(insert(t.products), [p.model_dump() for p in template.products])
        batch: list[dict[str, Any]] = []
        for i in range(n_customers):
            c = template.customers[i % len(template.customers)]
            batch.append(
                _customer_row(c.model_copy(update={"id": f"c{i}", "email": f"shopper{i}@example.com"}))
            )
            if len(batch) == 20_000:
                conn.execute(insert(t.customers), batch)
                batch.clear()
        if batch:
            conn.execute(insert(t.customers), batch)
        orders, items, ships, mirrored = [], [], [], []  # type: ignore[var-annotated]
        for i in range(n_orders):
            o = template.orders[i % len(template.orders)]
            oid = f"{o.shipping_address.country}-{i:07d}"
            orders.append({**_order_row(o), "id": oid, "customer_id": f"c{i % n_customers}"})
            mirrored.append({"order_id": oid, "platform": "shopify", "remote_id": f"gid://shopify/Order/{i}",
                             "synced_at": NOW})
            items += [{"order_id": oid, "line": n, **it.model_dump()} for n, it in enumerate(o.items, 1)]
            ships += [
                {**_shipment_row(oid, n, s), "tracking_number": f"TN{i:08d}{n}"}
                for n, s in enumerate(o.shipments, 1)
            ]
            if len(orders) == 20_000:
                _flush(conn, orders, items, ships, mirrored)
        _flush(conn, orders, items, ships, mirrored)
    console.print(
        f"built {n_orders:,} orders / {n_customers:,} customers in {time.perf_counter() - t0:.1f} s"
    )
    rng = random.Random(5)
    order_ids = [
        f"{template.orders[i % len(template.orders)].shipping_address.country}-{i:07d}"
        for i in rng.sample(range(n_orders), 2000)
    ]
    emails = [f"shopper{rng.randrange(n_customers)}@example.com" for _ in range(2000)]
    tracking = []
    for i in rng.sample(range(n_orders), 4000):
        if template.orders[i % len(template.orders)].shipments:
            tracking.append(f"TN{i:08d}1")
    return store, order_ids, emails, tracking[:2000]


def _flush(conn: Any, orders: list[Any], items: list[Any], ships: list[Any], mirrored: list[Any]) -> None:
    for table, rows in ((t.orders, orders), (t.order_items, items), (t.shipments, ships),
                        (t.mirror_orders, mirrored)):
        if rows:
            conn.execute(insert(table), rows)
            rows.clear()


def time_calls(fn: Any, keys: list[str], samples: int) -> list[float]:
    out = []
    for key in keys[:samples]:
        start = time.perf_counter()
        result = fn(key)
        out.append(time.perf_counter() - start)
        assert result, key
    return out


class _Unreachable:
    """The platform behind a fully mirrored, fresh store: a lookup that reaches it is a bug in the mirror."""

    name = "shopify"

    def __getattr__(self, attr: str) -> Any:
        raise AssertionError(f"the mirror made a live read ({attr}) for a fresh, mirrored order")


def measure(store: SqlStore, ids: list[str], emails: list[str], tracking: list[str], samples: int) -> dict:
    mirror = MirroredStore(store.engine, _Unreachable(), now=lambda: NOW)  # type: ignore[arg-type]
    for key in ids[:50]:  # warm the page cache like a running server would be
        store.get_order(key)
    return {
        "order by id": time_calls(store.get_order, ids, samples),
        "orders by email": time_calls(store.orders_for_email, emails, samples),
        "shipment by tracking no.": time_calls(store.find_shipment, tracking, samples),
        "order by id, platform mirror": time_calls(mirror.get_order, ids, samples),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--baseline-orders", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = measure(*build(Path(tmp) / "base.db", args.baseline_orders), args.samples)
        big = measure(*build(Path(tmp) / "big.db", args.orders), args.samples)
    rows = []
    for name, samples in big.items():
        p50, p95, _mean = summary_ms(samples)
        b50, b95, _ = summary_ms(base[name])
        rows.append((name, b50, b95, p50, p95, f"{p95 / b95:.2f}x", "yes" if p95 < 5 else "NO"))
    print_table(
        f"Order lookup latency (ms), SQLite, {args.orders:,} orders vs {args.baseline_orders:,} baseline",
        ["lookup", "base p50", "base p95", "p50", "p95", "p95 ratio", "p95 < 5 ms"],
        rows,
    )


if __name__ == "__main__":
    main()
