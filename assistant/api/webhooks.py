"""Inbound webhooks from trackers: signature checked, stored before anything acts on it, replays are no-ops."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from assistant.api.errors import ApiError
from connectors.tracking.models import InvalidSignature, TrackerError

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
SIGNATURE_HEADERS = {"aftership-hmac-sha256", "sign", "content-type"}  # kept to parse a stored delivery again


@router.post("/{provider}")
async def tracker_webhook(provider: str, request: Request) -> dict[str, Any]:
    """AfterShip (`/webhooks/aftership`) or 17TRACK (`/webhooks/17track`) tracking updates."""
    tracking = request.app.state.services.tracking
    tracker = tracking.tracker
    if tracker is None or tracker.name != provider:
        raise ApiError(404, "not_found", f"no {provider} tracker is configured (PORTSIDE_TRACKING)")
    body = await request.body()
    try:
        updates = await run_in_threadpool(tracker.parse_webhook, body, dict(request.headers))
    except InvalidSignature:
        raise ApiError(401, "unauthorized", "webhook signature does not match") from None
    except (TrackerError, ValueError, KeyError, TypeError) as exc:
        raise ApiError(400, "bad_request", f"not a {provider} tracking webhook: {exc}"[:300]) from None
    # The same body again (a provider retry or a replay) is the same delivery: stored once, acted on once.
    key = f"{provider}:{hashlib.sha256(body).hexdigest()}"
    kept = {k: v for k, v in request.headers.items() if k.lower() in SIGNATURE_HEADERS}
    new = await run_in_threadpool(tracking.ingest, provider, key, "tracking", body.decode("utf-8", "replace"),
                                  updates, kept)
    return {"ok": True, "updates": len(updates), "duplicate": not new}
