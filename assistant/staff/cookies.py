"""A browser session for the staff dashboard: after a token is pasted once, a cookie carries the token's hash with an
expiry, signed. Every request looks the hash up again, so revoking the token ends the session. The cookie is
HttpOnly and SameSite=Strict, and it is accepted only for reading (GET), so a forged cross-site POST gets nothing."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

NAME = "portside_staff"
HOURS = 12


def _sign(secret: str, digest: str, expires: int) -> str:
    return hmac.new(secret.encode(), f"staff-session:{digest}:{expires}".encode(), hashlib.sha256).hexdigest()


def issue(secret: str, token: str, now: datetime) -> str:
    digest = hashlib.sha256(token.encode()).hexdigest()
    expires = int(now.timestamp()) + HOURS * 3600
    return f"{digest}.{expires}.{_sign(secret, digest, expires)}"


def verify(secret: str, value: str, now: datetime) -> str | None:
    """The token hash the cookie carries, or None when it is forged, malformed or expired."""
    parts = value.split(".")
    if len(parts) != 3 or not parts[1].isdigit() or len(parts[1]) > 12:
        return None
    digest, expires, sig = parts[0], int(parts[1]), parts[2]
    if expires < now.timestamp() or not hmac.compare_digest(_sign(secret, digest, expires), sig):
        return None
    return digest
