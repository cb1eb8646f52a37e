"""Signed, expiring links to a return label: the link in the chat is the only way to the PDF, and it stops working
after the policy's label_link_days. The signature covers the RMA id and the expiry, so neither can be edited."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta


def signature(secret: str, rma_id: str, expires: int) -> str:
    return hmac.new(secret.encode(), f"label:{rma_id}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]


def label_url(secret: str, rma_id: str, now: datetime, days: int) -> str:
    expires = int((now + timedelta(days=days)).timestamp())
    return f"/v1/returns/{rma_id}/label.pdf?exp={expires}&sig={signature(secret, rma_id, expires)}"


def valid(secret: str, rma_id: str, expires: int, sig: str, now: datetime) -> bool:
    """Signature matches and the link has not expired. Non-ASCII input is simply not a match (never an error)."""
    if not sig.isascii() or not rma_id.isascii():
        return False
    expected = signature(secret, rma_id, expires)
    return hmac.compare_digest(sig.encode(), expected.encode()) and now.timestamp() <= expires
