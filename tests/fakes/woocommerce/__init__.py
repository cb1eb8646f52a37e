"""A faithful fake of the WooCommerce REST API v3 and the Shipment Tracking extension, for tests.

with FakeWooCommerce() as shop:
    order = shop.add_order(status="processing", billing={"email": "ana@example.com"})
    url = sign_request("GET", f"{shop.api_url}orders/{order.id}", shop.consumer_key, shop.consumer_secret)
    httpx.get(url).json()["status"]  # "processing"
"""

from __future__ import annotations

from .oauth import sign_request
from .server import Call, FakeWooCommerce, webhook_signature

__all__ = ["Call", "FakeWooCommerce", "sign_request", "webhook_signature"]
