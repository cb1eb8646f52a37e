"""Webhooks from the store platform: stored before anything acts on them, deduped by the platform's delivery id,
then applied through the outbox (so a failure is retried with back-off and never lost).

An order, fulfillment, return or refund topic means "this order changed": the order is read again from the
platform and mirrored (the webhook body itself may be older than a later delivery, so it is not trusted for
state). A privacy topic becomes a privacy request with its legal deadline, in the same transaction as the
delivery itself.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from assistant.audit import Actor
from assistant.runtime import Services
from assistant.storage import schema as t
from assistant.storage.outbox import GiveUp, enqueue
from connectors.platforms.base import PlatformWebhook
from connectors.writes import PlatformRejected

TOPIC = "platform.webhook"
log = logging.getLogger("portside.platform")


def install(services: Services) -> None:
    services.outbox.handler(TOPIC, lambda payload: apply(services, payload))


def ingest(services: Services, hook: PlatformWebhook, body: bytes, headers: dict[str, str]) -> str | None:
    """Store a verified delivery once. Returns the outbox key of the work it needs, None for a replay (or for a
    delivery that needs no further work)."""
    platform = services.store.name
    now = services.clock.now()
    key = f"{TOPIC}:{platform}:{hook.webhook_id}"
    email = str(hook.privacy.get("email") or "") if hook.privacy else ""
    known = services.store.customer_by_email(email) if email else None  # for the deadline of their country
    try:
        with services.engine.begin() as conn:
            row_id = conn.execute(insert(t.inbound_webhooks).values(
                source=platform, dedupe_key=f"{platform}:{hook.webhook_id}"[:200], topic=hook.topic[:64],
                payload=body.decode("utf-8", "replace"), headers=headers, received_at=now,
                processed_at=None if hook.kind == "order" else now)).inserted_primary_key[0]  # type: ignore[index]
            if hook.kind == "privacy" and hook.privacy is not None:
                services.privacy.open(
                    conn, source=platform, kind=str(hook.privacy["kind"]), actor=Actor(platform, "webhook"),
                    country=known.country if known else None, customer_id=known.id if known else None,
                    customer_ref=_str(hook.privacy.get("customer_ref")), email=email or None,
                    order_ids=[str(o) for o in hook.privacy.get("order_ids") or []],  # type: ignore[attr-defined]
                    payload=dict(hook.privacy.get("payload") or {}))  # type: ignore[call-overload]
            if hook.kind == "order":
                enqueue(conn, TOPIC, key, {"row": row_id, "remote_order_id": hook.remote_order_id})
    except IntegrityError:
        return None
    return key if hook.kind == "order" else None


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def apply(services: Services, payload: dict[str, Any]) -> None:
    """Read the order the delivery names and mirror it; mark the stored delivery processed."""
    store = services.store
    try:
        fetched = store.platform.fetch_remote(str(payload["remote_order_id"]))  # type: ignore[attr-defined]
    except PlatformRejected as exc:  # deleted order, revoked scope: nothing a retry would change
        _mark(services, payload["row"], error=str(exc))
        raise GiveUp(str(exc)) from None
    if fetched is not None and fetched.remote_ids:
        store.mirror(fetched)  # type: ignore[attr-defined]
    _mark(services, payload["row"], error=None)
    services.metrics.incr("platform_webhooks_applied")


def _mark(services: Services, row_id: int, error: str | None) -> None:
    with services.engine.begin() as conn:
        conn.execute(update(t.inbound_webhooks).where(t.inbound_webhooks.c.id == row_id).values(
            processed_at=services.clock.now(), error=error and error[:2000]))
