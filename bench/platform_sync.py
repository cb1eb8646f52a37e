"""Store platforms against the fake Shopify on 127.0.0.1: backfill throughput with Shopify's cost throttle on,
mirrored order lookups against the plain SQL store in the same run, and the signed-webhook ingest rate.

Backfill speed is set by the query-cost bucket, not by Portside: a page must find its requested cost in the
bucket and pays its actual cost, which refills at the plan's restore rate. The table gives the measured rate at
the fake's restore rate and what that implies for 100k orders at Shopify's documented restore rates.
Usage: python bench/platform_sync.py [--orders N] [--lookups N] [--webhooks N] [--restore R]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.platform import webhooks as platform_webhooks  # noqa: E402
from assistant.platform.sync import backfill  # noqa: E402
from assistant.runtime import Services  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from bench.common import console, pct, print_table  # noqa: E402
from connectors.platforms.base import PlatformWebhook  # noqa: E402
from connectors.sql.store import SqlStore  # noqa: E402
from tests.fakes.shopify import DEFAULT_TOKEN, FakeShopify  # noqa: E402

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
PLANS = {"fake (this run)": None, "Shopify standard (100/s)": 100.0, "Advanced (200/s)": 200.0,
         "Plus (1,000/s)": 1000.0}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=1500)
    ap.add_argument("--lookups", type=int, default=2000)
    ap.add_argument("--webhooks", type=int, default=500)
    ap.add_argument("--restore", type=float, default=50.0, help="the fake's bucket restore rate (points/s)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as home, FakeShopify(now=lambda: NOW, restore_rate=args.restore) as shop:
        customers = [shop.add_customer(email=f"c{i}@example.com", first_name="C", last_name=str(i))
                     for i in range(max(1, args.orders // 5))]
        products = [shop.add_product(title=f"P{i}", price="19.90", sku=f"SKU-{i}") for i in range(50)]
        for i in range(args.orders):
            shop.add_order(customer=customers[i % len(customers)],
                           line_items=[{"variant": products[i % 50].variants[0], "quantity": 1}])
        settings = Settings(home=Path(home), now=NOW, store="shopify", shopify_shop=shop.shop_domain,
                            shopify_token=DEFAULT_TOKEN, shopify_api_url=shop.graphql_url,
                            shopify_webhook_secret="s", _env_file=None)  # type: ignore[call-arg]
        services = Services(settings)
        services.platform.client.budget = 600  # type: ignore[attr-defined]

        started = time.perf_counter()
        result = backfill(services)
        took = time.perf_counter() - started
        rate = result.orders / took
        client = services.platform.client  # type: ignore[attr-defined]
        points_per_order = (args.restore * took) / result.orders  # the bucket's refill is what paced the run
        rows: list[list[object]] = []
        for plan, restore in PLANS.items():
            per_s = rate if restore is None else min(rate * restore / args.restore, rate * 20)
            rows.append([plan, f"{per_s:,.1f}", f"{100_000 / per_s / 60:,.0f} min"])
        print_table(f"Backfill of {result.orders:,} orders ({result.pages} pages, {client.calls} calls, "
                    f"{client.throttled} throttled) in {took:.1f} s", ["bucket", "orders/s", "100k orders"], rows)
        console.print(f"~{points_per_order:.0f} bucket points per order; plan rows scale the measured rate by the "
                      "restore rate (capped at 20x: beyond that the fake's own speed bounds it).")

        ids = [str(1000 + i + 1) for i in range(args.orders)]  # the fake numbers orders from #1001
        plain = SqlStore(services.engine)
        mirror = services.store
        timings: dict[str, list[float]] = {"SQL store (baseline)": [], "mirror": []}
        for _ in range(args.lookups):
            oid = random.choice(ids)
            for name, store in (("SQL store (baseline)", plain), ("mirror", mirror)):
                t0 = time.perf_counter()
                assert store.get_order(oid) is not None
                timings[name].append((time.perf_counter() - t0) * 1000)
        base95 = pct(timings["SQL store (baseline)"], 95)
        print_table(f"Order lookup by number ({args.lookups:,} each, {result.orders:,} orders)",
                    ["store", "p50 ms", "p95 ms", "p95 vs baseline"],
                    [[name, f"{pct(v, 50):.2f}", f"{pct(v, 95):.2f}", f"{pct(v, 95) / base95:.2f}x"]
                     for name, v in timings.items()])

        # Webhook ingest: the signed delivery stored and deduped, its re-read queued (what the endpoint does).
        bodies = [json.dumps({"id": 5000 + i, "admin_graphql_api_id": f"gid://shopify/Order/{5000 + i}"}).encode()
                  for i in range(args.webhooks)]
        platform = services.platform
        started = time.perf_counter()
        for i, body in enumerate(bodies):
            sig = base64.b64encode(hmac.new(b"s", body, hashlib.sha256).digest()).decode()
            hook: PlatformWebhook = platform.parse_webhook(body, {
                "X-Shopify-Hmac-Sha256": sig, "X-Shopify-Topic": "orders/updated", "X-Shopify-Webhook-Id": f"w{i}"})
            platform_webhooks.ingest(services, hook, body, {})
        ingest = args.webhooks / (time.perf_counter() - started)
        print_table("Webhook ingest (verify, store, dedupe, queue)", ["deliveries", "per second"],
                    [[f"{args.webhooks:,}", f"{ingest:,.0f}"]])
        services.close()


if __name__ == "__main__":
    main()
