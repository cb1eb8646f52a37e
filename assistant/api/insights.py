"""GET /v1/insights: the support numbers for a period as JSON (scope `read`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from assistant.api.deps import ReadActor, ServicesDep
from assistant.api.errors import ApiError
from assistant.insights.compute import compute
from assistant.insights.model import Filters
from assistant.insights.period import BadPeriod, parse_when

router = APIRouter(prefix="/v1", tags=["insights"])


@router.get("/insights")
def insights(services: ServicesDep, _: ReadActor,
             since: str = Query(default="7d", max_length=40, description="7d, 12h, 2w or an ISO date/time."),
             until: str | None = Query(default=None, max_length=40),
             language: str | None = Query(default=None, max_length=8),
             country: str | None = Query(default=None, min_length=2, max_length=2),
             channel: str | None = Query(default=None, max_length=64),
             gaps: bool = Query(default=True, description="Cluster the knowledge gaps (embeds the questions).")
             ) -> dict[str, Any]:
    now = services.clock.now()
    try:
        filters = Filters(since=parse_when(since, now), until=parse_when(until, now) if until else now,
                          language=language, country=country, channel=channel)
    except BadPeriod as exc:
        raise ApiError(422, "invalid_request", str(exc)) from None
    if filters.until <= filters.since:
        raise ApiError(422, "invalid_request", "until must be after since")
    return compute(services, filters, gaps=gaps).model_dump(mode="json")  # type: ignore[no-any-return]
