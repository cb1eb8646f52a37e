"""Staff API (bearer staff token with scopes): handoffs and return approvals."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from assistant.api.deps import ActActor, ApproveActor, ReadActor, ServicesDep
from assistant.api.errors import ApiError
from assistant.audit import Actor
from assistant.handoffs.service import HandoffError
from assistant.returns.decisions import decide_return
from assistant.returns.label import render_label
from assistant.returns.service import ReturnStateError

router = APIRouter(prefix="/v1", tags=["staff"])
public = APIRouter(prefix="/v1", tags=["returns"])


class StaffIn(BaseModel):
    staff: str | None = Field(default=None, min_length=1, max_length=120, description=(
        "How the person acting is shown to colleagues and the shopper; the token's name when absent. The audit "
        "log records the token's name either way."))


def _as(actor: Actor, body: StaffIn) -> Actor:
    return replace(actor, display=body.staff) if body.staff else actor


class ReplyIn(StaffIn):
    text: str = Field(min_length=1, max_length=4000)


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items() if k != "packet"}


def _full(row: dict[str, Any]) -> dict[str, Any]:
    return {**_summary(row), "packet": row["packet"]}


@router.get("/handoffs")
def list_handoffs(services: ServicesDep, _: ReadActor, state: str | None = Query(default=None)) -> dict[str, Any]:
    try:
        rows = services.handoffs.list(state)
    except HandoffError as exc:
        raise ApiError(422, "invalid_request", str(exc)) from None
    return {"handoffs": [_summary(r) for r in rows]}


@router.get("/handoffs/{handoff_id}")
def get_handoff(handoff_id: str, services: ServicesDep, _: ReadActor) -> dict[str, Any]:
    row = services.handoffs.get(handoff_id)
    if row is None:
        raise ApiError(404, "not_found", f"handoff {handoff_id} not found")
    return _full(row)


def _act(services: Any, handoff_id: str, fn: Any) -> dict[str, Any]:
    try:
        return fn()
    except KeyError:
        raise ApiError(404, "not_found", f"handoff {handoff_id} not found") from None
    except HandoffError as exc:
        raise ApiError(409, "conflict", str(exc)) from None


@router.post("/handoffs/{handoff_id}/claim")
def claim(handoff_id: str, body: StaffIn, services: ServicesDep, actor: ActActor) -> dict[str, Any]:
    return _summary(_act(services, handoff_id, lambda: services.handoffs.claim(handoff_id, _as(actor, body))))


@router.post("/handoffs/{handoff_id}/reply")
def reply(handoff_id: str, body: ReplyIn, services: ServicesDep, actor: ActActor) -> dict[str, Any]:
    return _act(services, handoff_id, lambda: services.handoffs.reply(handoff_id, _as(actor, body), body.text))


@router.post("/handoffs/{handoff_id}/resolve")
def resolve(handoff_id: str, body: StaffIn, services: ServicesDep, actor: ActActor) -> dict[str, Any]:
    return _summary(_act(services, handoff_id, lambda: services.handoffs.resolve(handoff_id, _as(actor, body))))


def _decide(rma_id: str, approve: bool, staff: Actor, services: Any) -> dict[str, Any]:
    try:
        row = decide_return(services, rma_id, approve, staff)
    except KeyError:
        raise ApiError(404, "not_found", f"return {rma_id} not found") from None
    except ReturnStateError as exc:
        raise ApiError(409, "conflict", str(exc), current=_summary(exc.row) if exc.row else None) from None
    out = _summary(row)
    if "platform" in row:  # what Shopify/WooCommerce made of the decision: done, queued for retry, or refused
        out["platform"] = row["platform"]
    if row["status"] == "approved" and row["return_required"]:
        out["label_url"] = services.returns.label_url(rma_id)
    return out


@router.post("/returns/{rma_id}/approve")
def approve(rma_id: str, body: StaffIn, services: ServicesDep, actor: ApproveActor) -> dict[str, Any]:
    return _decide(rma_id, True, _as(actor, body), services)


@router.post("/returns/{rma_id}/reject")
def reject(rma_id: str, body: StaffIn, services: ServicesDep, actor: ApproveActor) -> dict[str, Any]:
    return _decide(rma_id, False, _as(actor, body), services)


@public.get("/returns/{rma_id}/label.pdf", response_class=Response)
def label(rma_id: str, services: ServicesDep, sig: str = Query(default="", max_length=64),
          exp: int = Query(default=0, ge=0, le=2**40)) -> Response:
    """The printable label; the link in the chat reply carries a signature and an expiry, so only that shopper has
    it, and only for the policy's label_link_days."""
    if not services.returns.label_link_valid(rma_id, exp, sig):
        raise ApiError(404, "not_found", "label not found (the link is wrong or has expired)")
    row = services.returns.get(rma_id)
    if row is None or row["status"] != "approved" or not row["return_required"]:
        raise ApiError(404, "not_found", "label not found (the return is not approved or needs no shipping)")
    order = services.store.get_order(row["order_id"])
    if order is None:
        raise ApiError(404, "not_found", "order not found")
    hub = services.policy.returns.hubs.get(row["hub"] or "")
    ship_to = f"{hub.name}, {hub.address}" if hub else f"Portside Returns, {services.policy.store.origin_warehouse}"
    pdf = render_label(row, order, ship_to)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{rma_id}.pdf"'})
