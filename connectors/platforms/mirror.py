"""A local mirror of a platform's orders: the SQL store, filled by a backfill and kept fresh by webhooks.

Reads come from the mirror (the same indexed lookups as the embedded store); an order the mirror does not have yet
(placed seconds ago) is read live and mirrored, and an order read longer ago than `max_age` is read again before
it is answered from, so what the shopper sees is never more than `max_age` behind even if a webhook was lost. If
the platform does not answer, the mirrored copy is used. Writes go to the platform first; the mirror is then
updated from the platform's answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError

from assistant.storage.upsert import upsert
from connectors.models import Customer, Order
from connectors.platforms.base import Fetched, Platform
from connectors.sql import schema as t
from connectors.sql.store import SqlStore, UpsertReport
from connectors.writes import PlatformRejected, PlatformUnavailable, PlatformWrite, WriteResult

log = logging.getLogger("portside.mirror")


class MirroredStore(SqlStore):
    remote = True  # writes go to another system: through the outbox, idempotent, retried

    def __init__(self, engine: Engine, platform: Platform, now: Callable[[], datetime],
                 max_age: timedelta = timedelta(minutes=15)) -> None:
        super().__init__(engine)
        self.platform = platform
        self.name = platform.name
        self.now = now
        self.max_age = max_age
        self.live_reads = 0

    # -- reads ---------------------------------------------------------------------------------
    def get_order(self, order_id: str) -> Order | None:
        with self.engine.connect() as conn:
            synced = conn.scalar(select(t.mirror_orders.c.synced_at).where(t.mirror_orders.c.order_id == order_id))
        order = super().get_order(order_id)
        if order is not None and synced is not None and self.now() - synced <= self.max_age:
            return order
        fresh = self._live(lambda: self.platform.fetch_order(order_id))
        if fresh is not None and order_id in fresh.remote_ids:
            return super().get_order(order_id)
        return order

    def find_order_ids(self, candidates: Sequence[str]) -> list[str]:
        found = super().find_order_ids(candidates)
        if found:
            return found
        for cand in list(dict.fromkeys(candidates))[:3]:  # an order placed after the last webhook
            fetched = self._live(lambda c=cand: self.platform.fetch_order(c))  # type: ignore[misc]
            if fetched is not None and fetched.remote_ids:
                return [next(iter(fetched.remote_ids))]
        return []

    def get_customer(self, customer_id: str) -> Customer | None:
        customer = super().get_customer(customer_id)
        if customer is None:  # a signed-in shopper the mirror has not met yet
            self._live(lambda: self.platform.fetch_customer(customer_id), customers=True)
            customer = super().get_customer(customer_id)
        return customer

    def orders_for_email(self, email: str) -> list[Order]:
        orders = super().orders_for_email(email)
        if orders:
            return orders
        self._live(lambda: self.platform.fetch_orders_for_email(email))
        return super().orders_for_email(email)

    def order_prefixes(self) -> list[str]:
        return []  # platform order numbers are typed whole ("#1001", "1001"); no demo-style country prefixes

    def _live(self, read: Callable[[], Fetched | None], customers: bool = False) -> Fetched | None:
        self.live_reads += 1
        try:
            fetched = read()
        except (PlatformUnavailable, PlatformRejected) as exc:
            log.warning("%s live read failed, answering from the mirror: %s", self.name, exc)
            return None
        if fetched is not None and (fetched.remote_ids or (customers and fetched.data.customers)):
            self.mirror(fetched)
        return fetched

    # -- mirroring -----------------------------------------------------------------------------
    def mirror(self, fetched: Fetched, report: UpsertReport | None = None) -> UpsertReport:
        """Write what was read from the platform into the mirror, in one transaction."""
        data = _dedupe(fetched)
        for attempt in range(3):
            try:
                return self._mirror(data, report)
            except IntegrityError:  # a webhook and a live read mirrored the same new customer or product at once
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _mirror(self, data: Fetched, report: UpsertReport | None) -> UpsertReport:
        with self.engine.begin() as conn:
            # A guest checkout whose email belongs to a registered customer is that customer's order.
            owners = self.email_owners(conn, [c.email for c in data.data.customers])
            alias = {c.id: owners[c.email.strip().lower()] for c in data.data.customers
                     if c.email.strip().lower() in owners and owners[c.email.strip().lower()] != c.id}
            customers = [c for c in data.data.customers if c.id not in alias]
            orders = [o.model_copy(update={"customer_id": alias.get(o.customer_id, o.customer_id)})
                      for o in data.data.orders]
            report = self.upsert(conn, data.data.model_copy(update={"customers": customers, "orders": orders}),
                                 report)
            upsert(conn, t.mirror_orders, [{"order_id": oid, "platform": self.name, "remote_id": rid,
                                            "synced_at": self.now()} for oid, rid in data.remote_ids.items()],
                   ["order_id"])
        return report

    def remote_id(self, order_id: str) -> str | None:
        with self.engine.connect() as conn:
            rid = conn.scalar(select(t.mirror_orders.c.remote_id).where(t.mirror_orders.c.order_id == order_id))
        if rid is None:
            fetched = self._live(lambda: self.platform.fetch_order(order_id))
            rid = fetched.remote_ids.get(order_id) if fetched else None
        return rid

    def forget(self, order_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(t.mirror_orders).where(t.mirror_orders.c.order_id == order_id))

    # -- writes --------------------------------------------------------------------------------
    def apply(self, write: PlatformWrite) -> WriteResult:
        remote = self.remote_id(write.order_id)
        if remote is None:
            raise PlatformRejected(f"order {write.order_id} is not on {self.name}")
        result = self.platform.apply(write, remote)
        self._live(lambda: self.platform.fetch_remote(remote))  # the mirror shows what the platform now has
        return result.model_copy(update={"order": SqlStore.get_order(self, write.order_id)})

def _dedupe(fetched: Fetched) -> Fetched:
    """The same customer or product appears once per order of a page; keep the last."""
    data = fetched.data
    return Fetched(data.model_copy(update={
        "customers": list({c.id: c for c in data.customers}.values()),
        "products": list({p.sku: p for p in data.products}.values()),
        "orders": list({o.id: o for o in data.orders}.values())}), fetched.remote_ids)
