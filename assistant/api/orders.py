"""Staff-only order endpoints."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from assistant.api.deps import ReadActor, ServicesDep
from assistant.api.errors import ApiError

router = APIRouter(prefix="/v1", tags=["staff"])


@router.get("/orders/{order_id}")
def get_order(order_id: str, services: ServicesDep, _: ReadActor) -> dict[str, Any]:
    order = services.store.get_order(order_id)
    if order is None:
        raise ApiError(404, "not_found", f"order {order_id} not found")
    return order.model_dump(mode="json")
