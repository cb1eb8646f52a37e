"""Parcel tracking for every shipment the store knows: registered with the tracker once (through the outbox),
refreshed when a shopper asks (within a time budget), updated by webhooks, and watched for stalls."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from assistant.runtime import Services
from assistant.storage import schema as t
from assistant.storage.outbox import RetryLater, enqueue
from assistant.storage.upsert import insert_ignore
from assistant.tracking.notices import notice_for
from assistant.tracking.notifier import Money, Notifier
from connectors.models import Order
from connectors.sql.store import OpenShipment, ShipmentChange
from connectors.tracking.models import Tracker, TrackerError, TrackingUpdate

log = logging.getLogger("portside.tracking")
REGISTER = "tracking.register"
FINAL = ("delivered", "lost", "returned_to_sender")


@dataclass(frozen=True)
class Fresh:
    """An order as fresh as the tracker could make it within the budget."""

    order: Order
    stale_since: datetime | None  # set when a refresh was due but the tracker didn't answer in time


class TrackingService:
    def __init__(self, services: Services, tracker: Tracker | None) -> None:
        self.services = services
        self.tracker = tracker
        self.notifier = Notifier(services)
        self.policy = services.policy.tracking
        # Live refreshes run here, so a slow tracker costs a turn its budget and no more.
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="portside-tracking")
        self._lock = threading.Lock()
        if tracker is not None:
            services.outbox.handler(REGISTER, self._register)

    @property
    def enabled(self) -> bool:
        return self.tracker is not None

    # -- registration ------------------------------------------------------------------------------------------
    def register_open(self) -> int:
        """Queue every open shipment the tracker doesn't know yet (idempotent: the outbox dedupes by number)."""
        if self.tracker is None:
            return 0
        open_ = self.services.store.open_shipments()
        with self.services.engine.begin() as conn:
            known = set(conn.scalars(select(t.tracking_state.c.tracking_number)
                                     .where(t.tracking_state.c.registered_at.is_not(None))))
            queued = 0
            for s in open_:
                if s.tracking_number in known:
                    continue
                enqueue(conn, REGISTER, f"register:{self.tracker.name}:{s.tracking_number}",
                        {"tracking_number": s.tracking_number, "carrier": s.carrier, "order_id": s.order_id})
                queued += 1
        return queued

    def _register(self, payload: dict[str, Any]) -> None:
        assert self.tracker is not None
        try:
            self.tracker.register(payload["tracking_number"], payload.get("carrier"), payload["order_id"])
        except TrackerError as exc:
            if exc.retryable:
                raise RetryLater(exc.retry_after or 30, str(exc)) from None
            log.warning("tracker refused %s: %s", payload["tracking_number"], exc)
        self._state(payload["tracking_number"], payload["order_id"], registered_at=self.services.clock.now())

    def _state(self, tracking_number: str, order_id: str, **values: Any) -> None:
        assert self.tracker is not None
        with self.services.engine.begin() as conn:
            insert_ignore(conn, t.tracking_state, {"tracking_number": tracking_number, "provider": self.tracker.name,
                                                   "order_id": order_id, "duties_due": False}, ["tracking_number"])
            conn.execute(update(t.tracking_state).where(t.tracking_state.c.tracking_number == tracking_number)
                         .values(**values))

    def checked_at(self, tracking_number: str) -> datetime | None:
        with self.services.engine.connect() as conn:
            return conn.scalar(select(t.tracking_state.c.checked_at)
                               .where(t.tracking_state.c.tracking_number == tracking_number))

    # -- fresh answers -----------------------------------------------------------------------------------------
    def refresh(self, order: Order) -> Fresh:
        """Refresh the order's open parcels last checked more than refresh_after_minutes ago, waiting at most the
        policy's budget; past it, or when the tracker fails, the stored events answer and say how old they are."""
        if self.tracker is None:
            return Fresh(order, None)
        now = self.services.clock.now()
        due_before = now - timedelta(minutes=self.policy.refresh_after_minutes)
        due = [s for s in order.shipments if s.status not in FINAL
               and ((self.checked_at(s.tracking_number) or datetime.min.replace(tzinfo=now.tzinfo)) < due_before)]
        if not due:
            return Fresh(order, None)
        budget = self.policy.refresh_budget_ms / 1000
        tracker = self.tracker
        futures = [self._pool.submit(tracker.fetch, s.tracking_number, s.carrier, budget) for s in due]
        stale: datetime | None = None
        for shipment, future in zip(due, futures, strict=True):
            try:
                found = future.result(timeout=budget)
            except (FutureTimeout, TrackerError) as exc:
                log.info("tracking refresh of %s failed: %s", shipment.tracking_number, exc)
                last = self.checked_at(shipment.tracking_number) or (shipment.latest_event.at
                                                                      if shipment.latest_event else None)
                stale = max(filter(None, [stale, last]), default=last)
                continue
            if found is not None:
                self.apply(found)
            self._state(shipment.tracking_number, order.id, checked_at=now)
        fresh = self.services.store.get_order(order.id) or order
        return Fresh(fresh, stale)

    # -- updates -----------------------------------------------------------------------------------------------
    def ingest(self, source: str, dedupe_key: str, topic: str, payload: str,
               updates: list[TrackingUpdate], headers: dict[str, str] | None = None) -> bool:
        """A verified webhook: stored first (a replay is a no-op), then applied. False when already seen."""
        now = self.services.clock.now()
        try:
            with self.services.engine.begin() as conn:
                row_id = conn.execute(insert(t.inbound_webhooks).values(
                    source=source, dedupe_key=dedupe_key[:200], topic=topic, payload=payload, headers=headers,
                    received_at=now)).inserted_primary_key[0]  # type: ignore[index]
        except IntegrityError:
            return False
        self._process(row_id, dedupe_key, updates)
        return True

    def retry_failed(self) -> int:
        """Apply again the stored webhooks whose processing failed (the sender had its 200 already)."""
        if self.tracker is None:
            return 0
        c = t.inbound_webhooks.c
        with self.services.engine.connect() as conn:
            rows = conn.execute(select(c.id, c.dedupe_key, c.payload, c.headers).where(c.processed_at.is_(None))
                                .where(c.source == self.tracker.name).where(c.error.is_not(None)).limit(100)).all()
        for row in rows:
            updates = self.tracker.parse_webhook(row.payload.encode(), row.headers or {})
            self._process(row.id, row.dedupe_key, updates)
        return len(rows)

    def _process(self, row_id: int, dedupe_key: str, updates: list[TrackingUpdate]) -> None:
        try:
            for upd in updates:
                self.apply(upd)
        except Exception as exc:  # kept for retry_failed; the sender already has its 200
            log.exception("webhook %s failed", dedupe_key)
            self._mark(row_id, error=f"{type(exc).__name__}: {exc}"[:2000])
            return
        self._mark(row_id, processed_at=self.services.clock.now(), error=None)

    def _mark(self, row_id: int, **values: Any) -> None:
        with self.services.engine.begin() as conn:
            conn.execute(update(t.inbound_webhooks).where(t.inbound_webhooks.c.id == row_id).values(**values))

    def apply(self, upd: TrackingUpdate) -> ShipmentChange | None:
        """Write an update to the store and tell the shopper what the policy says they should hear."""
        change = self.services.store.apply_tracking(upd)
        if change is None:
            return None
        with self._lock:
            self._state(upd.tracking_number, change.order_id, checked_at=self.services.clock.now(),
                        detail=upd.detail, duties_due=upd.duties_due)
        order = self.services.store.get_order(change.order_id)
        # The tracker may not say why customs holds it; the store knows when import duties are still unpaid.
        duties_due = upd.duties_due or bool(order and order.duties and order.duties.status == "unpaid")
        kind = notice_for(change.before, change.after, duties_due, self.policy)
        if kind is not None:
            self.notifier.notify(kind, order_id=change.order_id, customer_id=change.customer_id,
                                 tracking_number=upd.tracking_number, values=self._values(change, upd))
        return change

    def _values(self, change: ShipmentChange, upd: TrackingUpdate) -> dict[str, Any]:
        order = self.services.store.get_order(change.order_id)
        duties = order.duties if order and order.duties and order.duties.amount else None
        detail = upd.events[-1].description if upd.events and upd.events[-1].description else (upd.detail or "")
        return {"amount": Money(duties.amount, duties.currency) if duties else "—", "detail": detail, "days": ""}

    # -- stalls ------------------------------------------------------------------------------------------------
    def stalled(self, now: datetime | None = None) -> list[tuple[OpenShipment, int]]:
        """Open parcels with no scan for longer than their route allows, with the days since the last scan."""
        now = now or self.services.clock.now()
        origin = origin_country(self.services.policy.store.origin_warehouse)
        out = []
        for s in self.services.store.open_shipments():
            if s.last_event_at is None or s.status == "label_created":
                continue
            days = (now - s.last_event_at).days
            if days >= self.policy.stalled_after(origin, s.country):
                out.append((s, days))
        return sorted(out, key=lambda x: -x[1])

    def notify_stalled(self) -> int:
        sent = 0
        if "stalled" not in self.policy.notify:
            return 0
        for s, days in self.stalled():
            sent += self.notifier.notify("stalled", order_id=s.order_id, customer_id=s.customer_id,
                                         tracking_number=s.tracking_number,
                                         values={"days": days, "amount": "", "detail": ""})
        return sent


def origin_country(warehouse: str) -> str | None:
    """"Shenzhen, CN" → "CN"."""
    tail = warehouse.rsplit(",", 1)[-1].strip()
    return tail if len(tail) == 2 and tail.isalpha() else None
