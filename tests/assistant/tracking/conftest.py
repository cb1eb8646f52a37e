"""A demo store whose tracker is the fake AfterShip, and the app served on 127.0.0.1 so the fake can post its
signed webhooks to it over HTTP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from sqlalchemy import update

from assistant.api.app import create_app
from assistant.runtime import Services
from connectors.sql import schema as store_schema
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
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(services=tracked), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield url
    server.should_exit = True
    thread.join(timeout=10)
