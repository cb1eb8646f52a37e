"""A faithful fake of the Shopify Admin GraphQL API (2025-10) for connector tests."""

from __future__ import annotations

from .server import ALL_SCOPES, API_VERSION, DEFAULT_TOKEN, FakeShopify
from .webhooks import sign as sign_webhook
from .webhooks import verify as verify_webhook

__all__ = ["ALL_SCOPES", "API_VERSION", "DEFAULT_TOKEN", "FakeShopify", "sign_webhook", "verify_webhook"]
