"""Backfill the local mirror from the store platform, page by page, resumable.

The cursor after each page is saved with the page's orders, so an interrupted sync (Ctrl-C, a crash, a platform
outage past the client's retries) started again with the same --since continues after the last page it wrote.
Every order is an upsert: a page read twice changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from assistant.runtime import Services
from assistant.storage.upsert import insert_ignore
from connectors.platforms.mirror import MirroredStore
from connectors.sql import schema as t
from connectors.sql.store import UpsertReport


class SyncError(ValueError):
    pass


@dataclass
class SyncResult:
    orders: int
    pages: int
    resumed_from: str | None
    report: UpsertReport


def backfill(services: Services, since: datetime | None = None, *, restart: bool = False,
             progress: Callable[[int], None] | None = None) -> SyncResult:
    store = services.store
    if not isinstance(store, MirroredStore):
        raise SyncError("PORTSIDE_STORE is sql: there is no platform to sync from (set PORTSIDE_STORE=shopify or "
                        "woocommerce)")
    name, now = store.name, services.clock.now()
    runs = t.sync_runs.c
    with services.engine.begin() as conn:
        run = conn.execute(select(t.sync_runs).where(runs.platform == name)).mappings().first()
        resume = (run is not None and run["finished_at"] is None and run["cursor"] and not restart
                  and run["since"] == since)
        if not resume:
            insert_ignore(conn, t.sync_runs, {"platform": name, "since": since, "cursor": None, "orders_done": 0,
                                              "started_at": now, "finished_at": None}, ["platform"])
            conn.execute(update(t.sync_runs).where(runs.platform == name).values(
                since=since, cursor=None, orders_done=0, started_at=now, finished_at=None))
    cursor = run["cursor"] if resume and run is not None else None
    report, pages, orders = UpsertReport(), 0, 0
    for page in store.platform.pages(since, cursor):
        store.mirror(page.fetched, report)
        n = len(page.fetched.data.orders)
        pages, orders = pages + 1, orders + n
        with services.engine.begin() as conn:
            conn.execute(update(t.sync_runs).where(runs.platform == name).values(
                cursor=page.cursor, orders_done=runs.orders_done + n))
        if progress is not None:
            progress(n)
    with services.engine.begin() as conn:
        conn.execute(update(t.sync_runs).where(runs.platform == name).values(finished_at=services.clock.now()))
    return SyncResult(orders, pages, cursor, report)
