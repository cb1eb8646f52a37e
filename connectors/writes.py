"""The write side of a store: what Portside asks the platform that owns the orders to do, as typed requests.

Every request carries Portside's action id (the RMA id, or a key derived from the session and order), so a
connector can make its write idempotent: a retry, a second worker or a second "yes" finds the first write on the
platform and reports it instead of writing again. The SQL store implements the same interface for the embedded
default, where Portside's own database is the store.
"""

from __future__ import annotations

from typing import Annotated, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from connectors.models import Address, Order


class _Write(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    action_id: str = Field(min_length=1, max_length=80)
    order_id: str = Field(min_length=1, max_length=64)


class Line(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sku: str
    quantity: int = Field(ge=1)


class CancelOrder(_Write):
    kind: Literal["cancel_order"] = "cancel_order"
    refund: bool = True
    restock: bool = True


class ChangeAddress(_Write):
    kind: Literal["change_address"] = "change_address"
    address: Address


class RequestReturn(_Write):
    """A return the shopper confirmed: approved by policy (created open) or waiting for staff (requested)."""

    kind: Literal["return_request"] = "return_request"
    lines: list[Line] = Field(min_length=1)
    reason: str
    approved: bool
    note: str = ""  # shown to staff on the platform (exchange target, refund method…)


class DecideReturn(_Write):
    """Staff approved or declined a return that was waiting for them."""

    kind: Literal["return_decision"] = "return_decision"
    approve: bool
    note: str = ""


class RefundWithoutReturn(_Write):
    kind: Literal["refund"] = "refund"
    lines: list[Line] = Field(min_length=1)
    amount: float = Field(ge=0)
    currency: str
    note: str = ""


PlatformWrite = Annotated[CancelOrder | ChangeAddress | RequestReturn | DecideReturn | RefundWithoutReturn,
                          Field(discriminator="kind")]


class WriteResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    platform: str
    action_id: str
    remote_id: str | None = None  # the platform's id of what was written (return, refund, job)
    already_done: bool = False  # found on the platform from an earlier attempt; nothing written now
    order: Order | None = None  # the order as the platform has it after the write (mirrored locally)


class PlatformRejected(Exception):
    """The platform refused the write for a reason a retry will not change (userErrors, 4xx). Staff must look."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class PlatformUnavailable(Exception):
    """Throttled, 5xx, timeout: the write may succeed later; the outbox retries it."""

    def __init__(self, message: str, retry_after: float = 2.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@runtime_checkable
class StoreWriter(Protocol):
    name: str

    def apply(self, write: CancelOrder | ChangeAddress | RequestReturn | DecideReturn | RefundWithoutReturn
              ) -> WriteResult: ...
