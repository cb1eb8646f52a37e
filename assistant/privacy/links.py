"""Signed, expiring download links for a fulfilled access request, sent to the shopper who asked in the chat."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.runtime import Services

LINK_DAYS = 7


def signature(secret: str, request_id: str, expires: int) -> str:
    return hmac.new(secret.encode(), f"privacy-export:{request_id}:{expires}".encode(), hashlib.sha256).hexdigest()


def export_url(services: Services, request_id: str) -> str:
    expires = int(services.clock.now().timestamp()) + LINK_DAYS * 86400
    sig = signature(services.settings.widget_secret, request_id, expires)
    return f"/v1/privacy/exports/{request_id}.json?exp={expires}&sig={sig}"


def valid(secret: str, request_id: str, expires: int, sig: str, now: datetime) -> bool:
    return expires >= now.timestamp() and hmac.compare_digest(signature(secret, request_id, expires), sig)
