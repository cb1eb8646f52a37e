"""Persist return/exchange drafts idempotently and move them through approval."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from assistant.audit import Actor, as_actor
from assistant.returns import label_links
from assistant.runtime import Services
from assistant.storage import schema as t

STATUSES = ("approved", "awaiting_approval", "rejected", "refunded")


class ReturnStateError(ValueError):
    def __init__(self, message: str, row: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.row = row  # the return as it is now (for a 409 that shows the current state)


@dataclass(frozen=True)
class Draft:
    kind: str  # return | exchange
    session_id: str
    order_id: str
    customer_id: str
    country: str
    items: list[dict[str, Any]]  # [{sku, quantity}]
    reason: str
    eligible: bool
    reason_code: str
    refund_amount: float
    currency: str
    refund_method: str
    return_required: bool
    fee: float
    hub: str | None
    status: str
    detail: dict[str, Any]

    def idem_key(self) -> str:
        items = ",".join(f"{i['sku']}x{i['quantity']}" for i in sorted(self.items, key=lambda i: i["sku"]))
        raw = f"{self.kind}|{self.session_id}|{self.order_id}|{items}"
        return hashlib.sha256(raw.encode()).hexdigest()[:32]

    def rma_id(self) -> str:
        return f"RMA-{self.order_id}-{self.idem_key()[:6].upper()}"


class ItemsAlreadyReturned(Exception):
    """Some of the units a draft asks for are held by another return or exchange."""

    def __init__(self, holder: dict[str, Any]) -> None:
        super().__init__(f"already held by {holder['rma_id']}")
        self.holder = holder


class ReturnService:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.engine = services.engine

    def create(self, draft: Draft, ordered: dict[str, int]) -> tuple[dict[str, Any], bool]:
        """Insert the draft once and reserve its units (ordered: quantity of each sku in the order), in one
        transaction. The same session, order and items give back the same RMA: (row, False). Units already held
        by another return raise ItemsAlreadyReturned with that return."""
        key = draft.idem_key()
        for _ in range(3):  # a concurrent confirmation can take the units between our read and our insert
            existing = self.by_key(key)
            if existing:
                return existing, False
            now = self.services.clock.now()
            row = {**draft.__dict__, "rma_id": draft.rma_id(), "idem_key": key, "created_at": now,
                   "updated_at": now}
            try:
                with self.engine.begin() as conn:
                    units = self._free_units(conn, draft, ordered)
                    conn.execute(insert(t.returns).values(**row))
                    conn.execute(insert(t.return_units), [
                        {"order_id": draft.order_id, "sku": sku, "unit": u, "rma_id": row["rma_id"]}
                        for sku, taken in units.items() for u in taken])
            except IntegrityError:
                continue
            return self.get(row["rma_id"]) or row, True
        again = self.by_key(key)
        if again is None:
            raise RuntimeError(f"could not reserve the units of {draft.rma_id()}")
        return again, False

    def _free_units(self, conn: Connection, draft: Draft, ordered: dict[str, int]) -> dict[str, list[int]]:
        held = self._held(conn, draft.order_id)
        out: dict[str, list[int]] = {}
        for item in draft.items:
            sku, qty = item["sku"], int(item["quantity"])
            free = [u for u in range(1, ordered.get(sku, 0) + 1) if u not in held.get(sku, {})]
            if len(free) < qty:
                holder = next(iter(held.get(sku, {}).values()), None)
                row = self.get(holder) if holder else None
                if row is None:
                    raise ValueError(f"{sku}: {qty} asked, {ordered.get(sku, 0)} ordered")
                raise ItemsAlreadyReturned(row)
            out[sku] = free[:qty]
        return out

    @staticmethod
    def _held(conn: Connection, order_id: str) -> dict[str, dict[int, str]]:
        """sku -> {unit: rma_id} for the units of an order that returns and exchanges hold."""
        held: dict[str, dict[int, str]] = {}
        for sku, unit, rma in conn.execute(select(t.return_units.c.sku, t.return_units.c.unit, t.return_units.c.rma_id)
                                           .where(t.return_units.c.order_id == order_id)):
            held.setdefault(sku, {})[unit] = rma
        return held

    def remaining(self, order_id: str, ordered: dict[str, int]) -> dict[str, int]:
        """How many units of each sku no return or exchange holds yet."""
        with self.engine.connect() as conn:
            held = self._held(conn, order_id)
        return {sku: max(0, qty - len(held.get(sku, {}))) for sku, qty in ordered.items()}

    def holder(self, order_id: str, sku: str) -> dict[str, Any] | None:
        """A return or exchange that holds units of this sku, newest first."""
        with self.engine.connect() as conn:
            rma = conn.scalar(select(t.return_units.c.rma_id).where(t.return_units.c.order_id == order_id)
                              .where(t.return_units.c.sku == sku).order_by(t.return_units.c.unit.desc()))
        return self.get(rma) if rma else None

    def backfill_units(self) -> int:
        """Returns made before units were reserved hold their units too (an upgraded install); idempotent."""
        added = 0
        with self.engine.begin() as conn:
            holding = set(conn.scalars(select(t.return_units.c.rma_id).distinct()))
            rows = conn.execute(select(t.returns.c.rma_id, t.returns.c.order_id, t.returns.c["items"])
                                .where(t.returns.c.status != "rejected")).all()
            for rma_id, order_id, items in rows:
                if rma_id in holding:
                    continue
                held = self._held(conn, order_id)
                for item in items:
                    used = set(held.get(item["sku"], {}))
                    units = [u for u in range(1, 10_000) if u not in used][: int(item["quantity"])]
                    conn.execute(insert(t.return_units), [{"order_id": order_id, "sku": item["sku"], "unit": u,
                                                           "rma_id": rma_id} for u in units])
                    added += len(units)
        return added

    def by_key(self, key: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.returns).where(t.returns.c.idem_key == key)).mappings().first()
        return dict(row) if row else None

    def get(self, rma_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.returns).where(t.returns.c.rma_id == rma_id)).mappings().first()
        return dict(row) if row else None

    def for_customer(self, customer_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.returns).where(t.returns.c.customer_id == customer_id)
                                .order_by(t.returns.c.created_at.desc())).mappings().all()
        return [dict(r) for r in rows]

    def exchanges_for_order(self, order_id: str) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(t.returns)
                                   .where(t.returns.c.order_id == order_id).where(t.returns.c.kind == "exchange")
                                   .where(t.returns.c.status != "rejected")) or 0)

    def decide(self, rma_id: str, approve: bool, staff: Actor | str) -> dict[str, Any]:
        """Approve or reject a return awaiting approval. The update is conditional on that state, so of two staff
        deciding at once exactly one wins; the other gets ReturnStateError with the current state. A rejection
        releases the items' units."""
        status = "approved" if approve else "rejected"
        actor = as_actor(staff)
        with self.engine.begin() as conn:
            done = conn.execute(update(t.returns).where(t.returns.c.rma_id == rma_id)
                                .where(t.returns.c.status == "awaiting_approval")
                                .values(status=status, decided_by=actor.shown, updated_at=self.services.clock.now()))
            if done.rowcount == 1:
                if not approve:
                    conn.execute(delete(t.return_units).where(t.return_units.c.rma_id == rma_id))
                self.services.audit.record(actor, f"return.{'approve' if approve else 'reject'}", rma_id, conn=conn)
        row = self.get(rma_id)
        if row is None:
            raise KeyError(rma_id)
        if done.rowcount != 1:
            raise ReturnStateError(f"return {rma_id} is {row['status']}, not awaiting approval", row)
        return row

    def label_url(self, rma_id: str) -> str:
        return label_links.label_url(self.services.settings.widget_secret, rma_id, self.services.clock.now(),
                                     self.services.policy.returns.label_link_days)

    def label_link_valid(self, rma_id: str, expires: int, sig: str) -> bool:
        return label_links.valid(self.services.settings.widget_secret, rma_id, expires, sig,
                                 self.services.clock.now())

    def reason_stats(self, since: Any = None) -> list[dict[str, Any]]:
        """Return reasons by product and country, for analytics."""
        cols = t.returns.c
        query = select(cols.reason, cols.country, cols["items"]).where(cols.kind == "return")
        if since is not None:
            query = query.where(t.returns.c.created_at >= since)
        counts: dict[tuple[str, str, str], int] = {}
        with self.engine.connect() as conn:
            for reason, country, items in conn.execute(query):
                for item in items:
                    key = (reason or "", item["sku"], country or "")
                    counts[key] = counts.get(key, 0) + 1
        return [{"reason": r, "sku": s, "country": c, "count": n}
                for (r, s, c), n in sorted(counts.items(), key=lambda kv: -kv[1])]
