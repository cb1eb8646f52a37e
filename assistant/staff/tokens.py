"""Named staff tokens with scopes. Only a SHA-256 of each token is stored (tokens are 256-bit random, so a fast hash
is enough); a revoked token stays on record. The legacy single PORTSIDE_STAFF_TOKEN keeps working as an admin token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, insert, or_, select, update

from assistant.audit import Actor
from assistant.clock import Clock
from assistant.storage import schema as t

SCOPES = ("read", "act", "approve", "privacy", "admin")
SCOPE_HELP = {
    "read": "list and read handoffs and orders",
    "act": "claim, reply to and resolve handoffs",
    "approve": "approve or reject returns",
    "privacy": "export and erase a person's data, decide privacy requests",
    "admin": "everything, including the audit log and reloads",
}
LEGACY_NAME = "admin-token"


class TokenError(ValueError):
    pass


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def parse_scopes(raw: list[str] | str) -> list[str]:
    items = raw.split(",") if isinstance(raw, str) else [p for r in raw for p in r.split(",")]
    scopes = sorted({s.strip().lower() for s in items if s.strip()})
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise TokenError(f"unknown scope {', '.join(unknown)}; choose from {', '.join(SCOPES)}" if unknown
                         else f"give at least one scope: {', '.join(SCOPES)}")
    return scopes


class StaffTokens:
    def __init__(self, engine: Engine, clock: Clock, legacy_token: Callable[[], str] = str) -> None:
        self.engine = engine
        self.clock = clock
        self.legacy_token = legacy_token  # read on each request: the setting may change while running

    def create(self, name: str, scopes: list[str], created_by: str) -> tuple[dict[str, Any], str]:
        name = name.strip()
        if not name or len(name) > 120:
            raise TokenError("a token needs a name of 1 to 120 characters")
        token = "pst_" + secrets.token_urlsafe(32)
        row = {"id": "st_" + secrets.token_hex(6), "name": name, "secret_hash": _digest(token),
               "scopes": parse_scopes(scopes), "created_at": self.clock.now(), "created_by": created_by}
        with self.engine.begin() as conn:
            conn.execute(insert(t.staff_tokens).values(**row))
        return self._public(row), token

    def revoke(self, ref: str) -> list[dict[str, Any]]:
        """Revoke the token with this id, or every live token with this name."""
        c = t.staff_tokens.c
        with self.engine.begin() as conn:
            rows = [dict(r) for r in conn.execute(select(t.staff_tokens).where(or_(c.id == ref, c.name == ref))
                                                  .where(c.revoked_at.is_(None))).mappings()]
            if rows:
                conn.execute(update(t.staff_tokens).where(c.id.in_([r["id"] for r in rows]))
                             .values(revoked_at=self.clock.now()))
        if not rows:
            raise TokenError(f"no live token with id or name {ref!r}")
        return [self._public(r) for r in rows]

    def list(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.staff_tokens).order_by(t.staff_tokens.c.created_at)).mappings()
            return [self._public(dict(r)) for r in rows]

    def authenticate(self, token: str) -> Actor | None:
        if not token:
            return None
        legacy = self.legacy_token()
        if legacy and hmac.compare_digest(token.encode(), legacy.encode()):
            return Actor(LEGACY_NAME, "api", frozenset({"admin"}))
        return self.by_digest(_digest(token))

    def by_digest(self, digest: str) -> Actor | None:
        """The live token with this SHA-256 (a dashboard session carries the hash, never the token)."""
        legacy = self.legacy_token()
        if legacy and hmac.compare_digest(digest.encode(), _digest(legacy).encode()):
            return Actor(LEGACY_NAME, "api", frozenset({"admin"}))
        c = t.staff_tokens.c
        with self.engine.begin() as conn:
            row = conn.execute(select(c.id, c.name, c.scopes).where(c.secret_hash == digest)
                               .where(c.revoked_at.is_(None))).first()
            if row is None:
                return None
            conn.execute(update(t.staff_tokens).where(c.id == row.id).values(last_used_at=self.clock.now()))
        return Actor(str(row.name), "api", frozenset(row.scopes))

    @staticmethod
    def _public(row: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in row.items() if k != "secret_hash"}
