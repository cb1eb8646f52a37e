"""The policy file's schema. Loading validates it, so a typo in a store's policy fails at start-up."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

OfferableAction = Literal["cancel_order", "change_address", "exchange_request", "return_request"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreInfo(_Strict):
    name: str
    support_email: str
    privacy_email: str
    help_url: str
    origin_warehouse: str
    eu_warehouse: str | None = None


class Hub(_Strict):
    name: str
    address: str


class ReturnFees(_Strict):
    default: float
    by_country: dict[str, float] = Field(default_factory=dict)

    def for_country(self, country: str) -> float:
        return self.by_country.get(country, self.default)


class ReturnsPolicy(_Strict):
    window_days: int
    category_window_days: dict[str, int] = Field(default_factory=dict)
    defect_reasons: list[str]
    defect_window_days: int
    other_reasons: list[str]
    returnable_order_statuses: list[str]
    refund_without_return_max_usd: float
    auto_approve_max_usd: float
    cash_payment_methods: list[str]
    cash_refund_options: list[str]
    return_fee_usd: ReturnFees
    hubs: dict[str, Hub] = Field(default_factory=dict)
    label_link_days: int = Field(default=30, ge=1, description="How long a signed return-label link works.")


class ExchangePolicy(_Strict):
    same_product_only: bool = True
    max_per_order: int = 1
    returnable_order_statuses: list[str]


class StatusRule(_Strict):
    allowed_statuses: list[str]


class BusinessHours(_Strict):
    timezone: str = "UTC"
    days: list[str]
    start: str
    end: str


class HandoffPolicy(_Strict):
    business_hours: BusinessHours
    expected_wait_minutes: int = 15


STRONG_FACTOR_DEFAULT: tuple[OfferableAction, ...] = ("change_address",)


class VerificationPolicy(_Strict):
    """Guest verification (order number + the order's email or postal code). Failures are counted per order, per
    customer and per client address across sessions; reaching a limit locks that key, for longer each time."""

    max_failures_per_order: int = Field(default=3, ge=1)
    max_failures_per_customer: int = Field(default=5, ge=1)
    max_failures_per_client: int = Field(default=10, ge=1)
    lockout_minutes: int = Field(default=15, ge=1, description="First lockout; each further one doubles it.")
    max_lockout_hours: int = Field(default=24, ge=1)
    forget_after_hours: int = Field(default=24, ge=1, description="Failures older than this no longer count.")
    # A postal code is printed on every parcel: actions that redirect goods need the order's email (or a
    # storefront customer token).
    strong_factor_actions: list[OfferableAction] = Field(default_factory=lambda: list(STRONG_FACTOR_DEFAULT))


NoticeKind = Literal["customs_hold", "delivery_failed", "returned_to_sender", "lost", "stalled"]
NOTICE_KINDS: tuple[NoticeKind, ...] = ("customs_hold", "delivery_failed", "returned_to_sender", "lost", "stalled")
HANDOFF_NOTICES: tuple[NoticeKind, ...] = ("lost", "returned_to_sender")


class TrackingPolicy(_Strict):
    """Live parcel tracking: when a question refreshes from the tracker, what the shopper is told without asking,
    what goes to a person, and when a parcel counts as stuck."""

    refresh_after_minutes: int = Field(default=60, ge=1, description="Refresh when the last check is older.")
    refresh_budget_ms: int = Field(default=800, ge=50, description="How long a turn may wait for the tracker.")
    # Days without a scan before a parcel is stuck: "CN>BR" (origin>destination), "BR" (destination) or default.
    stalled_days: dict[str, int] = Field(default_factory=lambda: {"default": 7})
    notify: list[NoticeKind] = Field(default_factory=lambda: list(NOTICE_KINDS))
    handoff: list[NoticeKind] = Field(default_factory=lambda: list(HANDOFF_NOTICES))
    digest_hour_utc: int = Field(default=7, ge=0, le=23, description="When the daily stuck-parcel list is posted.")

    def stalled_after(self, origin: str | None, destination: str) -> int:
        for key in (f"{origin}>{destination}" if origin else None, destination):
            if key and key in self.stalled_days:
                return self.stalled_days[key]
        return self.stalled_days.get("default", 7)


class Policy(_Strict):
    store: StoreInfo
    fx_to_usd: dict[str, float]
    returns: ReturnsPolicy
    exchanges: ExchangePolicy
    cancellation: StatusRule
    address_change: StatusRule
    refund_timing_business_days: dict[str, str] = Field(default_factory=dict)
    handoff: HandoffPolicy
    verification: VerificationPolicy = Field(default_factory=VerificationPolicy)
    tracking: TrackingPolicy = Field(default_factory=TrackingPolicy)
    # Which help-centre card states the rule behind a decision (reason code or topic -> KB card id). A decision's
    # citation is then the card that says it, not whatever a search finds; missing cards fall back to a search.
    sources: dict[str, str] = Field(default_factory=dict)
    # Help-centre cards about something the assistant can also do (KB card id -> the action's intent): answering
    # "what is your exchange policy?", it offers to do it.
    offers: dict[str, OfferableAction] = Field(default_factory=dict)

    def to_usd(self, amount: float, currency: str) -> float:
        try:
            return amount * self.fx_to_usd[currency]
        except KeyError:
            raise ValueError(f"no exchange rate for {currency} in the policy fx table") from None


class PolicyError(ValueError):
    """The store's policy file can't be read, isn't YAML, or breaks the schema."""


def load_policy(path: Path | None = None) -> Policy:
    try:
        if path is None:
            text = resources.files("assistant.policy").joinpath("default.yaml").read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        return Policy.model_validate(yaml.safe_load(text))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValidationError) as exc:
        raise PolicyError(f"policy file {path or '(built-in default)'}: {exc}") from exc
