"""Persist return/exchange drafts idempotently and move them through approval."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from assistant.runtime import Services
from assistant.storage import schema as t

STATUSES = ("approved", "awaiting_approval", "rejected", "refunded")


class ReturnStateError(ValueError):
    pass


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


class ReturnService:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.engine = services.engine

    def create(self, draft: Draft) -> tuple[dict[str, Any], bool]:
        """Insert the draft once; the same session, order and items give back the same RMA. (row, created)."""
        key = draft.idem_key()
        existing = self.by_key(key)
        if existing:
            return existing, False
        now = self.services.clock.now()
        row = {**draft.__dict__, "rma_id": draft.rma_id(), "idem_key": key, "created_at": now, "updated_at": now}
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(t.returns).values(**row))
        except IntegrityError:  # a concurrent confirmation won the race
            again = self.by_key(key)
            if again is None:
                raise
            return again, False
        return self.get(row["rma_id"]) or row, True

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

    def returned_skus(self, order_id: str) -> set[str]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.returns.c["items"]).where(t.returns.c.order_id == order_id)
                                .where(t.returns.c.kind == "return").where(t.returns.c.status != "rejected"))
            return {i["sku"] for (items,) in rows for i in items}

    def decide(self, rma_id: str, approve: bool, staff: str) -> dict[str, Any]:
        row = self.get(rma_id)
        if row is None:
            raise KeyError(rma_id)
        if row["status"] != "awaiting_approval":
            raise ReturnStateError(f"return {rma_id} is {row['status']}, not awaiting approval")
        with self.engine.begin() as conn:
            conn.execute(update(t.returns).where(t.returns.c.rma_id == rma_id).values(
                status="approved" if approve else "rejected", decided_by=staff,
                updated_at=self.services.clock.now()))
        return self.get(rma_id) or row

    def label_signature(self, rma_id: str) -> str:
        key = self.services.settings.widget_secret.encode()
        return hmac.new(key, f"label:{rma_id}".encode(), hashlib.sha256).hexdigest()[:32]

    def label_url(self, rma_id: str) -> str:
        return f"/v1/returns/{rma_id}/label.pdf?sig={self.label_signature(rma_id)}"

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
