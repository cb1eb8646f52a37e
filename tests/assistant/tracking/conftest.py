"""A demo store whose tracker is the fake AfterShip, and the app served on 127.0.0.1 so the fake can post its
signed webhooks to it over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import update

from assistant.runtime import Services
from connectors.sql import schema as store_schema
from tests.assistant.helpers import serve
from tests.fakes.aftership import FakeAfterShip

WEBHOOK_SECRET = "aftership-webhook-secret"


@pytest.fixture
def aftership() -> Iterator[FakeAfterShip]:
    with FakeAfterShip() as fake:
        yield fake


@pytest.fixture
def tracked(chat_services: Services, aftership: FakeAfterShip) -> Services:
    s = chat_services.settings
    s.tracking, s.aftership_api_key = "aftership", aftership.api_key
    s.aftership_webhook_secret, s.aftership_api_url = WEBHOOK_SECRET, aftership.url
    return chat_services


def use_carrier(services: Services, tracking_number: str, carrier: str) -> None:
    """The fake knows a dozen couriers: give the test parcel one of them."""
    with services.engine.begin() as conn:
        conn.execute(update(store_schema.shipments).where(store_schema.shipments.c.tracking_number == tracking_number)
                     .values(carrier=carrier))


@pytest.fixture
def served(tracked: Services) -> Iterator[str]:
    """The real app on a free loopback port (webhooks arrive over HTTP, as from the provider)."""
    yield from serve(tracked)
