"""The outbox with several workers: every row is delivered exactly once while three workers (each its own engine,
as separate servers would have) run at the same time, a worker that dies mid-delivery leaves its rows to the
others once its lease runs out, and a failure hands the untried rest of a batch back."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest

from assistant.runtime import Services
from assistant.settings import Settings
from assistant.storage.outbox import Outbox, enqueue
from connectors.sql.engine import make_engine

pytestmark = pytest.mark.both_databases


def test_three_workers_deliver_each_row_exactly_once(services: Services, settings: Settings) -> None:
    services.conversations  # noqa: B018 - schema
    with services.engine.begin() as conn:
        for i in range(200):
            enqueue(conn, "test.deliver", f"row:{i}", {"i": i})
    delivered: Counter[int] = Counter()
    guard = threading.Lock()

    def deliver(payload: dict[str, int]) -> None:
        time.sleep(0.001)  # a real receiver takes a moment: workers overlap
        with guard:
            delivered[payload["i"]] += 1

    engines = [make_engine(settings.resolved_database_url) for _ in range(3)]
    workers = [Outbox(engine, services.outbox.clock) for engine in engines]
    for w in workers:
        w.handler("test.deliver", deliver)

    def run(worker: Outbox) -> None:
        while worker.run_once():
            pass

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert sorted(delivered) == list(range(200))
    assert max(delivered.values()) == 1, [i for i, n in delivered.items() if n > 1]
    assert services.outbox.pending() == []
    for engine in engines:
        engine.dispose()


def test_a_dead_workers_rows_go_to_another_after_the_lease(services: Services) -> None:
    services.conversations  # noqa: B018
    services.outbox.add("test.deliver", "row:1", {"i": 1})
    dead = Outbox(services.engine, services.outbox.clock, lease=timedelta(seconds=30))
    dead.handler("test.deliver", lambda _p: None)
    now = services.outbox.clock.now()
    assert [r["dedupe_key"] for r in dead.claim(now)] == ["row:1"]  # claimed, then the worker died

    seen: list[dict[str, int]] = []
    alive = Outbox(services.engine, services.outbox.clock)
    alive.handler("test.deliver", seen.append)
    assert alive.run_once(now + timedelta(seconds=10)) == 0  # still leased
    assert alive.run_once(now + timedelta(seconds=31)) == 1
    assert seen == [{"i": 1}]
    assert alive.run_once(now + timedelta(minutes=10)) == 0


def test_a_failure_hands_the_rest_of_the_batch_back(services: Services) -> None:
    services.conversations  # noqa: B018
    for i in range(3):
        services.outbox.add("test.deliver", f"row:{i}", {"i": i})
    worker = Outbox(services.engine, services.outbox.clock)

    def down(_payload: dict[str, int]) -> None:
        raise ConnectionError("receiver down")

    worker.handler("test.deliver", down)
    assert worker.run_once() == 0
    rows = {r["dedupe_key"]: r for r in services.outbox.pending()}
    assert rows["row:0"]["attempts"] == 1 and rows["row:0"]["last_error"]
    assert all(rows[k]["claimed_by"] is None and rows[k]["attempts"] == 0 for k in ("row:1", "row:2"))
