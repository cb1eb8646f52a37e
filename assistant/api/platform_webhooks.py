"""Inbound webhooks from the store platform: `POST /webhooks/shopify`, `POST /webhooks/woocommerce`.

The signature is checked against the raw body (401 when it does not match), the delivery is stored and deduped
by the platform's id before anything acts on it (a replay answers 200 and does nothing), and the work it needs
runs right after the answer, through the outbox."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.concurrency import run_in_threadpool

from assistant.api.errors import ApiError
from assistant.platform import webhooks as platform_webhooks
from connectors.platforms.base import BadSignature, InvalidWebhook

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
KEPT_HEADERS = ("x-shopify-", "x-wc-webhook-", "content-type")  # what parsing a stored delivery again needs


async def _receive(name: str, request: Request, background: BackgroundTasks) -> dict[str, Any]:
    services = request.app.state.services
    if services.settings.store != name:
        raise ApiError(404, "not_found", f"this server's store is not {name} (PORTSIDE_STORE)")
    body = await request.body()
    try:
        hook = services.platform.parse_webhook(body, dict(request.headers))
    except BadSignature as exc:
        raise ApiError(401, "unauthorized", f"webhook signature does not match: {exc}") from None
    except InvalidWebhook as exc:
        raise ApiError(400, "bad_request", f"not a {name} webhook: {exc}"[:300]) from None
    if hook.kind == "ping":  # sent when a webhook is saved in the admin: it must get a 2xx, there is nothing in it
        return {"ok": True, "topic": "ping", "duplicate": False}
    headers = {k: v for k, v in request.headers.items() if k.lower().startswith(KEPT_HEADERS)}
    key = await run_in_threadpool(platform_webhooks.ingest, services, hook, body, headers)
    if key is not None:
        background.add_task(run_in_threadpool, services.outbox.deliver_now, key)
    return {"ok": True, "topic": hook.topic, "duplicate": key is None and hook.kind == "order"}


@router.post("/shopify")
async def shopify_webhook(request: Request, background: BackgroundTasks) -> dict[str, Any]:
    """Shopify webhooks (orders/*, fulfillments/*, returns/*, refunds/create and the mandatory privacy topics),
    signed with X-Shopify-Hmac-Sha256."""
    return await _receive("shopify", request, background)


@router.post("/woocommerce")
async def woocommerce_webhook(request: Request, background: BackgroundTasks) -> dict[str, Any]:
    """WooCommerce webhooks (order.created/updated/deleted…), signed with X-WC-Webhook-Signature."""
    return await _receive("woocommerce", request, background)
