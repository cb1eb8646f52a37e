"""What a turn did, as the API's `actions[]` shows it: one typed record per kind (a discriminated union on `type`),
so OpenAPI documents every action's fields and a record of an unknown shape fails where it is made."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlatformOutcome(_Record):
    """What the store platform (Shopify, WooCommerce) made of a confirmed action."""

    name: str
    status: Literal["done", "queued", "rejected"]
    reason: str | None = Field(default=None, description="The platform's refusal, or why the write is queued.")
    remote_id: str | None = Field(default=None, description="The platform's id of what was written.")


class ItemQuantity(_Record):
    sku: str
    quantity: int


class ReturnDraft(_Record):
    type: Literal["return_draft"]
    rma_id: str | None = Field(description="Set once the shopper confirmed; None for a return that was refused.")
    order_id: str
    items: list[ItemQuantity]
    eligible: bool
    reason_code: str
    refund_amount: float
    currency: str
    return_required: bool
    status: str | None
    created: bool | None = None
    refund_method: str | None = None
    label_url: str | None = None
    platform: PlatformOutcome | None = None


class ExchangeDraft(_Record):
    type: Literal["exchange_draft"]
    rma_id: str | None
    order_id: str
    eligible: bool
    reason_code: str
    sku: str | None = None
    target_sku: str | None = None
    fee: float | None = None
    status: str | None = None
    created: bool | None = None
    platform: PlatformOutcome | None = None


class NewAddress(_Record):
    line1: str
    city: str
    postal_code: str


class CancelOrderAction(_Record):
    type: Literal["cancel_order"]
    order_id: str
    done: bool
    reason_code: str | None = None
    platform: PlatformOutcome | None = None


class ChangeAddressAction(_Record):
    type: Literal["change_address"]
    order_id: str
    done: bool
    address: NewAddress | None = None
    reason_code: str | None = None
    platform: PlatformOutcome | None = None


class Verify(_Record):
    type: Literal["verify"]
    method: Literal["order", "email"]
    verified: bool
    locked: bool | None = None


class OrderLookup(_Record):
    type: Literal["order_lookup"]
    order_id: str
    tracking_number: str | None = None


class CardItem(_Record):
    sku: str
    name: str
    quantity: int


class CardShipment(_Record):
    carrier: str
    tracking_number: str
    status: str
    status_text: str
    estimated_delivery: str | None


class Card(_Record):
    order_id: str
    status: str
    placed_at: str
    total: str
    items: list[CardItem]
    shipments: list[CardShipment]


class OrderCard(_Record):
    type: Literal["order_card"]
    order: Card


class RefundStatus(_Record):
    type: Literal["refund_status"]
    rma_id: str
    status: str


class Handoff(_Record):
    type: Literal["handoff"]
    handoff_id: str
    reason: str
    priority: str


class Guard(_Record):
    type: Literal["guard"]
    flag: str


class CsatPrompt(_Record):
    type: Literal["csat_prompt"]


class Confirm(_Record):
    """The turn parked an action: the shopper's next "yes" carries it out."""

    type: Literal["confirm"]
    intent: str


class PrivacyRequest(_Record):
    """A data-subject request the shopper made in the chat, queued for staff with its legal deadline."""

    type: Literal["privacy_request"]
    request_id: str
    kind: Literal["data_request", "redact"]
    law: str
    due_at: str = Field(description="ISO-8601: the legal deadline for the answer.")


ActionRecord = Annotated[ReturnDraft | ExchangeDraft | CancelOrderAction | ChangeAddressAction | Verify | OrderLookup
                         | OrderCard | RefundStatus | Handoff | Guard | CsatPrompt | Confirm | PrivacyRequest,
                         Field(discriminator="type")]
ACTION_RECORD: TypeAdapter[ActionRecord] = TypeAdapter(ActionRecord)
