"""Admin endpoints (scope `admin`): the audit log and reloading the policy and the knowledge base."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query

from assistant.api.deps import AdminActor, ServicesDep
from assistant.api.errors import ApiError
from assistant.policy.config import PolicyError, load_policy

router = APIRouter(prefix="/v1", tags=["admin"])


@router.get("/audit")
def audit(services: ServicesDep, _: AdminActor, since: datetime | None = None,
          actor: str | None = Query(default=None, max_length=160),
          action: str | None = Query(default=None, max_length=48),
          target: str | None = Query(default=None, max_length=120),
          limit: int = Query(default=500, ge=1, le=5000)) -> dict[str, Any]:
    if since is not None and since.tzinfo is None:
        raise ApiError(422, "invalid_request", "since needs a UTC offset (2026-12-01T00:00:00Z)")
    rows = services.audit.entries(since=since, actor=actor, action=action, target=target, limit=limit)
    return {"entries": [{**r, "at": r["at"].isoformat()} for r in rows]}


@router.post("/admin/reload")
def reload(services: ServicesDep, actor: AdminActor) -> dict[str, Any]:
    """Read the policy file again (a broken one is refused and the running policy kept) and reopen the knowledge
    base, so a `portside kb ingest` run elsewhere is served."""
    try:
        policy = load_policy(services.settings.policy_file)
    except PolicyError as exc:
        raise ApiError(422, "invalid_policy", str(exc)) from None
    services.__dict__["policy"] = policy
    services.__dict__.pop("kb", None)
    chunks = services.kb.stats().chunks
    services.audit.record(actor, "policy.reload", str(services.settings.policy_file or "built-in"))
    services.audit.record(actor, "kb.reload", None, chunks=chunks)
    return {"policy": str(services.settings.policy_file or "built-in"), "kb_chunks": chunks}
