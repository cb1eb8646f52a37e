"""Live tracking: turn latency with a tracker refresh on every turn (fast and slow tracker) against a baseline
without a tracker, in the same run; and the webhook ingest rate. Against the fake AfterShip on 127.0.0.1.

The turn must never wait past the policy's refresh budget (800 ms): with a tracker slower than that, p95 stays
near baseline + budget.  Usage: python bench/tracking.py [--turns N] [--webhooks N]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import delete, update

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.api.app import create_app  # noqa: E402
from assistant.chat import ChatRequest, ChatService  # noqa: E402
from assistant.identity import issue_token  # noqa: E402
from assistant.runtime import Services  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.storage import schema as t  # noqa: E402
from bench.common import console, pct, print_table  # noqa: E402
from connectors import demo  # noqa: E402
from connectors.importer import import_data  # noqa: E402
from connectors.models import StoreData  # noqa: E402
from connectors.sql import schema as store_schema  # noqa: E402
from tests.fakes.aftership import FakeAfterShip  # noqa: E402

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
SECRET = "bench-webhook-secret"


def build(home: Path, fake: FakeAfterShip | None) -> Services:
    settings = Settings(home=home, now=NOW, _env_file=None)  # type: ignore[call-arg]
    if fake is not None:
        settings.tracking, settings.aftership_api_key = "aftership", fake.api_key
        settings.aftership_api_url, settings.aftership_webhook_secret = fake.url, SECRET
    services = Services(settings)
    services.conversations  # noqa: B018 - the conversation-side tables
    if not services.store.counts()["orders"]:
        doc = demo.generate(orders=300, seed=7, now=NOW, fx=services.policy.fx_to_usd)
        import_data(services.store, StoreData.model_validate(doc))
        with services.engine.begin() as conn:  # every parcel with a courier the fake knows
            conn.execute(update(store_schema.shipments).values(carrier="USPS"))
    return services


def turns(services: Services, n: int, *, fresh: bool) -> list[float]:
    chat = ChatService(services)
    open_ = services.store.open_shipments()
    out = []
    for i in range(n):
        s = open_[i % len(open_)]
        if fresh:  # every turn finds its parcel due for a refresh
            with services.engine.begin() as conn:
                conn.execute(delete(t.tracking_state).where(t.tracking_state.c.tracking_number == s.tracking_number))
        token = issue_token(s.customer_id, services.settings.widget_secret)
        start = time.perf_counter()
        chat.handle(ChatRequest(message=f"where is my order {s.order_id}?", customer_token=token))
        out.append(time.perf_counter() - start)
    return out


def seed(fake: FakeAfterShip, services: Services) -> None:
    for s in services.store.open_shipments():
        fake.add_tracking(s.tracking_number, "usps", order_id=s.order_id)
        fake.add_checkpoint(("usps", s.tracking_number), "InTransit", "InTransit_007", "Departure scan",
                            "Los Angeles, CA", "USA", NOW - timedelta(hours=3))


async def ingest(services: Services, fake: FakeAfterShip, n: int) -> float:
    app = create_app(services=services)
    open_ = services.store.open_shipments()
    bodies = []
    for i in range(n):
        s = open_[i % len(open_)]
        msg = {**fake.get(("usps", s.tracking_number)), "updated_at": f"2026-11-26T12:{i % 60:02d}:00+00:00"}
        raw = json.dumps({"event": "tracking_update", "event_id": f"ev-{i}", "msg": msg, "ts": i}).encode()
        sig = base64.b64encode(hmac.new(SECRET.encode(), raw, hashlib.sha256).digest()).decode()
        bodies.append((raw, sig))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        start = time.perf_counter()
        for raw, sig in bodies:
            r = await client.post("/webhooks/aftership", content=raw,
                                  headers={"aftership-hmac-sha256": sig, "Content-Type": "application/json"})
            assert r.status_code == 200, r.text
        return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--webhooks", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FakeAfterShip(now=NOW) as fake:
        base = build(Path(tmp) / "base", None)
        turns(base, 20, fresh=False)  # warm-up: models, caches
        baseline = turns(base, args.turns, fresh=False)
        base.close()
        live = build(Path(tmp) / "live", fake)
        seed(fake, live)
        budget = live.policy.tracking.refresh_budget_ms / 1000
        calls = len(fake.called("GET"))
        fast = turns(live, args.turns, fresh=True)
        fetched = len(fake.called("GET")) - calls
        fake.delay_next(budget * 2.5, n=args.turns)  # a tracker far slower than the budget, on every call
        slow = turns(live, max(20, args.turns // 4), fresh=True)
        fake._delays.clear()
        rate = asyncio.run(ingest(live, fake, args.webhooks))
        live.close()
    rows = []
    for name, samples in (("no tracker (baseline)", baseline), ("refresh, tracker answers", fast),
                          ("refresh, tracker 2.5× slower than budget", slow)):
        p50, p95 = pct(samples, 50) * 1000, pct(samples, 95) * 1000
        rows.append((name, len(samples), p50, p95, p95 / (pct(baseline, 95) * 1000)))
    print_table("turn latency, 'where is my order?' (ms)", ["case", "turns", "p50", "p95", "p95 / baseline"], rows)
    console.print(f"tracker reads during the fast-refresh turns: {fetched} for {args.turns} turns")
    console.print(f"refresh budget: {budget * 1000:.0f} ms; slow-tracker p95 - baseline p95 = "
                  f"{(pct(slow, 95) - pct(baseline, 95)) * 1000:.0f} ms")
    print_table("webhook ingest (signed AfterShip webhooks, in-process)", ["webhooks", "per second"],
                [(args.webhooks, rate)])


if __name__ == "__main__":
    main()
