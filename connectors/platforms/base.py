"""What every store platform connector provides, whatever its wire protocol."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from connectors.models import StoreData
from connectors.writes import PlatformWrite, WriteResult


@dataclass
class Fetched:
    """Orders read from the platform, with the customers and products they need, and each order's platform id."""

    data: StoreData = field(default_factory=StoreData)
    remote_ids: dict[str, str] = field(default_factory=dict)  # Portside order id -> platform id

    def __add__(self, other: Fetched) -> Fetched:
        return Fetched(StoreData(customers=[*self.data.customers, *other.data.customers],
                                 products=[*self.data.products, *other.data.products],
                                 orders=[*self.data.orders, *other.data.orders]),
                       {**self.remote_ids, **other.remote_ids})


@dataclass
class Page:
    fetched: Fetched
    cursor: str | None  # where the next page starts; None after the last one


WebhookKind = Literal["order", "privacy", "ignored", "ping"]  # ping: a test delivery with no content


@dataclass(frozen=True)
class PlatformWebhook:
    """A verified delivery: its id (to dedupe), topic, and what it asks of us."""

    webhook_id: str
    topic: str
    kind: WebhookKind
    remote_order_id: str | None = None  # order/fulfillment/return topics: read this order again
    privacy: dict[str, object] | None = None  # privacy topics: kind, customer_ref, email, order_ids


@dataclass(frozen=True)
class Capability:
    name: str  # "read orders", "write returns"…
    ok: bool
    detail: str = ""


class InvalidWebhook(ValueError):
    """The body is not a delivery of this platform (malformed, missing headers)."""


class BadSignature(InvalidWebhook):
    """The signature does not match the shared secret: forged or misconfigured."""


class Platform(Protocol):
    name: str
    order_pattern: str  # how this store's order numbers look when a shopper types them

    def fetch_order(self, ref: str) -> Fetched | None: ...

    def fetch_remote(self, remote_id: str) -> Fetched | None: ...

    def fetch_customer(self, customer_id: str) -> Fetched: ...

    def fetch_orders_for_email(self, email: str) -> Fetched: ...

    def pages(self, since: datetime | None, cursor: str | None) -> Iterator[Page]: ...

    def apply(self, write: PlatformWrite, remote_id: str) -> WriteResult: ...

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> PlatformWebhook: ...

    def check(self) -> list[Capability]: ...

    def close(self) -> None: ...
