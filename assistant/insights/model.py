"""The insights report as typed models: what GET /v1/insights returns and the HTML report draws."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class Filters(BaseModel):
    since: datetime
    until: datetime
    language: str | None = Field(default=None, description="Only conversations in this language.")
    country: str | None = Field(default=None, description="Only shoppers in this country (ISO 3166-1 alpha-2).")
    channel: str | None = Field(default=None, description="Only conversations from this client (web, cli, …).")


class ConversationStats(BaseModel):
    conversations: int
    automated_resolution: float | None = Field(description=(
        "Share of conversations closed without a handoff and not reopened by the same shopper within 72 h."))
    handoff_rate: float | None
    handoffs_by_reason: dict[str, int]
    median_first_response_minutes: float | None = Field(description="Business-hours minutes to the first staff reply.")
    median_resolution_minutes: float | None = Field(description="Business-hours minutes from handoff to resolved.")
    csat_by_language: dict[str, float]
    csat_by_intent: dict[str, float]
    csat_ratings: int


class ReturnStats(BaseModel):
    returns: int
    by_reason_product: dict[str, dict[str, int]] = Field(description="reason → SKU → count")
    by_reason_country: dict[str, dict[str, int]] = Field(description="reason → destination country → count")
    refund_value_usd: float
    refund_without_return_share: float | None
    median_approval_hours: float | None = Field(description="Staff-approved returns: hours from draft to decision.")


class GapSample(BaseModel):
    text: str
    language: str | None


class Gap(BaseModel):
    """Questions the assistant could not answer or answered unsure, grouped by meaning."""

    count: int
    samples: list[GapSample]
    gloss: str | None = Field(description="An English wording of the question: a shopper's own, or translated by "
                                          "the configured language model (gloss_source).")
    gloss_source: Literal["shopper", "translation"] | None = None
    closest_card: str | None
    closest_card_url: str | None


class Series(BaseModel):
    days: list[str]
    counts: dict[str, list[int]] = Field(description="key (intent or language) → count per day")


class Insights(BaseModel):
    filters: Filters
    conversations: ConversationStats
    returns: ReturnStats
    gaps: list[Gap]
    intents_over_time: Series
    languages_over_time: Series
