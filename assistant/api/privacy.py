"""Privacy endpoints: data-subject requests, export and erasure (scope `privacy`), and the signed download of a
fulfilled access request for the shopper who asked."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, model_validator

from assistant.api.deps import PrivacyActor, ServicesDep
from assistant.api.errors import ApiError
from assistant.audit import Actor
from assistant.privacy import links
from assistant.privacy.export import export as export_doc
from assistant.privacy.requests import PrivacyError
from assistant.privacy.subject import SubjectNotFound

router = APIRouter(prefix="/v1/privacy", tags=["privacy"])


class PersonIn(BaseModel):
    customer_id: str | None = Field(default=None, min_length=1, max_length=64)
    email: str | None = Field(default=None, min_length=3, max_length=320)

    @model_validator(mode="after")
    def _one(self) -> PersonIn:
        if not self.customer_id and not self.email:
            raise ValueError("give customer_id or email")
        return self


class EraseIn(PersonIn):
    confirm: Literal[True] = Field(description="Erasure cannot be undone: send true to confirm.")


class DecisionIn(BaseModel):
    note: str = Field(default="", max_length=2000, description="What was done; for a refusal, the reason the "
                                                                "person is told (required).")


def _json(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


@router.get("/requests")
def list_requests(services: ServicesDep, _: PrivacyActor,
                  state: Literal["open", "fulfilled", "refused"] | None = None) -> dict[str, Any]:
    return {"requests": [_json(r) for r in services.privacy.list(state)]}


def _decide(services: Any, request_id: str, fulfil: bool, actor: Actor, note: str) -> dict[str, Any]:
    try:
        return _json(services.privacy.decide(request_id, fulfil, actor, note))
    except KeyError:
        raise ApiError(404, "not_found", f"privacy request {request_id} not found") from None
    except PrivacyError as exc:
        raise ApiError(409 if exc.row else 422, "conflict" if exc.row else "invalid_request", str(exc),
                       current=_json(exc.row) if exc.row else None) from None


@router.post("/requests/{request_id}/fulfil")
def fulfil(request_id: str, body: DecisionIn, services: ServicesDep, actor: PrivacyActor) -> dict[str, Any]:
    """Fulfil: an erasure request erases the person now; an access request sends the shopper a download link."""
    return _decide(services, request_id, True, actor, body.note)


@router.post("/requests/{request_id}/refuse")
def refuse(request_id: str, body: DecisionIn, services: ServicesDep, actor: PrivacyActor) -> dict[str, Any]:
    return _decide(services, request_id, False, actor, body.note)


def _for_person(action: Any, body: PersonIn, actor: Actor) -> dict[str, Any]:
    try:
        return action(actor, customer_id=body.customer_id, email=body.email)  # type: ignore[no-any-return]
    except SubjectNotFound as exc:
        raise ApiError(404, "not_found", str(exc)) from None


@router.post("/export")
def export(body: PersonIn, services: ServicesDep, actor: PrivacyActor) -> dict[str, Any]:
    return _for_person(services.privacy.export, body, actor)


@router.post("/erase")
def erase(body: EraseIn, services: ServicesDep, actor: PrivacyActor) -> dict[str, Any]:
    return _for_person(services.privacy.erase, body, actor)


@router.get("/exports/{request_id}.json")
def download(request_id: str, services: ServicesDep, sig: str = Query(default="", max_length=64),
             exp: int = Query(default=0, ge=0, le=2**40)) -> dict[str, Any]:
    """The shopper's own export, from the link sent in their chat: signed, expiring, only once fulfilled."""
    if not links.valid(services.settings.widget_secret, request_id, exp, sig, services.clock.now()):
        raise ApiError(404, "not_found", "export not found (the link is wrong or has expired)")
    row = services.privacy.get(request_id)
    if row is None or row["kind"] != "data_request" or row["state"] != "fulfilled":
        raise ApiError(404, "not_found", "export not found")
    with services.engine.begin() as conn:
        try:
            doc = export_doc(conn, services.privacy.subject(conn, row), services.clock.now())
        except SubjectNotFound:
            raise ApiError(404, "not_found", "nothing is held about this person any more") from None
        services.audit.record(Actor(f"shopper:{row['customer_id']}", "api"), "privacy.download", request_id,
                              conn=conn)
    return doc
